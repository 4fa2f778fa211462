"""REST load generator (asyncio + aiohttp) and resident-memory sampler (/proc or psutil).

Bounded by design: every phase stops after `max_turns` turns or `max_seconds` seconds,
whichever comes first, every request has a timeout, and only 127.0.0.1 is ever contacted.
A turn is one POST to /webhooks/rest/webhook; Rasa answers after it has run the actions
and saved the tracker (for the coach: SQL tracker store + session-log write), so the
measured time is the complete turn as a user sees it.
"""
from __future__ import annotations

import asyncio
import math
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence
from urllib.parse import urlparse

import aiohttp

REQUEST_TIMEOUT = 60.0


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stats(latencies_ms: Sequence[float]) -> Dict[str, Optional[float]]:
    def r(x):
        return None if x is None else round(x, 1)

    return {
        "p50_ms": r(percentile(latencies_ms, 50)),
        "p95_ms": r(percentile(latencies_ms, 95)),
        "p99_ms": r(percentile(latencies_ms, 99)),
        "mean_ms": r(sum(latencies_ms) / len(latencies_ms)) if latencies_ms else None,
        "max_ms": r(max(latencies_ms)) if latencies_ms else None,
    }


def _check_local(url: str) -> str:
    host = urlparse(url).hostname
    if host != "127.0.0.1":
        raise ValueError(f"The load generator talks to 127.0.0.1 only, not {host!r}")
    return url.rstrip("/") + "/webhooks/rest/webhook"


async def _turn(session: aiohttp.ClientSession, endpoint: str, sender: str, text: str):
    """(milliseconds, answer) — answer is the list of bot messages, None on a failed request.

    An empty list is a valid turn (stock Rasa sometimes predicts action_listen right away)."""
    started = time.perf_counter()
    try:
        async with session.post(endpoint, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None)
            answer = body if response.status == 200 and isinstance(body, list) else None
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        answer = None
    return (time.perf_counter() - started) * 1000, answer


async def run_load(url: str, script: Sequence[str], concurrency: int, max_turns: int,
                   max_seconds: float, prefix: str) -> Dict[str, Any]:
    """`concurrency` conversations at once, each a fresh sender running `script`, again and
    again, until `max_turns` turns were started or `max_seconds` passed."""
    endpoint = _check_local(url)
    latencies: List[float] = []
    errors = 0
    empty = 0  # turns answered with no bot message
    started_turns = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    def budget() -> bool:
        return started_turns < max_turns and time.perf_counter() < deadline

    async def conversation_worker(session: aiohttp.ClientSession) -> None:
        nonlocal started_turns, errors, empty
        while budget():
            sender = f"{prefix}-{uuid.uuid4().hex[:12]}"
            for text in script:
                if not budget():
                    return
                started_turns += 1
                elapsed, answer = await _turn(session, endpoint, sender, text)
                if answer is None:
                    errors += 1
                else:
                    latencies.append(elapsed)
                    empty += not answer

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(conversation_worker(session) for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "turns": len(latencies),
        "errors": errors,
        "empty_answers": empty,
        "seconds": round(seconds, 2),
        "throughput_tps": round(len(latencies) / seconds, 2) if seconds > 0 else None,
        **stats(latencies),
    }


async def run_long(url: str, cycle: Sequence[str], turns: int, max_seconds: float, prefix: str,
                   reply: Optional[Callable[[List[Dict[str, Any]], int], str]] = None) -> Dict[str, Any]:
    """One conversation of `turns` turns: the messages of `cycle` in turn, or, with `reply`, the
    first message of `cycle` and then what `reply(answer, turn)` gives."""
    endpoint = _check_local(url)
    sender = f"{prefix}-long-{uuid.uuid4().hex[:12]}"
    per_turn: List[Optional[float]] = []
    text = cycle[0]
    deadline = time.perf_counter() + max_seconds
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for i in range(turns):
            if time.perf_counter() > deadline:
                break
            elapsed, answer = await _turn(session, endpoint, sender, text)
            per_turn.append(None if answer is None else round(elapsed, 1))
            text = reply(answer or [], i) if reply else cycle[(i + 1) % len(cycle)]
    return {"turns": len(per_turn), "errors": sum(1 for x in per_turn if x is None), "per_turn_ms": per_turn}


