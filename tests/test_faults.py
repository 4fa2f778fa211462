"""End to end: faults with real servers — the action server down, a custom action that raises.
The user always gets the German apology, the conversation goes on afterwards, and no log line
or error response contains what the user typed."""
import sys
import uuid
from pathlib import Path

import pytest
import requests

from coach.knowledge_base import load
from services import ensure_port_free, wait_until_up
from tests.servers import ports, running_coach, say

pytestmark = [pytest.mark.e2e, pytest.mark.system]

APOLOGY = "Entschuldigung, da ist bei mir gerade etwas schiefgelaufen."
GREETING = "Ausreden-Coach"
NO_TIME_ARGUMENT = load().excuse("excuse_no_time").arguments[0].text


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    with running_coach(tmp_path_factory.mktemp("faults"), ports("faults")) as services:
        yield services


def start_faulty_actions(coach, faulty: str) -> None:
    """The action server with `faulty` actions raising (tests/faulty_action_server.py)."""
    ensure_port_free(coach.env["ACTION_HOST"], coach.env["ACTION_PORT"], "action server")
    process = coach._spawn("action-server", [
        sys.executable, "-m", "tests.faulty_action_server", "--actions", "actions",
        "--port", coach.env["ACTION_PORT"], "--faulty", faulty], env={"SANIC_HOST": coach.env["ACTION_HOST"]})
    wait_until_up(f"{coach.action_url}/health", process, "Faulty action server", 60)


def logs_containing(coach, secret: str):
    return [path.name for path in Path(coach.log_dir).glob("*.log")
            if secret in path.read_text(encoding="utf-8", errors="replace")]


def test_action_server_down_gets_apology_and_conversation_resumes(coach):
    sender = f"fault-{uuid.uuid4().hex}"
    assert GREETING in say(coach, sender, "Hallo")
    coach.stop_one("action-server")
    try:
        secret = f"Geheimprojekt-{uuid.uuid4().hex[:8]}"
        answer = say(coach, sender, f"Ich habe keine Zeit für LinkedIn wegen {secret}")
        assert answer.startswith(APOLOGY)
        assert say(coach, sender, "Hallo").startswith(APOLOGY)
    finally:
        coach.start_actions()
    assert GREETING in say(coach, sender, "Hallo")
    assert NO_TIME_ARGUMENT in say(coach, sender, "Ich habe einfach keine Zeit für LinkedIn")
    assert logs_containing(coach, secret) == []


def test_raising_action_gets_apology_and_leaks_no_user_text(coach):
    sender = f"fault-{uuid.uuid4().hex}"
    coach.stop_one("action-server")
    try:
        start_faulty_actions(coach, "action_coach_excuse")
        assert GREETING in say(coach, sender, "Hallo")
        secret = f"Geheimprojekt-{uuid.uuid4().hex[:8]}"
        assert say(coach, sender, f"Ich habe keine Zeit für LinkedIn, {secret}").startswith(APOLOGY)
        # What the action server answers Rasa: no tracker, no user text.
        response = requests.post(f"{coach.action_url}/webhook", timeout=30, json={
            "next_action": "action_coach_excuse", "version": "3.6.2", "domain": {},
            "tracker": {"sender_id": sender, "slots": {}, "events": [], "paused": False,
                        "latest_message": {"text": secret, "intent": {"name": "excuse_no_time"}},
                        "latest_event_time": None, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen"}})
        assert response.status_code == 200 and secret not in response.text
        assert GREETING in say(coach, sender, "Hallo")  # other actions still work
    finally:
        coach.stop_one("action-server")
        coach.start_actions()
    assert NO_TIME_ARGUMENT in say(coach, sender, "Ich habe einfach keine Zeit für LinkedIn")
    log_text = (Path(coach.log_dir) / "action-server.log").read_text(encoding="utf-8")
    assert "Action 'action_coach_excuse' failed: RuntimeError" in log_text
    assert logs_containing(coach, secret) == []
