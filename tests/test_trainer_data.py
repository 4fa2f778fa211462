"""The trainer page's figures (core/trainer_data.py) on a real session log in SQLite."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core import report, report_formats, trainer_data
from core.session_store import SessionStore

START = datetime(2026, 11, 3, 9, tzinfo=timezone.utc)


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    store = SessionStore(url)
    store.migrate()
    yield url, store
    store.dispose()


def coaching(store, session_id, day, excuses, steps=()):
    store.ensure_session(session_id, f"hash-{session_id}", "rest", START + timedelta(days=day))
    store.set_excuses(session_id, excuses)
    store.set_commitments(session_id, [{"excuse_id": e, "step_number": 1, "step_text": "Profil anlegen"} for e in steps])


def test_wilson_interval_has_the_closed_form_bounds():
    assert trainer_data.wilson_interval(0, 0) == (0.0, 1.0)
    low, high = trainer_data.wilson_interval(0, 10)
    z2 = trainer_data.Z_95 ** 2
    assert low == 0.0 and high == pytest.approx(z2 / (10 + z2))  # upper bound at zero successes
    low, high = trainer_data.wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(10 / (10 + z2))
    low, high = trainer_data.wilson_interval(5, 10)
    assert low + high == pytest.approx(1.0) and low < 0.5 < high
    narrow = trainer_data.wilson_interval(50, 100)
    assert narrow[1] - narrow[0] < high - low  # more sessions, narrower interval


def test_argument_effectiveness_counts_shown_convinced_and_first_step_per_session(url):
    url, store = url
    coaching(store, "a", 0, [{"excuse_id": "excuse_no_time", "arguments_shown": [0, 1, 0], "outcome": "convinced"}],
             steps=["excuse_no_time"])
    coaching(store, "b", 1, [{"excuse_id": "excuse_no_time", "arguments_shown": [0], "outcome": "not_convinced"},
                             {"excuse_id": "excuse_no_roi", "arguments_shown": [2], "outcome": "convinced"}])
    coaching(store, "c", 2, [{"excuse_id": "excuse_no_time", "arguments_shown": [0, 1, 2], "outcome": "open"}])

    data = trainer_data.load(url, trainer_data.Selection())
    no_time, no_roi = data.effectiveness
    assert (no_time["excuse_id"], no_time["discussed"], no_roi["excuse_id"]) == ("excuse_no_time", 3, "excuse_no_roi")
    figures = {a["index"]: (a["shown"], a["convinced"], a["first_step"]) for a in no_time["arguments"]}
    assert figures == {0: (3, 1, 1), 1: (2, 1, 1), 2: (1, 0, 0)}
    first = no_time["arguments"][0]
    assert first["convinced_rate"] == pytest.approx(1 / 3, abs=0.001)
    assert first["convinced_interval"] == [pytest.approx(v, abs=0.001) for v in trainer_data.wilson_interval(1, 3)]
    assert first["label"] and first["label"] != "Argument 1"  # named after its first key point
    # The report's own figures agree with the page's.
    assert [(a["shown"], a["convinced"]) for a in data.summary["excuses"][0]["arguments"]] == [(3, 1), (2, 1), (1, 0)]


def test_selection_filters_like_the_report_and_downloads_are_the_report_formats(url):
    url, store = url
    for day, code in ((0, "WS-A"), (1, "WS-A"), (5, "WS-B")):
        session_id = f"p{day}"
        store.ensure_session(session_id, f"hash-{day % 2}", "rest", START + timedelta(days=day),
                             mode="practice", training_code=code)
        store.set_practice_rounds(session_id, [{"round": 1, "excuse_id": "excuse_no_time", "score": day % 4, "covered": []}])

    selection = trainer_data.Selection("WS-A", date(2026, 11, 3), date(2026, 11, 4))
    data = trainer_data.load(url, selection)
    assert [s["id"] for s in data.sessions] == ["p0", "p1"]
    assert data.summary["practice"]["participants"] == 2 and data.summary["training_code"] == "WS-A"
    sessions = report.load_sessions(url, date(2026, 11, 3), date(2026, 11, 4), "WS-A")
    assert data.csv() == report_formats.render_csv(sessions)
    assert data.json() == report_formats.render_json(report.summarize(sessions, selection.as_report_args()), sessions)
    assert trainer_data.training_codes(url) == ["WS-A", "WS-B"]
    assert trainer_data.load(url, trainer_data.Selection("WS-C")).sessions == []


def test_a_missing_log_is_a_message_not_a_crash(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    assert trainer_data.training_codes(url) == []
    with pytest.raises(report.ReportError):
        trainer_data.load(url, trainer_data.Selection())
