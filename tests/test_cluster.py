"""Scale-out, end to end (issue 8): two Rasa servers and two action servers behind nginx, the
conversations and the session log in PostgreSQL, the conversation locks in Redis
(scripts/cluster.py). Each conversation's messages go alternately to both Rasa servers; one is
killed mid-test, while it processes a message. Runs only with `make test-cluster` (marker `cluster`; ~1.5 minutes here)."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import List, Tuple

import pytest
import redis
import requests
import socketio
import sqlalchemy as sa

from coach.knowledge_base import load
from core.session_store import SessionStore
from core.pseudonym import pseudonym
from cluster import Cluster
from services import MODEL_PATH, ROOT
from tests.conftest import fresh_postgres_database

pytestmark = pytest.mark.cluster
KB = load()

# Ports of their own (a running `make run-cluster` or `make bench` uses 16005–16090).
PORTS = {
    "CLUSTER_RASA_PORTS": os.environ.get("TEST_CLUSTER_RASA_PORTS", "16105,16106"),
    "CLUSTER_ACTION_PORTS": os.environ.get("TEST_CLUSTER_ACTION_PORTS", "16155,16156"),
    "CLUSTER_PORT": os.environ.get("TEST_CLUSTER_PORT", "16180"),
    "CLUSTER_ACTION_PORT": os.environ.get("TEST_CLUSTER_ACTION_PORT", "16181"),
    "CLUSTER_WEB_PORT": os.environ.get("TEST_CLUSTER_WEB_PORT", "16190"),
    "LOCK_STORE_KEY_PREFIX": "coachclustertest",
}
CONVERSATIONS = 20
AT_ONCE = 8
KILL_CONVERSATIONS = 6
TURNS_BEFORE_KILL = 5
# The next message of a conversation whose server died mid-message (issue 20: stock Rasa held
# it for the 60 s of the dead server's lock ticket).
ANSWER_AFTER_DEATH_SECONDS = 5

# How executives put each excuse (from the training data; each one recognised as its excuse).
EXCUSE_MESSAGES = {
    "excuse_cannot_write": "Ich tu mich schwer mit dem Formulieren.",
    "excuse_customers_not_there": "Unsere Kunden sind nicht auf Social Media",
    "excuse_data_privacy": "Und was ist mit dem Datenschutz?",
    "excuse_delegate_to_juniors": "Social Media macht bei uns das Marketing.",
    "excuse_dislike_social_media": "Ich bin privat nicht auf Facebook, also braucht die Firma das auch nicht",
    "excuse_distrust_employees": "Was, wenn meine Leute irgendwas Falsches über die Firma schreiben?",
    "excuse_employees_unwilling": "Die Leute haben keine Lust, für die Firma zu posten.",
    "excuse_employees_waste_time": "Wenn ich Social Media erlaube, daddeln meine Leute den ganzen Tag auf Instagram.",
    "excuse_fear_of_mistakes": "Was, wenn wir einen Shitstorm abkriegen?",
    "excuse_just_hype": "Das ist doch nur ein Hype",
    "excuse_no_expertise": "Ich weiß gar nicht, wie LinkedIn funktioniert.",
    "excuse_no_ideas": "Was soll ich da erzählen, wir bauen Getriebe, das gibt keine Geschichten her.",
    "excuse_no_opinion_wanted": "Wen interessiert denn, was ich denke?",
    "excuse_no_resources": "Eine Agentur können wir uns als kleiner Betrieb nicht leisten.",
    "excuse_no_roi": "Was kommt denn da unterm Strich raus?",
    "excuse_no_time": "Ich hab schlicht keine Zeit für LinkedIn.",
    "excuse_not_my_style": "Dieses ständige Sich-selbst-Feiern auf LinkedIn liegt mir einfach nicht",
    "excuse_already_have_profile": "Wir haben doch längst eine Firmenseite, das reicht völlig.",
    "excuse_too_old": "In meinem Alter fange ich mit so was nicht mehr an.",
    "excuse_on_xing": "Wir sind seit Jahren auf XING, ein zweites Netzwerk brauchen wir nicht.",
    "excuse_tidy_up_first": "Erst müssen wir intern aufräumen, dann kommt Social Media.",
}


def script(excuse_id: str) -> List[Tuple[str, List[str], List[str]]]:
    """Ten turns: (message, texts the answer must contain, texts it must not contain). Turns 3–4
    need the arguments shown before (no repeats), turn 6 the phase, turn 9 every coaching slot."""
    excuse = KB.excuse(excuse_id)
    arguments = [a.text for a in excuse.arguments]
    step = excuse.first_steps[1].rstrip(".")
    return [
        ("Hallo", ["Ausreden-Coach"], []),
        (EXCUSE_MESSAGES[excuse_id], [arguments[0]], ["mehrere Gründe"]),  # exactly this excuse
        ("Ja, aber das überzeugt mich nicht", [arguments[1]], [arguments[0]]),
        ("Trotzdem skeptisch", [arguments[2]], arguments[:2]),
        ("ok, das leuchtet ein", [excuse.first_steps[0]], arguments[:3]),
        ("Schritt 2 mache ich bis Freitag", [f"„{step}“ – bis Freitag"], []),
        ("Danke", [], []),
        ("Hilfe", [], []),
        ("Tschüss", [f"„{excuse.title}“ (überzeugt)", step], []),
        ("4", ["4 von 5"], []),
    ]


@dataclass
class Conversation:
    excuse_id: str
    sender: str = field(default_factory=lambda: f"cluster-{uuid.uuid4().hex}")
    bot_messages: int = 0
    turns_done: int = 0
    problems: List[str] = field(default_factory=list)
    served_by: Counter = field(default_factory=Counter)

    def run(self, turns: range, route) -> "Conversation":
        """Sends `turns` of the script, each to the URL `route(turn)` chooses."""
        session = requests.Session()
        steps = script(self.excuse_id)
        for turn in turns:
            text, expected, unexpected = steps[turn]
            url = route(turn)
            try:
                response = session.post(f"{url}/webhooks/rest/webhook",
                                        json={"sender": self.sender, "message": text}, timeout=60)
            except requests.RequestException as error:
                self.problems.append(f"turn {turn + 1} via {url}: {type(error).__name__}")
                return self
            self.served_by[url] += 1
            self.turns_done += 1
            if response.status_code != 200 or not response.json():
                self.problems.append(f"turn {turn + 1} via {url}: HTTP {response.status_code} {response.text[:80]!r}")
                continue
            messages = response.json()
            self.bot_messages += len(messages)
            answer = "\n".join(m.get("text") or "" for m in messages)
            if any(m.get("recipient_id") != self.sender for m in messages):
                self.problems.append(f"turn {turn + 1}: answer addressed to another sender")
            self.problems += [f"turn {turn + 1} via {url}: missing {e[:50]!r}" for e in expected if e not in answer]
            self.problems += [f"turn {turn + 1} via {url}: repeated {u[:50]!r}" for u in unexpected if u in answer]
        return self


def in_parallel(conversations: List[Conversation], turns: range, route_for) -> None:
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        list(pool.map(lambda c: c[1].run(turns, route_for(c[0])), enumerate(conversations)))
    assert [f"{c.excuse_id}: {p}" for c in conversations for p in c.problems] == []


def report_sessions(cluster: Cluster) -> list:
    result = subprocess.run(
        [sys.executable, "-m", "core.report", "--format", "json", "--database-url", cluster.database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)["sessions"]


def assert_logged_completely(cluster: Cluster, conversations: List[Conversation]) -> None:
    """Per conversation: one session with every turn once, in order; the coaching facts right;
    in the tracker store exactly the ten user messages (none processed twice)."""
    secret = cluster.env["SENDER_HASH_SECRET"]
    store = SessionStore(cluster.database_url)
    engine = sa.create_engine(cluster.database_url, future=True)
    try:
        sessions = {}
        for session in store.sessions():
            assert session["sender_hash"] not in sessions, "two sessions for one conversation"
            sessions[session["sender_hash"]] = session
        with engine.connect() as connection:
            for conversation in conversations:
                key = pseudonym(conversation.sender, secret)
                session = sessions[key]
                texts = [text for text, _, _ in script(conversation.excuse_id)]
                assert session["turns"] == len(texts) + conversation.bot_messages
                user_turns = [t["text"] for t in store.turns(session["id"]) if t["role"] == "user"]
                assert user_turns == texts
                assert session["excuses"] == [conversation.excuse_id]
                assert session["rating"] == 4
                assert [(c["excuse_id"], c["step_number"]) for c in session["commitments"]] == [
                    (conversation.excuse_id, 2)]
                shown, outcome = connection.execute(sa.text(
                    "SELECT arguments_shown, outcome FROM coach_excuses WHERE session_id = :s"),
                    {"s": session["id"]}).one()
                assert (sorted(shown), outcome) == ([0, 1, 2], "convinced")
                user_events = connection.execute(sa.text(
                    "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                    {"s": key}).scalars().all()
                assert [json.loads(e)["text"] for e in user_events] == texts
    finally:
        store.dispose()
        engine.dispose()


def hold_actions(cluster: Cluster, pause: bool) -> None:
    """Stops (SIGSTOP) or resumes the action servers: a message that calls an action stays in
    its Rasa server, holding the conversation's lock, until they resume."""
    for services in cluster.instances:
        os.killpg(services.processes["action-server"].pid, signal.SIGCONT if not pause else signal.SIGSTOP)


