"""Reads step numbers, ratings and due dates out of German free text (plain Python)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from coach.german_text import fold

_NUMBER_WORDS = {
    # "ein", "eine" are left out: they are articles far more often ("eine Vier").
    "eins": 1, "erste": 1, "ersten": 1, "erstes": 1,
    "zwei": 2, "zweite": 2, "zweiten": 2, "zweites": 2, "zwote": 2,
    "drei": 3, "dritte": 3, "dritten": 3, "drittes": 3,
    "vier": 4, "vierte": 4, "vierten": 4, "viertes": 4, "vierer": 4, "viere": 4,
    "fuenf": 5, "fünf": 5, "fuenfte": 5, "fünfte": 5, "fünften": 5, "fuenften": 5, "fünfe": 5, "fuenfe": 5,
}
_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
    "samstag": 5, "sonnabend": 5, "sonntag": 6,
}
_MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}
_WEEKDAY_NAMES = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def _words(text: str) -> list:
    # A digit glued to other characters ("alert(1)", "B2B", "v2") is not a number the user chose.
    return re.findall(r"[a-zäöüß]+|(?<![\w(])\d+(?![\w)])", text.lower())


def find_number(text: str, maximum: int) -> Optional[int]:
    """The first number 1..maximum in `text`, as digit or German word ("den zweiten")."""
    for word in _words(_without_dates(text)):
        value = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if value is not None and 1 <= value <= maximum:
            return value
    return None


def find_rating(text: str) -> Optional[int]:
    """A 1–5 rating ("4", "vier Sterne", "5/5", "volle Punktzahl", "einen Stern", "dreieinhalb")."""
    lowered = fold(text)  # "Höchstnote" -> "hoechstnote"
    if re.search(r"volle punkt|volle sterne|alle sterne|bestnote|hoechst(note|wertung|punkt)|perfekt|hervorragend",
                 lowered):
        return 5
    if re.search(r"\bein(en)?\s+stern(chen)?\b", lowered):
        return 1
    # A half rating counts as the whole number below it ("viereinhalb" -> 4): the scale has no halves.
    match = re.search(r"\b(eins|zwei|drei|vier)einhalb\b", lowered)
    if match:
        return _NUMBER_WORDS[match.group(1)]
    match = re.search(r"\b([1-5])\s*(?:/|von)\s*5\b", lowered)
    if match:
        return int(match.group(1))
    return find_number(text, 5)


@dataclass(frozen=True)
class DueDate:
    label: str  # how the coach repeats it, e.g. "bis Freitag, 04.12.2026"
    day: date


def _without_dates(text: str) -> str:
    return re.sub(r"\b\d{1,2}\.\s*(\d{1,2}\.?(\d{2,4})?|[a-zäöü]+)", " ", text.lower())


def _label(day: date) -> str:
    return f"bis {_WEEKDAY_NAMES[day.weekday()]}, {day:%d.%m.%Y}"


def find_due_date(text: str, today: Optional[date] = None) -> Optional[DueDate]:
    """A due date in phrases like "bis Freitag", "morgen", "nächste Woche", "bis 15.12."."""
    today = today or date.today()
    lowered = text.lower().replace("ae", "ä").replace("ue", "ü").replace("oe", "ö")
    match = re.search(r"\b(\d{1,2})\.\s*(\d{1,2})\.?\s*(\d{2,4})?", lowered)
    if match:
        return _from_parts(today, int(match.group(1)), int(match.group(2)), match.group(3))
    match = re.search(r"\b(\d{1,2})\.?\s*([a-zä]+)\b\s*(\d{4})?", lowered)
    if match and match.group(2) in _MONTHS:
        return _from_parts(today, int(match.group(1)), _MONTHS[match.group(2)], match.group(3))
    if "übermorgen" in lowered:
        return DueDate(_label(today + timedelta(days=2)), today + timedelta(days=2))
    if "morgen" in lowered and "morgens" not in lowered:
        return DueDate(_label(today + timedelta(days=1)), today + timedelta(days=1))
    if re.search(r"\bheute\b", lowered):
        return DueDate(_label(today), today)
    match = re.search(r"\bin\s+(\d+|einer|einem|zwei|drei|vier)\s+(tag|tagen|woche|wochen|monat|monaten)\b", lowered)
    if match:
        amount = int(match.group(1)) if match.group(1).isdigit() else _NUMBER_WORDS.get(match.group(1), 1)  # "in einer Woche"
        unit = match.group(2)
        days = amount * (1 if unit.startswith("tag") else 7 if unit.startswith("woche") else 30)
        return DueDate(_label(today + timedelta(days=days)), today + timedelta(days=days))
    if re.search(r"(nächste|kommende)[nr]?\s+woche", lowered):
        day = today + timedelta(days=7 - today.weekday() + 4)  # Friday of next week
        return DueDate(_label(day), day)
    if re.search(r"ende\s+(der|dieser)\s+woche|wochenende", lowered):
        day = today + timedelta(days=(4 - today.weekday()) % 7)
        return DueDate(_label(day), day)
    if re.search(r"monatsende|ende\s+(des|dieses)\s+monats", lowered):
        first_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        day = first_next - timedelta(days=1)
        return DueDate(_label(day), day)
    for word in _words(lowered):
        if word in _WEEKDAYS:
            ahead = (_WEEKDAYS[word] - today.weekday()) % 7 or 7
            day = today + timedelta(days=ahead)
            return DueDate(_label(day), day)
    return None


def _from_parts(today: date, day: int, month: int, year: Optional[str]) -> Optional[DueDate]:
    try:
        if year:
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            result = date(full_year, month, day)
        else:
            result = date(today.year, month, day)
            if result < today:
                result = date(today.year + 1, month, day)
    except ValueError:
        return None
    return DueDate(_label(result), result)
