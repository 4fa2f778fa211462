"""End to end: a scripted REST conversation lands in the session log exactly as it happened,
also across a restart of the Rasa server, on SQLite and on PostgreSQL."""
import json
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from coach.knowledge_base import load
from services import ROOT, Services
from tests.servers import messages, ports

pytestmark = [pytest.mark.e2e, pytest.mark.system]
KB = load()


def report(database_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "core.report", "--format", "json", "--database-url", database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)


def test_conversation_is_logged_turn_for_turn_across_restart(database_url, tmp_path):
    sender = f"e2e-log-{uuid.uuid4().hex}"
    services = Services({**ports("session-log"), "DATABASE_URL": database_url}, log_dir=tmp_path / "logs")
    bot_messages = 0
    script_before_restart = [
        "Hallo",
        "Ich habe einfach keine Zeit für LinkedIn",
        "Ja, aber das überzeugt mich nicht",
        "Na gut, das leuchtet ein",
    ]
    script_after_restart = [
        "Schritt 2 mache ich bis Freitag",
        "Und der Datenschutz ist bei uns ein großes Problem",
        "Tschüss",
        "4",
    ]
    with services:
        for text in script_before_restart:
            bot_messages += len(messages(services, sender, text))
        services.restart_rasa()
        for text in script_after_restart:
            bot_messages += len(messages(services, sender, text))

    sessions = [s for s in report(database_url)["sessions"]]
    assert len(sessions) == 1
    session = sessions[0]
    user_turns = len(script_before_restart) + len(script_after_restart)
    assert session["turns"] == user_turns + bot_messages
    assert session["excuses"] == ["excuse_no_time", "excuse_data_privacy"]
    assert session["rating"] == 4
    assert session["mode"] == "coaching"
    assert [c["step_text"] for c in session["commitments"]] == [KB.excuse("excuse_no_time").first_steps[1]]
    assert session["commitments"][0]["due_date"]
    assert sender not in json.dumps(session)  # pseudonymous

    engine = sa.create_engine(database_url, future=True)
    with engine.connect() as connection:
        outcomes = dict(connection.execute(sa.text(
            "SELECT excuse_id, outcome FROM coach_excuses WHERE session_id = :s"), {"s": session["id"]}).all())
        turns = connection.execute(sa.text(
            "SELECT role, text, intent FROM coach_turns WHERE session_id = :s ORDER BY seq"), {"s": session["id"]}).all()
        clear_ids = connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    engine.dispose()
    assert outcomes == {"excuse_no_time": "convinced", "excuse_data_privacy": "open"}
    user_texts = [t.text for t in turns if t.role == "user"]
    assert user_texts == script_before_restart + script_after_restart
    assert turns[1].role == "bot" and turns[1].text.startswith("Guten Tag")
    assert next(t.intent for t in turns if t.text == "Tschüss") == "goodbye"
    assert clear_ids == 0  # the tracker store keeps only the pseudonym too