def start_message_and_wait_for_its_lock(cluster: Cluster, url: str, sender: str, text: str) -> threading.Thread:
    """Sends `text` to `url` in the background and returns once the conversation's lock ticket
    is in Redis (the server is processing it; the action servers are held, so it stays there)."""
    env = cluster.env
    client = redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=int(env["REDIS_DB"]),
                         password=env["REDIS_PASSWORD"] or None)
    key = f"{env['LOCK_STORE_KEY_PREFIX']}:lock:{sender}"

    def send():
        try:
            requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        except requests.RequestException:
            pass  # its server is killed while it waits

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    try:
        while not client.exists(key):
            assert time.monotonic() < deadline, "the message never took the conversation's lock"
            time.sleep(0.05)
        time.sleep(0.5)  # now it waits for the action server
        assert client.exists(key), "the message was done although the action servers are held"
    finally:
        client.close()
    return thread


def nginx_upstreams(cluster: Cluster) -> Counter:
    """Which Rasa server nginx passed each REST message to (its access log)."""
    log = (cluster.log_dir / "nginx-access.log").read_text(encoding="utf-8")
    return Counter(re.findall(r'"POST /webhooks/rest/webhook [^"]*" 200 upstream="([^"]+)"', log))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    with fresh_postgres_database("coach_cluster_test") as database_url:
        started = time.monotonic()
        with Cluster({**PORTS, "DATABASE_URL": database_url},
                     log_dir=tmp_path_factory.mktemp("cluster") / "logs") as running:
            print(f"cluster up in {time.monotonic() - started:.0f} s")
            yield running


