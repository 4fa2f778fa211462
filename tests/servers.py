"""The real servers for end-to-end tests: trained model, ports of their own, a fresh SQLite log;
the one table of test ports and the one REST `say()`.

Most end-to-end modules share one stack per test session (the `coach` fixture in
tests/conftest.py). A module that needs a configuration of its own (LOG_USER_TEXT=false,
PostgreSQL, a database behind a proxy, a fresh log to count sessions in, killed servers) starts
its own with `running_coach(folder, ports("name"))`.
"""
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from services import MODEL_PATH, Services

# One block of ports per stack, so stacks never collide and a running `make run` (5005/5055/8000),
# `make run-cluster`/`make bench` (7xxx, 16005–16090, 17xxx) or tests/test_cluster.py (161xx)
# does not get in the way. TEST_PORT_BASE moves all of them (e.g. for a second worktree).
STACKS = ("shared", "session-log", "privacy", "faults", "load", "outage")
PORT_BASE = int(os.environ.get("TEST_PORT_BASE", "15000"))


def ports(stack: str) -> Dict[str, str]:
    """RASA_PORT, ACTION_PORT and WEB_PORT of one stack, e.g. ports("privacy")."""
    base = PORT_BASE + 100 * STACKS.index(stack)
    return {"RASA_PORT": str(base + 5), "ACTION_PORT": str(base + 55), "WEB_PORT": str(base + 80)}


def spare_port(stack: str) -> str:
    """A port of the stack's block no server of it listens on (for a server a test starts itself)."""
    return str(PORT_BASE + 100 * STACKS.index(stack) + 99)


@contextmanager
def running_coach(folder: Path, env: Dict[str, str]) -> Iterator[Services]:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    with Services({"DATABASE_URL": f"sqlite:///{folder / 'coach.db'}", **env}, log_dir=folder / "logs") as services:
        yield services


def webhook(coach) -> str:
    """The REST channel's address; `coach` is a running Services or a Rasa server's base URL."""
    base = coach if isinstance(coach, str) else coach.rasa_url
    return f"{base}/webhooks/rest/webhook"


def body(sender: str, message) -> bytes:
    """A REST request body as a browser sends it: UTF-8 JSON."""
    try:
        return json.dumps({"sender": sender, "message": message}, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates can only travel as JSON escapes ("\\ud83d")
        return json.dumps({"sender": sender, "message": message}).encode("ascii")


def messages(coach, sender: str, text: str, timeout: float = 60) -> List[dict]:
    """One REST turn: the coach's messages, all addressed to the sender (at least one)."""
    response = requests.post(webhook(coach), data=body(sender, text), timeout=timeout,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer, f"no answer to {text!r}"
    assert all(m["recipient_id"] == sender for m in answer), answer
    return answer


def text_of(answer: List[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in answer)


def say(coach, sender: str, text: str, timeout: float = 60) -> str:
    """One REST turn: the text of the coach's answer (its messages joined by newlines)."""
    return text_of(messages(coach, sender, text, timeout))
