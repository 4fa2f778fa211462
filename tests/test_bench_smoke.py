"""Smoke run of `make bench` (bench/run.py --smoke): tiny counts, no cross-validation, no training.

Starts the coach on ports of its own (17005/17055/17080) and, when it is already cached
(~/.cache/ausreden-coach-bench/bare), the bare reference assistant (17006) in parallel, and
checks that bench.md, bench.json and bench.png are written with the expected keys. ~40–60 s.
"""
import json
import subprocess
import sys

import pytest

from services import MODEL_PATH, ROOT

pytestmark = pytest.mark.bench

PHASE_KEYS = {"concurrency", "turns", "errors", "empty_answers", "seconds", "throughput_tps", "p50_ms", "p95_ms", "p99_ms"}


def test_bench_smoke_run_writes_table_json_and_chart(tmp_path):
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    run = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| figure | coach | bare Rasa |" in run.stdout

    result = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert {"meta", "training", "reference", "latency", "targets", "ratios"} <= set(result)
    assert result["meta"]["mode"] == "smoke"

    coach = result["latency"]["coach"]
    assert set(coach["phases"]) == {"sequential", "concurrent_2"}
    for phase in coach["phases"].values():
        assert PHASE_KEYS <= set(phase)
        assert phase["turns"] > 0 and phase["errors"] == 0 and phase["empty_answers"] == 0
    assert coach["phases"]["sequential"]["turns"] == 5
    assert coach["long"]["turns"] == 12 and coach["long"]["at_turn_ms"]["10"] > 0
    # the practice run stays in the role play: 12 turns reach the first scored rounds
    assert coach["practice"]["turns"] == 12 and coach["practice"]["errors"] == 0
    assert coach["practice"]["rounds_scored"] >= 2
    assert coach["start_to_first_answer_s"] > 0
    assert {"rasa", "actions"} <= set(coach["rss_peak_mib"]) and coach["rss_peak_total_mib"] > 100
    # the turns went through the session log (tracker store + event broker)
    assert coach["session_log_rows"]["turns"] >= 2 * (5 + 6 + 12 + 12)

    if "bare" in result["latency"]:  # reference only when its model is cached
        assert result["latency"]["bare"]["phases"]["sequential"]["p95_ms"] > 0
        assert result["ratios"]["p95 turn latency, sequential"] > 0

    figures = {row["figure"] for row in result["targets"]}
    assert {"p95 turn latency, sequential", "turn 200 / turn 10 of one conversation",
            "turn 200 / turn 10 of one practice conversation",
            "resident memory, Rasa + action server (peak)", "CV macro-F1, excuse intents"} <= figures
    assert all(row["status"] in {"met", "missed", "n/a"} for row in result["targets"])

    markdown = (tmp_path / "bench.md").read_text(encoding="utf-8")
    assert "## Targets" in markdown and "p95 turn latency, sequential" in markdown
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