def test_twenty_conversations_alternating_between_two_servers_stay_consistent(cluster):
    excuses = sorted(KB.excuses)
    conversations = [Conversation(excuses[i % len(excuses)]) for i in range(CONVERSATIONS)]
    first, second = cluster.rasa_urls

    def route_for(number):
        # Turn by turn to the other server; every fifth conversation sends half its turns
        # through nginx instead, the other half alternately to both servers.
        def route(turn):
            if number % 5 == 4:
                return cluster.url if turn % 2 == 0 else (first, second)[(turn // 2) % 2]
            return (first, second)[(number + turn) % 2]
        return route

    started = time.monotonic()
    in_parallel(conversations, range(10), route_for)
    print(f"{CONVERSATIONS * 10} turns in {time.monotonic() - started:.1f} s")

    for conversation in conversations:
        assert conversation.served_by[first] >= 2 and conversation.served_by[second] >= 2
    assert set(nginx_upstreams(cluster)) == {u.replace("http://", "") for u in cluster.rasa_urls}
    sessions = report_sessions(cluster)
    assert len(sessions) == CONVERSATIONS
    assert sorted(s["turns"] for s in sessions) == sorted(10 + c.bot_messages for c in conversations)
    assert_logged_completely(cluster, conversations)


def test_chat_page_talks_socketio_through_nginx(cluster):
    config = requests.get(f"{cluster.web.web_url}/config.json", timeout=10).json()
    assert config == {"socketUrl": cluster.url}

    answers, confirmed = [], threading.Event()
    client = socketio.Client()
    client.on("session_confirm", lambda _: confirmed.set())
    client.on("bot_uttered", answers.append)
    # Long-polling: every request of the socket must reach the same Rasa server (ip_hash).
    client.connect(cluster.url, headers={"Origin": cluster.web.web_url}, transports=["polling"])
    try:
        client.emit("session_request", {"session_id": None})
        assert confirmed.wait(15), "no session_confirm through nginx"
        for text, expected in (("Hallo", "Ausreden-Coach"),
                               (EXCUSE_MESSAGES["excuse_no_time"], KB.excuse("excuse_no_time").arguments[0].text)):
            answers.clear()
            client.emit("user_uttered", {"message": text})
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(expected in (a.get("text") or "") for a in answers):
                time.sleep(0.2)
            assert any(expected in (a.get("text") or "") for a in answers), f"no answer to {text!r}"
    finally:
        client.disconnect()


def test_killing_one_server_loses_no_conversation(cluster):
    excuses = sorted(KB.excuses)
    conversations = [Conversation(excuses[(i * 3) % len(excuses)]) for i in range(KILL_CONVERSATIONS)]
    first, second = cluster.rasa_urls
    sessions_before = len(report_sessions(cluster))
    in_parallel(conversations, range(TURNS_BEFORE_KILL),
                lambda number: lambda turn: (first, second)[(number + turn) % 2])

    # One more conversation is mid-message on the server that dies: its lock ticket stays in
    # Redis with no server left to finish it.
    stalled = Conversation("excuse_no_time").run(range(1), lambda turn: second)
    hold_actions(cluster, pause=True)
    try:
        in_flight = start_message_and_wait_for_its_lock(cluster, second, stalled.sender,
                                                        script(stalled.excuse_id)[1][0])
        cluster.kill_rasa(1)  # SIGKILL, mid-conversation for all of them, mid-message for one
    finally:
        hold_actions(cluster, pause=False)
    in_flight.join(timeout=60)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{second}/webhooks/rest/webhook", json={"sender": "x", "message": "Hallo"}, timeout=10)

    # Its next message (the one that died, sent again) is answered on the surviving server
    # without waiting out the dead server's ticket.
    started = time.monotonic()
    stalled.run(range(1, 2), lambda turn: first)
    answered_after = time.monotonic() - started
    assert stalled.problems == []
    assert answered_after < ANSWER_AFTER_DEATH_SECONDS, f"answered after {answered_after:.1f} s"

    # The rest goes alternately to the surviving server and through nginx, which has to skip
    # the dead one.
    upstreams_before = nginx_upstreams(cluster)
    in_parallel(conversations, range(TURNS_BEFORE_KILL, 10),
                lambda number: lambda turn: (first, cluster.url)[(number + turn) % 2])

    assert all(c.turns_done == 10 for c in conversations)
    after_kill = nginx_upstreams(cluster) - upstreams_before
    assert sum(after_kill.values()) >= KILL_CONVERSATIONS * 2
    assert set(after_kill) <= {first.replace("http://", ""), f"{second.replace('http://', '')}, {first.replace('http://', '')}"}
    assert len(report_sessions(cluster)) == sessions_before + KILL_CONVERSATIONS + 1  # and the stalled one
    assert_logged_completely(cluster, conversations)
