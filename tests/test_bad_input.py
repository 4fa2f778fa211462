"""End to end: malformed and hostile input over REST and socket.io (addons/rest_channel.py,
addons/message_limits.py). Every case gets a German answer or a clear 4xx — never a 5xx or a
hang — and the next normal message of the same conversation is answered as usual."""
import re
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from core.pseudonym import pseudonym
from tests.servers import body, say, webhook
from tests.socket_chat import SocketChat

pytestmark = pytest.mark.e2e

TIMEOUT = 30  # seconds; a request that takes longer counts as hung
GREETING = "Ausreden-Coach"
HINT = "Ihre Nachricht war sehr lang – ich habe die ersten 2\u00a0000 Zeichen gelesen."
GERMAN = re.compile(r"\b(Sie|Ihre?|ich|und|nicht|Das|LinkedIn)\b")
JSON_TYPE = {"Content-Type": "application/json"}


def post(coach, data: bytes, headers=None) -> requests.Response:
    return requests.post(webhook(coach), data=data, headers=headers if headers is not None else JSON_TYPE,
                         timeout=TIMEOUT)


# Messages that are valid requests: each must get a German answer.
TEXTS = {
    "empty": "",
    "whitespace only": " \t\n  ",
    "100 000 characters": "Ich habe keine Zeit. " * 4762,
    "one word 100 000 times": "a" * 100_000,
    "only emoji": "😀🙈🚀🔥👍",
    "emoji flood": "🙈" * 5000,
    "control characters": "\x00\x01\x07\x1b[31mKeine Zeit\x7f",
    "only control characters": "\x00\x01\x02\x03\x1b",
    "zero-width characters": "Keine\u200b Zeit\u200d für\ufeff LinkedIn\u2060",
    "bidi override": "\u202eKeine Zeit\u202c",
    "right-to-left Arabic": "ليس لدي وقت للينكدإن",
    "right-to-left Hebrew": "אין לי זמן ללינקדאין",
    "html": "<b>Keine Zeit</b><br><img src=x onerror=alert(1)>",
    "script tag": "<script>alert('xss')</script>",
    "sql injection": "'; DROP TABLE events; --",
    "sql injection or": "' OR '1'='1' --",
    "sql union": "1 UNION SELECT sender_id, data FROM events --",
    "markdown and links": "**Keine Zeit** für [LinkedIn](javascript:alert(1)) https://example.com",
    "intent payload injection": '/excuse_no_time{"step_number": "99999999999"}',
    "slash only": "/",
    "json inside text": '{"sender": "other", "message": "hi"}',
    "template braces": "{sessions} {titles} %s {{7*7}}",
    "null byte in middle": "Datenschutz\x00 ist mir wichtig",
    "line separators": "Keine\u2028Zeit\u2029für LinkedIn",
    "surrogate-free astral": "𝕂𝕖𝕚𝕟𝕖 ℤ𝕖𝕚𝕥",
    "very long word": "Donaudampfschifffahrtsgesellschaftskapitän" * 100,
    "mixed scripts": "Keine Zeit 没有时间 нет времени",
    # Valid JSON ("\\ud83d") that is no text: half of an emoji's UTF-16 surrogate pair.
    "lone high surrogate": "Keine Zeit \ud83d",
    "lone low surrogate": "\ude00 Datenschutz",
    "reversed surrogate pair": "\ude00\ud83d für LinkedIn",
    "only a lone surrogate": "\ud83d",
}

