"""`python -m core.report` on a SQLite log with three known sessions, in all three formats."""
import csv
import io
import json
import sqlite3
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.report_formats import NO_SESSIONS
from core.session_store import SessionStore

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
NO_TIME, PRIVACY = "excuse_no_time", "excuse_data_privacy"


def day(n, hour=9):
    return datetime(2026, 11, n, hour, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'coach.db'}"
    store = SessionStore(url)
    store.migrate()
    sessions = [
        # id, start, code, mode, turns, excuses (id, arguments, outcome), commitments, rating
        ("s1", day(2), "T-1", "coaching", 4,
         [(NO_TIME, [0, 1], "convinced"), (PRIVACY, [0], "not_convinced")],
         [(NO_TIME, 2, "Jeden Montag 15 Minuten", date(2026, 11, 9))], 5),
        ("s2", day(3), "T-1", "coaching", 2, [(NO_TIME, [0], "convinced")],
         [(NO_TIME, 1, "Profil aktualisieren", None)], 3),
        ("s3", day(10), "T-2", "practice", 0,
         [(PRIVACY, [0, 1], "open"), (NO_TIME, [0, 1, 2], "not_convinced")], [], None),
    ]
    for sid, start, code, mode, turns, excuses, commitments, rating in sessions:
        store.ensure_session(sid, f"hash-{sid}", "rest", start, mode=mode, training_code=code)
        for i in range(turns):
            store.add_turn(sid, f"e{i}", "user" if i % 2 == 0 else "bot", f"Text {i}", start)
        store.set_excuses(sid, [{"excuse_id": e, "arguments_shown": a, "outcome": o} for e, a, o in excuses])
        store.set_commitments(sid, [{"excuse_id": e, "step_number": n, "step_text": t, "due_date": d}
                                    for e, n, t, d in commitments])
        store.update_session(sid, ended_at=start + timedelta(minutes=10), rating=rating)
    store.dispose()
    return url


