"""End to end: what the servers let others do. The HTTP API is off unless a token is set and
then needs it; socket.io session ids are issued by the server and a client presenting another
user's id gets nothing of theirs; the action server listens on loopback only."""
import re
import time
import uuid

import pytest
import requests

from coach.knowledge_base import load
from tests.socket_chat import SocketChat

pytestmark = [pytest.mark.e2e, pytest.mark.system]

NO_TIME = load().excuse("excuse_no_time")
API_PATHS = ["/status", "/conversations/someone/tracker", "/version"]


def test_http_api_is_off_by_default(coach):
    assert requests.get(f"{coach.rasa_url}/", timeout=10).status_code == 200  # liveness only
    for path in ["/status", "/conversations/someone/tracker"]:
        assert requests.get(f"{coach.rasa_url}{path}", timeout=10).status_code == 404, path
    parse = requests.post(f"{coach.rasa_url}/model/parse", json={"text": "Hallo"}, timeout=10)
    assert parse.status_code == 404


def test_session_ids_are_issued_by_the_server(coach):
    chats = [SocketChat(coach), SocketChat(coach, session_id="alice"), SocketChat(coach, session_id=uuid.uuid4().hex)]
    try:
        ids = [chat.session_id for chat in chats]
        assert all(re.fullmatch(r"[0-9a-f]{64}", i) for i in ids) and len(set(ids)) == 3
        assert "alice" not in ids
    finally:
        for chat in chats:
            chat.close()


def test_presenting_another_users_session_id_gets_nothing_of_theirs(coach):
    victim = SocketChat(coach)
    intruder = None
    try:
        assert NO_TIME.arguments[0].text in victim.say("Ich habe einfach keine Zeit für LinkedIn")
        intruder = SocketChat(coach, session_id=victim.session_id)
        assert intruder.session_id != victim.session_id
        # The victim's next answer reaches the victim only …
        assert NO_TIME.arguments[1].text in victim.say("Ja, aber das überzeugt mich nicht")
        assert intruder.answers == []
        # … and a message naming the victim's id lands in the intruder's own, new conversation.
        victim.answers = []
        answer = intruder.say("Ja, aber das überzeugt mich nicht", session_id=victim.session_id)
        assert answer and NO_TIME.arguments[2].text not in answer
        assert victim.collect(wait=2) == ""
        # The victim's conversation is where it was: the third argument comes next.
        assert NO_TIME.arguments[2].text in victim.say("Trotzdem skeptisch")
        # A forged id (the victim's random part with another signature) is not accepted either.
        forged = SocketChat(coach, session_id=victim.session_id[:32] + "0" * 32)
        assert forged.session_id not in (victim.session_id, victim.session_id[:32] + "0" * 32)
        forged.close()
    finally:
        victim.close()
        if intruder:
            intruder.close()


def test_reload_gets_its_own_session_back(coach):
    first = SocketChat(coach)
    assert NO_TIME.arguments[0].text in first.say("Keine Zeit für Social Media")
    session_id = first.session_id
    first.close()
    time.sleep(0.5)
    reloaded = SocketChat(coach, session_id=session_id)
    try:
        assert reloaded.session_id == session_id
        assert NO_TIME.arguments[1].text in reloaded.say("Ja, aber das überzeugt mich nicht")
    finally:
        reloaded.close()


def listening_addresses(port: int):
    """Local addresses with a listening TCP socket on the port (Linux /proc/net/tcp, tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.rsplit(":", 1)
                if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                    found.append(address)
    return found


def test_action_server_listens_on_loopback_only(coach):
    addresses = listening_addresses(int(coach.env["ACTION_PORT"]))
    assert addresses and all(a == "0100007F" for a in addresses), addresses  # 127.0.0.1


def test_http_api_needs_the_token_when_switched_on(coach):
    token = uuid.uuid4().hex
    coach.env["RASA_API_TOKEN"] = token
    try:
        coach.restart_rasa()
        for path in API_PATHS[:2]:
            assert requests.get(f"{coach.rasa_url}{path}", timeout=10).status_code == 401, path
            assert requests.get(f"{coach.rasa_url}{path}", params={"token": "wrong"}, timeout=10).status_code == 401
            assert requests.get(f"{coach.rasa_url}{path}", params={"token": token}, timeout=10).status_code == 200
    finally:
        coach.env["RASA_API_TOKEN"] = ""
        coach.restart_rasa()
