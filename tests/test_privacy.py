"""End to end, against the real database: LOG_USER_TEXT=false, the retention purge
(`make purge DAYS=90`) and "Meine Daten löschen" in the chat."""
import os
import subprocess
import uuid

import pytest
import requests
import sqlalchemy as sa

from addons.pseudonym import pseudonym
from services import MODEL_PATH, ROOT, Services

pytestmark = pytest.mark.e2e

PORTS = {"RASA_PORT": os.environ.get("TEST_PRIVACY_RASA_PORT", "15505"),
         "ACTION_PORT": os.environ.get("TEST_PRIVACY_ACTION_PORT", "15555"),
         "WEB_PORT": os.environ.get("TEST_PRIVACY_WEB_PORT", "15580")}
DAY = 24 * 3600


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    folder = tmp_path_factory.mktemp("privacy")
    env = {**PORTS, "DATABASE_URL": f"sqlite:///{folder / 'coach.db'}", "LOG_USER_TEXT": "false"}
    with Services(env, log_dir=folder / "logs") as services:
        services.db = sa.create_engine(env["DATABASE_URL"], future=True)
        yield services
        services.db.dispose()


def say(coach, sender: str, text: str) -> str:
    response = requests.post(f"{coach.rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return "\n".join(m.get("text") or "" for m in response.json())


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
    assert answer.startswith("Erledigt: Ich habe Ihr Gespräch") and "1 Sitzung" in answer
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
    with coach.db.begin() as connection:
        connection.execute(sa.text(
            "UPDATE coach_sessions SET started_at = datetime(started_at, '-100 days'), "
            "ended_at = datetime(ended_at, '-100 days') WHERE sender_hash = :k"), {"k": key})
        connection.execute(sa.text("UPDATE events SET timestamp = timestamp - :d WHERE sender_id = :k"),
                           {"k": key, "d": 100 * DAY})
    result = subprocess.run(["make", "-s", "purge", "DAYS=90", f"DATABASE_URL={coach.env['DATABASE_URL']}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 session(s)" in result.stdout
    assert counts(coach, old) == (0, 0, 0)
    assert counts(coach, recent)[0] == 1 and counts(coach, recent)[2] > 0
