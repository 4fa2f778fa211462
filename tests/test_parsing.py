from datetime import date

import pytest

from actions.parsing import find_due_date, find_number, find_rating

SATURDAY = date(2026, 11, 28)


@pytest.mark.parametrize("text, expected", [
    ("Schritt 2 mache ich", 2), ("den dritten nehme ich", 3), ("Nummer eins", 1),
    ("Das mache ich", None), ("Schritt 7", None), ("den zweiten bis 15.12.", 2),
])
def test_find_number(text, expected):
    assert find_number(text, 4) == expected


@pytest.mark.parametrize("text, expected", [
    ("5", 5), ("4 Sterne", 4), ("eine Vier", 4), ("3/5", 3), ("volle Punktzahl", 5), ("super", None),
    ("Höchstnote", 5), ("Alle Sterne", 5), ("nur einen Stern", 1), ("Dreieinhalb", 3), ("viere", 4),
])
def test_find_rating(text, expected):
    assert find_rating(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("bis Freitag", date(2026, 12, 4)),
    ("morgen", date(2026, 11, 29)),
    ("übermorgen", date(2026, 11, 30)),
    ("bis 15.12.", date(2026, 12, 15)),
    ("bis zum 3.1.", date(2027, 1, 3)),
    ("bis 12. Januar", date(2027, 1, 12)),
    ("in zwei Wochen", date(2026, 12, 12)),
    ("naechste Woche", date(2026, 12, 4)),
    ("bis Monatsende", date(2026, 11, 30)),
    ("irgendwann", None),
])
def test_find_due_date(text, expected):
    due = find_due_date(text, today=SATURDAY)
    assert (due.day if due else None) == expected
    if due:
        assert due.label.startswith("bis ") and due.day.strftime("%d.%m.%Y") in due.label


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "wir sind B2B"])
def test_digits_inside_markup_or_words_are_no_rating(text):
    assert find_rating(text) is None and find_number(text, 4) is None
