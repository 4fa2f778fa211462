"""The session log store on real databases: a SQLite file and the PostgreSQL server of this machine.

PostgreSQL tests run in a database of their own (tests/conftest.py: `database_url`); they are skipped
only with SKIP_POSTGRES=1, so a server that is down fails the suite instead of hiding it.
"""
import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from alembic.config import Config
from alembic.script import ScriptDirectory

from core.log_schema import Base
from core.schema_migration import ALEMBIC_VERSION_TABLE, MIGRATIONS_DIR
from core.session_store import SessionStore, database_url

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TABLES = {"coach_sessions", "coach_turns", "coach_excuses", "coach_commitments"}


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


HEAD = _head_revision()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def url(database_url):
    """An empty test database: SQLite, then PostgreSQL (tests/conftest.py)."""
    return database_url


@pytest.fixture
def new_store(url):
    """Factory for stores on the test database (several = several processes); all disposed."""
    stores = []

    def make(**kwargs) -> SessionStore:
        stores.append(SessionStore(url, **kwargs))
        return stores[-1]

    yield make
    for store in stores:
        store.dispose()


@pytest.fixture
def store(new_store):
    store = new_store()
    store.migrate()
    return store


def start(store, session_id, at=T0, **kwargs):
    store.ensure_session(session_id, f"hash-{session_id}", "rest", at, **kwargs)


def table_names(store):
    return set(sa.inspect(store.engine).get_table_names())


def revision(store):
    with store.engine.connect() as connection:
        return MigrationContext.configure(
            connection, opts={"version_table": ALEMBIC_VERSION_TABLE}).get_current_revision()


def test_migrate_creates_the_schema_of_the_models_and_can_run_again(store):
    assert TABLES | {ALEMBIC_VERSION_TABLE} <= table_names(store)
    store.migrate()
    assert revision(store) == HEAD
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": ALEMBIC_VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []  # migration and models agree


