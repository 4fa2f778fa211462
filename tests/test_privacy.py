"""End to end, against the real database: LOG_USER_TEXT=false, the retention purge
(`make purge DAYS=90`) and "Meine Daten löschen" in the chat, which the Rasa server carries
out: the action server gets no database here."""
import os
import subprocess
import uuid
from contextlib import ExitStack
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from coach.knowledge_base import load
from core.log_schema import SessionRow
from core.pseudonym import pseudonym
from services import MODEL_PATH, ROOT, Services, rasa, wait_until_up
from tests.conftest import fresh_postgres_database
from tests.servers import ports, say

pytestmark = [pytest.mark.e2e, pytest.mark.system]

DAY = 24 * 3600
NO_TIME_ARGUMENT = load().excuse("excuse_no_time").arguments[0].text


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def coach(request, tmp_path_factory):
    """The servers with LOG_USER_TEXT=false, on SQLite and on the PostgreSQL server of this machine."""
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    folder = tmp_path_factory.mktemp(f"privacy-{request.param}")
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'coach.db'}"
        elif os.environ.get("SKIP_POSTGRES") == "1":
            pytest.skip("SKIP_POSTGRES=1")
        else:
            url = stack.enter_context(fresh_postgres_database("coach_privacy"))
        env = {**ports("privacy"), "DATABASE_URL": url, "LOG_USER_TEXT": "false"}
        services = stack.enter_context(Services(env, log_dir=folder / "logs"))
        # The action server without a usable database: deleting must not need one.
        services.stop_one("action-server")
        process = services._spawn("action-server", rasa("run", "actions", "--actions", "actions", "--port",
                                                         services.env["ACTION_PORT"]),
                                  env={"SANIC_HOST": services.env["ACTION_HOST"],
                                       "DATABASE_URL": f"sqlite:///{folder / 'missing' / 'none.db'}"})
        wait_until_up(f"{services.action_url}/health", process, "Action server", 60)
        services.db = sa.create_engine(url, future=True)
        stack.callback(services.db.dispose)
        yield services


def rows(coach, sql: str, **values):
    with coach.db.connect() as connection:
        return connection.execute(sa.text(sql), values).all()


def counts(coach, sender: str):
    key = pseudonym(sender, coach.env["SENDER_HASH_SECRET"])
    sessions = rows(coach, "SELECT id FROM coach_sessions WHERE sender_hash = :k", k=key)
    turns = rows(coach, "SELECT count(*) FROM coach_turns t JOIN coach_sessions s ON s.id = t.session_id "
                        "WHERE s.sender_hash = :k", k=key)[0][0]
    events = rows(coach, "SELECT count(*) FROM events WHERE sender_id = :k", k=key)[0][0]
    return len(sessions), turns, events


def converse(coach, sender: str) -> None:
    say(coach, sender, "Hallo")
    say(coach, sender, "Ich habe keine Zeit für LinkedIn, Firma Müller GmbH")
    say(coach, sender, "ok, das leuchtet ein")


def test_without_user_text_the_log_keeps_intents_and_outcomes(coach):
    sender = f"privacy-{uuid.uuid4().hex}"
    converse(coach, sender)
    key = pseudonym(sender, coach.env["SENDER_HASH_SECRET"])
    (session_id,), = rows(coach, "SELECT id FROM coach_sessions WHERE sender_hash = :k", k=key)
    user_turns = rows(coach, "SELECT text, intent FROM coach_turns WHERE session_id = :s AND role = 'user' "
                             "ORDER BY seq", s=session_id)
    assert [t.text for t in user_turns] == [None, None, None]
    assert [t.intent for t in user_turns][:2] == ["greet", "excuse_no_time"] and user_turns[2].intent
    assert rows(coach, "SELECT excuse_id, outcome FROM coach_excuses WHERE session_id = :s", s=session_id) \
        == [("excuse_no_time", "convinced")]
    everything = rows(coach, "SELECT * FROM coach_turns WHERE session_id = :s", s=session_id)
    assert "Müller" not in repr(everything)


def test_delete_my_data_in_the_chat_removes_log_and_tracker_rows(coach):
    sender, bystander = f"privacy-{uuid.uuid4().hex}", f"privacy-{uuid.uuid4().hex}"
    converse(coach, sender)
    converse(coach, bystander)
    assert counts(coach, sender)[0] == 1 and counts(coach, sender)[2] > 0
    answer = say(coach, sender, "Können Sie bitte alles löschen, was Sie über mich gespeichert haben?")
    assert answer.startswith("Erledigt: Ich habe Ihr Gespräch")
    assert counts(coach, sender) == (0, 0, 0)
    assert counts(coach, bystander)[0] == 1 and counts(coach, bystander)[2] > 0
    # The conversation starts afresh and is logged again.
    assert "Ausreden-Coach" in say(coach, sender, "Hallo")
    assert counts(coach, sender)[0] == 1


def test_purge_deletes_sessions_older_than_the_retention_period(coach):
    old, recent = f"privacy-{uuid.uuid4().hex}", f"privacy-{uuid.uuid4().hex}"
    converse(coach, old)
    converse(coach, recent)
    # Age the old user's conversation by 100 days in both stores.
    key = pseudonym(old, coach.env["SENDER_HASH_SECRET"])
    with Session(coach.db) as session:
        for row in session.scalars(sa.select(SessionRow).where(SessionRow.sender_hash == key)):
            row.started_at -= timedelta(days=100)
            row.ended_at -= timedelta(days=100)
        session.execute(sa.text("UPDATE events SET timestamp = timestamp - :d WHERE sender_id = :k"),
                        {"k": key, "d": 100 * DAY})
        session.commit()
    result = subprocess.run(["make", "-s", "purge", "DAYS=90", f"DATABASE_URL={coach.env['DATABASE_URL']}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 session(s)" in result.stdout
    assert counts(coach, old) == (0, 0, 0)
    assert counts(coach, recent)[0] == 1 and counts(coach, recent)[2] > 0


def test_delete_my_data_during_the_practice_ends_it_and_deletes(coach):
    sender = f"privacy-{uuid.uuid4().hex}"
    say(coach, sender, "Übungsmodus starten")
    say(coach, sender, "ohne Code")
    say(coach, sender, "/excuse_no_time")
    say(coach, sender, "Zwei feste Zeitfenster pro Woche reichen, Ihr Netzwerk bringt neue Kunden.")
    assert counts(coach, sender)[0] == 1
    answer = say(coach, sender, "Meine Daten löschen")
    assert answer.startswith("Erledigt: Ich habe Ihr Gespräch")
    assert counts(coach, sender) == (0, 0, 0)
    # Afterwards a new conversation, not the practice: the excuse gets coached.
    assert NO_TIME_ARGUMENT in say(coach, sender, "Ich habe keine Zeit für LinkedIn")