def report(url, *args):
    return subprocess.run([str(PYTHON), "-m", "core.report", "--database-url", url, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_text_report_ranks_excuses_and_counts_what_convinced(url):
    result = report(url)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Sitzungen: 3 (2 Coaching, 1 Übung)" in text
    assert "Durchschnittliche Bewertung: 4,0 von 5 (2 Bewertungen)" in text
    no_time = f"{NO_TIME}: 3× besprochen, 2× überzeugt, 1× nicht überzeugt, 0× offen"
    privacy = f"{PRIVACY}: 2× besprochen, 0× überzeugt, 1× nicht überzeugt, 1× offen"
    assert no_time in text and privacy in text and text.index(no_time) < text.index(privacy)
    assert "1. Keine Zeit – excuse_no_time" in text  # title from the knowledge base
    no_time_block = text[text.index(no_time):text.index(privacy)]
    for line in ("Argument 1 gezeigt 3×, davon überzeugt 2×", "Argument 2 gezeigt 2×, davon überzeugt 1×",
                 "Argument 3 gezeigt 1×, davon überzeugt 0×"):
        assert line in no_time_block
    assert "Argument 2 gezeigt 1×, davon überzeugt 0×" in text[text.index(privacy):]
    assert "Vorsätze (2):" in text
    assert "02.11.2026, Keine Zeit, Schritt 2: „Jeden Montag 15 Minuten“ – fällig am 09.11.2026" in text
    assert "„Profil aktualisieren“ – ohne Termin" in text


def test_filters_by_training_code_and_inclusive_date_range(url):
    by_code = report(url, "--code", "T-1").stdout
    assert "Sitzungen: 2 (2 Coaching)" in by_code and "Trainingscode: T-1" in by_code
    assert f"{NO_TIME}: 2× besprochen, 2× überzeugt" in by_code
    one_day = report(url, "--from", "2026-11-03", "--to", "2026-11-03").stdout
    assert "Sitzungen: 1 (1 Coaching)" in one_day and "03.11.2026 bis 03.11.2026" in one_day
    assert "4,0" not in one_day and "3,0 von 5 (1 Bewertung)" in one_day


def test_json_report(url):
    result = report(url, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    summary = data["summary"]
    assert summary["session_count"] == 3 and summary["average_rating"] == 4.0
    assert [(e["excuse_id"], e["discussed"], e["convinced"]) for e in summary["excuses"]] == [
        (NO_TIME, 3, 2), (PRIVACY, 2, 0)]
    assert summary["excuses"][0]["arguments"] == [
        {"index": 0, "shown": 3, "convinced": 2}, {"index": 1, "shown": 2, "convinced": 1},
        {"index": 2, "shown": 1, "convinced": 0}]
    assert len(summary["commitments"]) == 2
    s1, s2, s3 = data["sessions"]
    assert (s1["id"], s1["mode"], s1["training_code"], s1["turns"], s1["rating"]) == ("s1", "coaching", "T-1", 4, 5)
    assert s1["started_at"] == "2026-11-02T09:00:00+00:00" and s1["ended_at"] == "2026-11-02T09:10:00+00:00"
    assert s1["excuses"] == [NO_TIME, PRIVACY] and s3["excuses"] == [PRIVACY, NO_TIME]
    assert s1["commitments"] == [{"excuse_id": NO_TIME, "step_number": 2,
                                  "step_text": "Jeden Montag 15 Minuten", "due_date": "2026-11-09",
                                  "status": None, "new_due_date": None}]
    assert s1["excuse_details"][0] == {"excuse_id": NO_TIME, "arguments_shown": [0, 1], "outcome": "convinced"}
    assert (s3["mode"], s3["turns"], s3["rating"], s3["commitments"]) == ("practice", 0, None, [])
    assert "sender_hash" not in s1


def test_csv_report_has_one_row_per_session(url):
    result = report(url, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["s1", "s2", "s3"]
    assert rows[0] == {"id": "s1", "started_at": "2026-11-02T09:00:00+00:00",
                       "ended_at": "2026-11-02T09:10:00+00:00", "mode": "coaching",
                       "training_code": "T-1", "channel": "rest", "turns": "4",
                       "excuses": f"{NO_TIME};{PRIVACY}", "commitments": "1", "rating": "5"}
    assert (rows[2]["rating"], rows[2]["commitments"]) == ("", "0")


def test_empty_range_is_not_an_error(url):
    result = report(url, "--from", "2027-01-01")
    assert (result.returncode, result.stdout.strip()) == (0, NO_SESSIONS)
    as_json = report(url, "--from", "2027-01-01", "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["sessions"] == []


def test_missing_database_is_reported_and_not_created(tmp_path):
    missing = tmp_path / "missing.db"
    result = report(f"sqlite:///{missing}")
    assert result.returncode == 1 and "gibt es noch nicht" in result.stderr
    assert not missing.exists()

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = report(f"sqlite:///{empty}")
    assert result.returncode == 1 and "noch kein Sitzungsprotokoll" in result.stderr
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone() == (0,)


def test_commitment_status_asked_later_and_corrections_appear_in_the_report(tmp_path):
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    store = SessionStore(url)
    store.migrate()
    store.ensure_session("a1", "hash-a", "rest", day(2))
    store.set_commitments("a1", [{"excuse_id": NO_TIME, "step_number": 1, "step_text": "Profil", "due_date": date(2026, 11, 6)}])
    store.ensure_session("a2", "hash-a", "rest", day(9))
    assert store.report_commitment("hash-a", NO_TIME, 1, "rescheduled", date(2026, 11, 13))
    store.add_correction("a2", "u:1", NO_TIME, PRIVACY, day(9))
    store.dispose()
    text = report(url).stdout
    assert "später gefragt: verschoben auf 13.11.2026" in text
    assert f"{NO_TIME} → {PRIVACY}: 1×" in text
    data = json.loads(report(url, "--format", "json").stdout)
    assert data["summary"]["corrections"] == [{"misread_intent": NO_TIME, "corrected_intent": PRIVACY, "count": 1}]
    assert data["summary"]["commitments"][0]["status"] == "rescheduled"