@pytest.mark.slow  # four processes and a synchronised start
def test_servers_starting_together_migrate_once(url, new_store):
    # Separate processes, released at the same moment after their imports.
    script = ("import sys, time; import alembic.command; from core.session_store import SessionStore; "
              "store = SessionStore(sys.argv[1]); time.sleep(max(0, float(sys.argv[2]) - time.time())); "
              "store.migrate()")
    go = str(time.time() + 3)
    processes = [subprocess.Popen([sys.executable, "-c", script, url, go], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for process in processes:
        assert process.wait(timeout=60) == 0, process.stderr.read()
    store = new_store()
    assert revision(store) == HEAD and TABLES <= table_names(store)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text(f"SELECT count(*) FROM {ALEMBIC_VERSION_TABLE}")).scalar() == 1


def test_alembic_command_line_uses_database_url(url, new_store):
    env = {**os.environ, "DATABASE_URL": url}
    alembic = [str(ROOT / ".venv/bin/alembic"), "-c", str(ROOT / "alembic.ini")]
    subprocess.run(alembic + ["upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    current = subprocess.run(alembic + ["current"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
    assert f"{HEAD} (head)" in current.stdout
    assert TABLES <= table_names(new_store())


def test_ensure_session_is_idempotent_and_keeps_the_first_values(store):
    start(store, "s1", training_code="T-1")
    store.ensure_session("s1", "other-hash", "socketio", T0 + timedelta(hours=1), mode="practice")
    [session] = store.sessions()
    assert (session["sender_hash"], session["channel"], session["mode"], session["training_code"],
            session["started_at"]) == ("hash-s1", "rest", "coaching", "T-1", T0)


def test_update_session(store):
    start(store, "s1")
    store.update_session("s1", rating=4, ended_at=T0 + timedelta(minutes=5), mode="practice",
                         training_code="T-2", channel="socketio")
    [session] = store.sessions()
    assert (session["rating"], session["ended_at"], session["mode"], session["training_code"],
            session["channel"]) == (4, T0 + timedelta(minutes=5), "practice", "T-2", "socketio")
    with pytest.raises(ValueError):
        store.update_session("s1", sender_hash="x")
    with pytest.raises(KeyError):
        store.update_session("missing", rating=3)
    with pytest.raises(IntegrityError):
        store.update_session("s1", rating=6)


def test_turns_keep_their_order_and_each_event_is_stored_once(store):
    start(store, "s1")
    intents = [{"name": "excuse_no_time", "confidence": 0.91}, {"name": "greet", "confidence": 0.05}]
    assert store.add_turn("s1", "u1", "user", "Keine Zeit", T0, intent="excuse_no_time",
                          confidence=0.91, intents=intents)
    assert store.add_turn("s1", "b1", "bot", "Verstehe.", T0, action="action_handle_excuse")
    assert not store.add_turn("s1", "u1", "user", "Keine Zeit", T0)  # replay after a restart
    assert store.add_turn("s1", "u2", "user", None, T0 + timedelta(seconds=1))
    turns = store.turns("s1")
    assert [(t["seq"], t["event_key"], t["role"]) for t in turns] == [
        (1, "u1", "user"), (2, "b1", "bot"), (3, "u2", "user")]
    assert turns[0]["intents"] == intents and turns[0]["confidence"] == pytest.approx(0.91)
    assert turns[1]["action"] == "action_handle_excuse" and turns[2]["text"] is None
    assert turns[0]["at"] == T0 and turns[0]["at"].tzinfo is not None
    with pytest.raises(KeyError):
        store.add_turn("missing", "u1", "user", "x", T0)


def test_long_texts_are_capped_and_hostile_texts_stored_verbatim(store, new_store):
    start(store, "s1")
    long_text = "Ausrede " * 12_500  # 100 000 characters
    hostile = ["'; DROP TABLE coach_turns; --", "<script>alert('x')</script>",
               "Datenschutz? 🙈 „Müßig“ \\ % _ \"", "a\x00b"]
    store.add_turn("s1", "long", "user", long_text, T0)
    for i, text in enumerate(hostile):
        store.add_turn("s1", f"h{i}", "user", text, T0)
    stored = [t["text"] for t in store.turns("s1")]
    assert len(stored[0]) <= 2000 and stored[0].endswith("…")
    assert long_text.startswith(stored[0][:-1]) and len(stored[0]) > 1900
    # NUL is the one character PostgreSQL text cannot hold; it is replaced, not rejected.
    assert stored[1:] == hostile[:-1] + ["a\ufffdb"]
    assert TABLES <= table_names(store)
    short = new_store(max_text_length=10)
    short.add_turn("s1", "short", "user", "0123456789", T0)
    short.add_turn("s1", "cut", "user", "0123456789X", T0)
    assert [t["text"] for t in short.turns("s1")][-2:] == ["0123456789", "012345678…"]


def test_set_excuses_replaces_rows_to_match_the_list(store):
    start(store, "s1")
    store.set_excuses("s1", [
        {"excuse_id": "excuse_no_time", "arguments_shown": [0], "outcome": "open"},
        {"excuse_id": "excuse_data_privacy", "arguments_shown": [0, 1], "outcome": "not_convinced"},
    ])
    final = [
        {"excuse_id": "excuse_data_privacy", "arguments_shown": [0, 1, 2], "outcome": "convinced"},
        {"excuse_id": "excuse_no_roi", "arguments_shown": [], "outcome": "open"},
    ]
    store.set_excuses("s1", final)
    store.set_excuses("s1", final)  # replay: same rows
    [session] = store.sessions()
    assert session["excuses"] == ["excuse_data_privacy", "excuse_no_roi"]
    assert session["excuse_details"] == final
    with store.engine.connect() as connection:
        positions = connection.execute(sa.text(
            "SELECT excuse_id, position FROM coach_excuses ORDER BY position")).all()
    assert [tuple(p) for p in positions] == [("excuse_data_privacy", 1), ("excuse_no_roi", 2)]


def test_set_commitments_replaces_rows_to_match_the_list(store):
    start(store, "s1")
    store.set_commitments("s1", [
        {"excuse_id": "excuse_no_time", "step_number": 1, "step_text": "Profil", "due_date": None},
        {"excuse_id": "excuse_no_time", "step_number": 2, "step_text": "Post", "due_date": None},
    ])
    final = [
        {"excuse_id": "excuse_no_time", "step_number": 2, "step_text": "Post", "due_date": date(2026, 12, 4)},
        {"excuse_id": "excuse_no_roi", "step_number": 1, "step_text": "Ziel", "due_date": None},
    ]
    store.set_commitments("s1", final)
    store.set_commitments("s1", [{**final[0], "due_date": "2026-12-04"}, final[1]])  # ISO string
    assert store.sessions()[0]["commitments"] == [{**c, "status": None, "new_due_date": None} for c in final]


def test_a_later_report_lands_on_the_senders_latest_matching_commitment(store):
    start(store, "s1")
    store.set_commitments("s1", [{"excuse_id": "excuse_no_time", "step_number": 2, "step_text": "Post",
                                  "due_date": date(2026, 12, 4)}])
    assert store.report_commitment("hash-s1", "excuse_no_time", 2, "rescheduled", date(2026, 12, 11))
    assert not store.report_commitment("hash-s1", "excuse_no_roi", 1, "done")
    assert not store.report_commitment("someone-else", "excuse_no_time", 2, "done")
    commitment = store.sessions()[0]["commitments"][0]
    assert (commitment["status"], commitment["new_due_date"]) == ("rescheduled", date(2026, 12, 11))


def test_corrections_are_kept_once_per_message_and_deleted_with_the_session(store):
    start(store, "s1")
    at = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)
    store.add_correction("s1", "u:1", "excuse_no_time", "excuse_data_privacy", at)
    store.add_correction("s1", "u:1", "excuse_no_time", "excuse_data_privacy", at)  # replayed event
    store.add_correction("s1", "u:2", "excuse_no_roi", None, at)
    assert [(c["misread_intent"], c["corrected_intent"]) for c in store.corrections("s1")] == [
        ("excuse_no_time", "excuse_data_privacy"), ("excuse_no_roi", None)]
    store.delete_sessions(sender_hash="hash-s1")
    assert store.corrections("s1") == []


def test_sessions_filter_by_start_and_training_code_and_count_turns(store):
    start(store, "early", T0 - timedelta(days=1), training_code="T-1")
    start(store, "mid", T0, training_code="T-2")
    start(store, "late", T0 + timedelta(days=1), training_code="T-1", mode="practice")
    for i in range(3):
        store.add_turn("mid", f"e{i}", "user", "x", T0)
    store.add_turn("late", "e0", "user", "x", T0)

    def ids(**filters):
        return [s["id"] for s in store.sessions(**filters)]

    assert ids() == ["early", "mid", "late"]
    assert ids(since=T0) == ["mid", "late"]
    assert ids(until=T0) == ["early"]  # until is exclusive
    assert ids(since=T0, until=T0 + timedelta(days=1)) == ["mid"]
    assert ids(training_code="T-1") == ["early", "late"]
    assert ids(training_code="T-1", since=T0) == ["late"]
    assert ids(training_code="none") == []
    # Aware datetimes in any zone compare as UTC.
    berlin = timezone(timedelta(hours=1))
    assert ids(since=datetime(2026, 11, 2, 10, 0, tzinfo=berlin)) == ["mid", "late"]
    assert [s["turns"] for s in store.sessions()] == [0, 3, 1]
    assert store.sessions(since=T0)[1]["mode"] == "practice"


def run_threads(targets):
    errors = []

    def guarded(target):
        try:
            target()
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_writers_of_different_sessions_lose_nothing(store):
    def write_session(n):
        def run():
            start(store, f"s{n}")
            for i in range(25):
                store.add_turn(f"s{n}", f"e{i}", "user" if i % 2 else "bot", f"Text {i}", T0)
        return run

    assert run_threads([write_session(n) for n in range(8)]) == []
    sessions = store.sessions()
    assert len(sessions) == 8 and all(s["turns"] == 25 for s in sessions)
    assert [t["seq"] for t in store.turns("s3")] == list(range(1, 26))


def test_concurrent_writers_of_one_session_number_turns_without_gaps(store, new_store):
    start(store, "s1")
    other = new_store()  # a second process, e.g. a restarted server replaying the same events

    def write(target, name):
        def run():
            for i in range(25):
                target.add_turn("s1", f"shared-{i}", "user", f"Text {i}", T0)  # same event: once
                target.add_turn("s1", f"{name}-{i}", "bot", f"Antwort {i}", T0)
        return run

    writers = [write(store, "a"), write(other, "b"), write(store, "c"), write(other, "d")]
    assert run_threads(writers) == []
    turns = store.turns("s1")
    assert len(turns) == 25 + 4 * 25 and len({t["event_key"] for t in turns}) == len(turns)
    assert [t["seq"] for t in turns] == list(range(1, len(turns) + 1))


def test_upgrade_keeps_existing_data(new_store):
    store = new_store()
    store.migrate("0001")
    sessions = sa.table("coach_sessions", sa.column("id"), sa.column("sender_hash"),
                        sa.column("channel"), sa.column("mode"), sa.column("started_at", sa.DateTime))
    turns = sa.table("coach_turns", sa.column("session_id"), sa.column("seq"), sa.column("event_key"),
                     sa.column("role"), sa.column("text"), sa.column("at", sa.DateTime))
    naive_t0 = T0.replace(tzinfo=None)
    with store.engine.begin() as connection:  # written as revision 0001 knew it, not by the models
        connection.execute(sa.insert(sessions), [{"id": "old", "sender_hash": "h", "channel": "rest",
                                                  "mode": "coaching", "started_at": naive_t0}])
        connection.execute(sa.insert(turns), [{"session_id": "old", "seq": 1, "event_key": "e1",
                                               "role": "user", "text": "Keine Zeit", "at": naive_t0}])
    store.migrate()
    [session] = store.sessions()
    assert (session["id"], session["started_at"], session["turns"]) == ("old", T0, 1)
    assert store.turns("old")[0]["text"] == "Keine Zeit"
    assert store.add_turn("old", "e2", "bot", "Verstehe.", T0)
    assert [t["seq"] for t in store.turns("old")] == [1, 2]


def test_database_url_resolves_relative_sqlite_paths_from_the_project(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///coach.db")
    assert database_url() == f"sqlite:///{ROOT / 'coach.db'}"
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    assert database_url() == POSTGRES_URL


def test_a_turn_and_its_session_fields_are_one_write(store):
    start(store, "s1")
    later = T0 + timedelta(minutes=5)
    assert store.add_turn("s1", "u1", "user", "Hallo", later, session_fields={"ended_at": later, "channel": "rest"})
    session = store.sessions()[0]
    assert session["ended_at"] == later and session["channel"] == "rest"
    # a replayed turn adds no turn, and its fields still hold
    assert not store.add_turn("s1", "u1", "user", "Hallo", later, session_fields={"ended_at": later})
    assert len(store.turns("s1")) == 1
    with pytest.raises(ValueError):
        store.add_turn("s1", "u2", "user", "x", later, session_fields={"sender_hash": "x"})
    assert len(store.turns("s1")) == 1


def test_practice_rounds_written_one_at_a_time_keep_the_others(store):
    start(store, "s1")

    def round_(number, score):
        return {"attempt": 1, "round": number, "excuse_id": "excuse_no_time", "score": score, "covered": ["a"]}

    store.set_practice_rounds("s1", [round_(1, 2), round_(2, 1)])
    store.set_practice_rounds("s1", [round_(2, 3), round_(3, 0)], complete=False)  # one changed, one new
    rounds = store.sessions()[0]["practice_rounds"]
    assert [(r["round"], r["score"]) for r in rounds] == [(1, 2), (2, 3), (3, 0)]
    store.set_practice_rounds("s1", [], complete=False)  # nothing to write
    store.set_practice_rounds("s1", [round_(1, 2)])  # complete: the others go
    assert [r["round"] for r in store.sessions()[0]["practice_rounds"]] == [1]
