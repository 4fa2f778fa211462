"""Load, end to end: 50 conversations of 10 turns each at once over REST against the real servers.
No errors, every answer belongs to its own sender's dialogue (each conversation coaches its own
excuse), and the log holds exactly the 50 sessions with all their turns. Figures go to
results/load-test.json."""
import json
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from coach.knowledge_base import load
from services import ROOT
from tests.servers import ports, running_coach

pytestmark = [pytest.mark.e2e, pytest.mark.system]

CONVERSATIONS = 50
TIME_LIMIT_SECONDS = 150  # the whole load, so the test stays bounded
KB = load()


def conversation(rasa_url: str, excuse_id: str, deadline: float):
    """Ten turns of one coaching conversation; returns (sender, latencies, bot messages, problems)."""
    excuse = KB.excuse(excuse_id)
    sender = f"load-{uuid.uuid4().hex}"
    step = excuse.first_steps[1].rstrip(".")
    script = [
        ("Hallo", ["Ausreden-Coach"], []),
        (f"/{excuse_id}", [excuse.arguments[0].text], []),
        ("Ja, aber das überzeugt mich nicht", [excuse.arguments[1].text], [excuse.arguments[0].text]),
        ("Trotzdem skeptisch", [excuse.arguments[2].text], [excuse.arguments[1].text]),
        ("ok, das leuchtet ein", [excuse.first_steps[0]], []),
        ("Schritt 2 mache ich bis Freitag", [f"„{step}“ – bis Freitag"], []),
        ("Danke", [], []),
        ("Hilfe", [], []),
        ("Tschüss", [f"„{excuse.title}“ (überzeugt)"], []),
        ("4", ["4 von 5"], []),
    ]
    latencies, bot_messages, problems = [], 0, []
    session = requests.Session()
    for text, expected, unexpected in script:
        if time.monotonic() > deadline:
            problems.append("time limit reached")
            break
        started = time.monotonic()
        try:
            response = session.post(f"{rasa_url}/webhooks/rest/webhook",
                                    json={"sender": sender, "message": text}, timeout=60)
        except requests.RequestException as error:
            problems.append(f"{text!r}: {type(error).__name__}")
            break
        latencies.append(time.monotonic() - started)
        if response.status_code != 200 or not response.json():
            problems.append(f"{text!r}: HTTP {response.status_code} {response.text[:100]!r}")
            continue
        messages = response.json()
        bot_messages += len(messages)
        answer = "\n".join(m.get("text") or "" for m in messages)
        if any(m.get("recipient_id") != sender for m in messages):
            problems.append(f"{text!r}: answer addressed to another sender")
        problems += [f"{text!r}: missing {e[:40]!r}" for e in expected if e not in answer]
        problems += [f"{text!r}: repeated {u[:40]!r}" for u in unexpected if u in answer]
    return sender, excuse_id, latencies, bot_messages, problems


def test_fifty_parallel_conversations_stay_apart_and_are_all_logged(tmp_path):
    all_excuses = sorted(KB.excuses)
    excuse_ids = [all_excuses[i % len(all_excuses)] for i in range(CONVERSATIONS)]
    with running_coach(tmp_path, ports("load")) as coach:  # a fresh log: exactly these sessions
        deadline = time.monotonic() + TIME_LIMIT_SECONDS
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
            results = list(pool.map(lambda e: conversation(coach.rasa_url, e, deadline), excuse_ids))
        elapsed = time.monotonic() - started
        database_url = coach.env["DATABASE_URL"]

    problems = [f"{excuse}: {p}" for _, excuse, _, _, found in results for p in found]
    assert problems == []
    latencies = sorted(t for _, _, times, _, _ in results for t in times)
    turns = len(latencies)
    assert turns == CONVERSATIONS * 10

    report = subprocess.run(
        [sys.executable, "-m", "core.report", "--format", "json", "--database-url", database_url],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    sessions = json.loads(report.stdout)["sessions"]
    assert len(sessions) == CONVERSATIONS
    expected_turns = sorted((10 + bot, [excuse]) for _, excuse, _, bot, _ in results)
    assert sorted((s["turns"], s["excuses"]) for s in sessions) == expected_turns
    assert all(s["rating"] == 4 and len(s["commitments"]) == 1 for s in sessions)

    figures = {
        "conversations": CONVERSATIONS, "turns": turns, "errors": 0, "seconds": round(elapsed, 1),
        "turns_per_second": round(turns / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000),
        "p95_ms": round(latencies[int(0.95 * (turns - 1))] * 1000),
        "logged_sessions": len(sessions), "logged_turns": sum(s["turns"] for s in sessions),
    }
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "load-test.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(figures)
