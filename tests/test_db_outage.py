"""End to end: the log database goes away (a TCP proxy in front of the real PostgreSQL is cut)
and comes back. Coaching goes on with its context, the readiness check and the log say so,
and afterwards every turn of that time is in the database exactly once."""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from coach.knowledge_base import load
from core.pseudonym import pseudonym
from services import ROOT
from tests.conftest import fresh_postgres_database
from tests.servers import messages, ports, running_coach, text_of
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.system]

KB = load()
NO_TIME = KB.excuse("excuse_no_time")
PRIVACY = KB.excuse("excuse_data_privacy")


@pytest.fixture
def proxied_database():
    """(URL through the proxy, direct URL, proxy) for a fresh PostgreSQL database."""
    if os.environ.get("SKIP_POSTGRES") == "1":
        pytest.skip("SKIP_POSTGRES=1")
    with fresh_postgres_database("coach_outage") as direct_url:
        direct = make_url(direct_url)
        proxy = TcpProxy((direct.host, direct.port or 5432))
        try:
            yield str(direct.set(port=proxy.port)), direct_url, proxy
        finally:
            proxy.close()


class Conversation:
    def __init__(self, coach):
        self.coach = coach
        self.sender = f"outage-{uuid.uuid4().hex}"
        self.user_texts = []
        self.bot_messages = 0

    def say(self, text: str) -> str:
        answer = messages(self.coach, self.sender, text)
        self.user_texts.append(text)
        self.bot_messages += len(answer)
        return text_of(answer)


def readiness(coach) -> requests.Response:
    return requests.get(f"{coach.rasa_url}/webhooks/health/ready", timeout=10)


def wait_until_ready(coach, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = readiness(coach)
        if response.status_code == 200:
            return response.json()
        time.sleep(0.5)
    pytest.fail(f"not ready {timeout:.0f} s after the database came back: {readiness(coach).text}")


def logged_sessions(direct_url: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "core.report", "--format", "json", "--database-url", direct_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return {tuple(s["excuses"]): s for s in json.loads(result.stdout)["sessions"]}


def stored_user_texts(direct_url: str, coach, conversation: Conversation):
    """User texts in the tracker store (Rasa's events) and in the session log, in order."""
    key = pseudonym(conversation.sender, coach.env["SENDER_HASH_SECRET"])
    engine = sa.create_engine(direct_url, future=True)
    try:
        with engine.connect() as connection:
            events = connection.execute(sa.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": key}).all()
            logged = connection.execute(sa.text(
                "SELECT t.text FROM coach_turns t JOIN coach_sessions s ON s.id = t.session_id "
                "WHERE s.sender_hash = :s AND t.role = 'user' ORDER BY t.seq"), {"s": key}).all()
    finally:
        engine.dispose()
    return [json.loads(e.data)["text"] for e in events], [row.text for row in logged]


def test_outage_mid_conversation_loses_no_turn_and_doubles_none(proxied_database, tmp_path):
    url, direct_url, proxy = proxied_database
    with running_coach(tmp_path, {**ports("outage"), "DATABASE_URL": url}) as coach:
        assert readiness(coach).status_code == 200
        first, second = Conversation(coach), Conversation(coach)
        first.say("Hallo")
        assert NO_TIME.arguments[0].text in first.say("Ich habe einfach keine Zeit für LinkedIn")

        proxy.cut()
        # The conversation goes on where it was (next argument, not a blank start) …
        assert NO_TIME.arguments[1].text in first.say("Ja, aber das überzeugt mich nicht")
        state = readiness(coach)
        assert state.status_code == 503
        assert state.json()["components"]["tracker store"]["database_reachable"] is False
        # … a new conversation starts normally …
        second.say("Guten Tag")
        assert PRIVACY.arguments[0].text in second.say("Datenschutz ist bei uns ein riesiges Thema")
        first.say("Na gut, das leuchtet ein")

        proxy.restore()
        wait_until_ready(coach)
        first.say("Tschüss")
        second.say("Danke, das hilft mir")
        log = (tmp_path / "logs" / "rasa-server.log").read_text(encoding="utf-8", errors="replace")

    assert "Database unreachable for the tracker store" in log
    assert "Database reachable again for the tracker store" in log
    sessions = logged_sessions(direct_url)
    assert set(sessions) == {("excuse_no_time",), ("excuse_data_privacy",)}
    for conversation, excuse in ((first, "excuse_no_time"), (second, "excuse_data_privacy")):
        session = sessions[(excuse,)]
        assert session["turns"] == len(conversation.user_texts) + conversation.bot_messages
        tracker_texts, log_texts = stored_user_texts(direct_url, coach, conversation)
        assert tracker_texts == conversation.user_texts  # each once, in order
        assert log_texts == conversation.user_texts


def test_start_without_database_creates_the_tables_once_it_is_back(proxied_database, tmp_path):
    url, direct_url, proxy = proxied_database
    proxy.cut()
    with running_coach(tmp_path, {**ports("outage"), "DATABASE_URL": url}) as coach:
        assert readiness(coach).status_code == 503
        conversation = Conversation(coach)
        conversation.say("Hallo")
        assert NO_TIME.arguments[0].text in conversation.say("Für Social Media fehlt mir echt die Zeit")
        proxy.restore()
        wait_until_ready(coach)
        conversation.say("Ja, aber das überzeugt mich nicht")

    session = logged_sessions(direct_url)[("excuse_no_time",)]
    assert session["turns"] == len(conversation.user_texts) + conversation.bot_messages
    tracker_texts, log_texts = stored_user_texts(direct_url, coach, conversation)
    assert tracker_texts == log_texts == conversation.user_texts