# The practice role play (actions/practice.py) answered by a trainee who keeps going: answers
# to the boss's excuse and his follow-up, then the next practice. Which message comes next
# depends on what the coach asked, so the cycle stays in the role play whatever excuse is played.
PRACTICE_START = "Übungsmodus starten"
PRACTICE_ANSWERS = [
    "Fangen Sie klein an: ein Beitrag pro Woche, feste Zeit im Kalender, und Ihre Kunden lesen da mit.",
    "Mit klaren Regeln und ein paar Freiwilligen im Team ist das Risiko klein, und wir lernen schnell dazu.",
    "Schauen Sie, was die Konkurrenz dort macht – wer nicht sichtbar ist, wird bei Anfragen übergangen.",
]


def practice_reply(answer: List[Dict[str, Any]], turn: int) -> str:
    text = " ".join(m.get("text") or "" for m in answer)
    buttons = [b.get("title") or "" for m in answer for b in m.get("buttons") or []]
    if "Ohne Code" in buttons:
        return "ohne Code"
    if "Welchen Einwand" in text:
        return "Coach wählt aus"
    if "Neue Übung" in buttons:
        return "Neue Übung"
    if "Runde" not in text and "Chef" not in text and "Tipp" not in text:
        return PRACTICE_START  # fell out of the role play: start a new one
    return PRACTICE_ANSWERS[turn % len(PRACTICE_ANSWERS)]


async def run_practice(url: str, turns: int, max_seconds: float, prefix: str) -> Dict[str, Any]:
    """One conversation of back-to-back practice sessions, `turns` turns long."""
    rounds = 0

    def reply(answer: List[Dict[str, Any]], turn: int) -> str:
        nonlocal rounds
        rounds += sum(1 for m in answer if (m.get("text") or "").startswith("Runde ") and "Punkten" in m["text"])
        return practice_reply(answer, turn)

    result = await run_long(url, [PRACTICE_START], turns, max_seconds, f"{prefix}-practice", reply=reply)
    return {**result, "rounds_scored": rounds}


def at_turn(per_turn: Sequence[Optional[float]], turn: int, half_window: int = 4) -> Optional[float]:
    """Median latency of the turns around `turn` (1-based; turn-4 … turn+4, clipped), so one
    slow request does not decide it."""
    if turn > len(per_turn):
        return None
    low, high = max(1, turn - half_window), min(len(per_turn), turn + half_window)
    window = [x for x in per_turn[low - 1:high] if x is not None]
    return round(percentile(window, 50), 1) if window else None


async def first_answer(url: str, text: str, timeout: float = 120) -> float:
    """Seconds until the server answers its first message (retries while it warms up)."""
    endpoint = _check_local(url)
    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        while True:
            _elapsed, answer = await _turn(session, endpoint, f"first-{uuid.uuid4().hex[:8]}", text)
            if answer:
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"No answer from {url} within {timeout:.0f} s")
            await asyncio.sleep(0.2)


# -- resident memory --------------------------------------------------------------------------
try:  # psutil when installed, else /proc
    import psutil  # type: ignore
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

MEMORY_SOURCE = "psutil" if psutil else "/proc"


def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    if psutil:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total
    children = _children_map()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            pass
    return total


class MemorySampler(threading.Thread):
    """Samples the resident memory of named process trees every `interval` seconds."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.groups: Dict[str, Dict[str, int]] = {}  # group -> role -> pid
        self.peak: Dict[str, Dict[str, int]] = {}
        self.peak_total: Dict[str, int] = {}
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def watch(self, group: str, pids: Dict[str, int]) -> None:
        with self._lock:
            self.groups[group] = dict(pids)

    def current(self, group: str) -> Dict[str, int]:
        with self._lock:
            pids = dict(self.groups.get(group, {}))
        return {role: tree_rss_bytes(pid) for role, pid in pids.items()}

    def sample(self) -> None:
        with self._lock:
            groups = {g: dict(p) for g, p in self.groups.items()}
        for group, pids in groups.items():
            values = {role: tree_rss_bytes(pid) for role, pid in pids.items()}
            peak = self.peak.setdefault(group, {})
            for role, value in values.items():
                peak[role] = max(peak.get(role, 0), value)
            self.peak_total[group] = max(self.peak_total.get(group, 0), sum(values.values()))

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def mib(values: Iterable[int]) -> float:
    return round(sum(values) / 2**20, 1)