# Requests that are malformed: each must get a clear 4xx with a JSON error.
BAD_REQUESTS = {
    "empty body": (b"", JSON_TYPE, 400),
    "invalid json": (b'{"sender": "x", "message": ', JSON_TYPE, 400),
    "json array": (b'[{"sender": "x", "message": "Hallo"}]', JSON_TYPE, 400),
    "json string": (b'"Hallo"', JSON_TYPE, 400),
    "json null": (b"null", JSON_TYPE, 400),
    "missing sender": (b'{"message": "Hallo"}', JSON_TYPE, 400),
    "empty sender": (b'{"sender": "", "message": "Hallo"}', JSON_TYPE, 400),
    "numeric sender": (b'{"sender": 42, "message": "Hallo"}', JSON_TYPE, 400),
    "sender too long": (body("s" * 1000, "Hallo"), JSON_TYPE, 400),
    "missing message": (b'{"sender": "x"}', JSON_TYPE, 400),
    "message is null": (b'{"sender": "x", "message": null}', JSON_TYPE, 400),
    "message is a number": (b'{"sender": "x", "message": 12}', JSON_TYPE, 400),
    "message is an object": (b'{"sender": "x", "message": {"text": "Hallo"}}', JSON_TYPE, 400),
    "metadata not an object": (b'{"sender": "x", "message": "Hallo", "metadata": [1]}', JSON_TYPE, 400),
    "wrong content type": (body("x", "Hallo"), {"Content-Type": "text/plain"}, 415),
    "form encoded": (b"sender=x&message=Hallo", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    "no content type": (body("x", "Hallo"), {"Content-Type": ""}, 415),
    "non-utf-8 bytes": (b'{"sender": "x", "message": "Gr\xfc\xdfe"}', JSON_TYPE, 400),
    "utf-16 body": ('{"sender": "x", "message": "Hallo"}'.encode("utf-16"), JSON_TYPE, 400),
    "1 MB body": (body("x", "Ich habe keine Zeit. " * 50_000), JSON_TYPE, 413),
}

# Valid JSON whose strings hold lone surrogates (escaped, as json.dumps writes them): answered, no 5xx.
SURROGATE_BODIES = {
    "lone surrogate in message": b'{"sender": "x", "message": "Hallo \\ud83d"}',
    "lone surrogate in sender": b'{"sender": "x\\udc00", "message": "Hallo"}',
    "lone surrogate in metadata": b'{"sender": "x", "message": "Hallo", "metadata": {"k": "\\ud800"}}',
}


@pytest.mark.parametrize("case", list(SURROGATE_BODIES))
def test_lone_surrogates_in_raw_json_get_an_answer_not_5xx(coach, case):
    sender = f"bad-{uuid.uuid4().hex}"
    response = post(coach, SURROGATE_BODIES[case].replace(b'"sender": "x', f'"sender": "{sender}'.encode()), JSON_TYPE)
    assert response.status_code == 200, response.text
    assert response.json(), "no answer"


@pytest.mark.parametrize("case", list(TEXTS))
def test_odd_message_gets_german_answer_and_conversation_goes_on(coach, case):
    sender = f"bad-{uuid.uuid4().hex}"
    answer = say(coach, sender, TEXTS[case], timeout=TIMEOUT)
    assert GERMAN.search(answer), answer
    if len(TEXTS[case]) > 2000:
        assert answer.startswith(HINT)
    assert GREETING in say(coach, sender, "Hallo", timeout=TIMEOUT)


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_malformed_request_gets_clear_4xx_and_conversation_goes_on(coach, case):
    data, headers, status = BAD_REQUESTS[case]
    sender = f"bad-{uuid.uuid4().hex}"
    response = post(coach, data.replace(b'"sender": "x"', f'"sender": "{sender}"'.encode()), headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]
    # The same conversation, once the client sends a proper request, is answered normally.
    assert GREETING in say(coach, sender, "Hallo", timeout=TIMEOUT)


def test_log_keeps_capped_text_verbatim(coach):
    sender = f"bad-{uuid.uuid4().hex}"
    text = "<script>alert(1)</script> \u200b'; DROP TABLE events; -- " + "x" * 5000
    say(coach, sender, text, timeout=TIMEOUT)
    engine = sa.create_engine(coach.env["DATABASE_URL"], future=True)
    with engine.connect() as connection:  # this sender's turns only: the stack is shared
        stored = [row.text for row in connection.execute(sa.text(
            "SELECT t.text FROM coach_turns t JOIN coach_sessions s ON s.id = t.session_id "
            "WHERE s.sender_hash = :k AND t.role = 'user' AND t.text LIKE '<script>alert(1)%'"),
            {"k": pseudonym(sender, coach.env["SENDER_HASH_SECRET"])})]
    engine.dispose()
    assert stored == [text[:2000]]  # cut before the NLU, so the log holds what was read


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def test_100_kb_message_keeps_memory_low_and_other_users_fast(coach):
    pid = coach.processes["rasa-server"].pid
    peak = rss_bytes(pid)
    done = threading.Event()

    def long_message():
        try:
            say(coach, f"long-{uuid.uuid4().hex}", "Ich habe keine Zeit für LinkedIn. " * 3000,
                timeout=TIMEOUT)
        finally:
            done.set()

    worker = threading.Thread(target=long_message)
    worker.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert GREETING in say(coach, f"parallel-{uuid.uuid4().hex}", "Hallo", timeout=TIMEOUT)
    parallel_turn = time.monotonic() - started
    while not done.is_set():
        peak = max(peak, rss_bytes(pid))
        time.sleep(0.02)
    worker.join()
    peak = max(peak, rss_bytes(pid))
    print(f"\nRasa RSS peak {peak / 2**20:.0f} MB, parallel turn {parallel_turn:.2f} s")
    assert peak < 1.5 * 2**30
    assert parallel_turn < 3.0


SOCKET_TEXTS = {
    "100 000 characters": "Ich habe keine Zeit. " * 4762,
    "script tag": "<script>alert('xss')</script>",
    "control and zero-width": "\x00\x07Keine\u200b Zeit\ufeff",
    "only emoji": "😀🙈🚀",
    "sql injection": "'; DROP TABLE events; --",
}


@pytest.mark.parametrize("case", list(SOCKET_TEXTS))
def test_socketio_odd_message_gets_german_answer(coach, case):
    chat = SocketChat(coach)
    try:
        answer = chat.say(SOCKET_TEXTS[case])
        assert GERMAN.search(answer), answer
        if len(SOCKET_TEXTS[case]) > 2000:
            assert answer.startswith(HINT)
        assert GREETING in chat.say("Hallo")
    finally:
        chat.close()
