"""`make bench`: NLU quality, turn latency, throughput, memory and training time of the coach,
with a bare Rasa assistant as the reference in the same run.

    python -m bench.run                 # full run (make bench), writes results/bench.{md,json,png}
    python -m bench.run --smoke --out DIR   # tiny counts, no CV/training (tests/test_bench_smoke.py)

Ports (127.0.0.1 only; env overrides): BENCH_RASA_PORT 16005, BENCH_ACTION_PORT 16055,
BENCH_WEB_PORT 16080, BENCH_BARE_PORT 16006 (smoke: 17005, 17055, 17080, 17006).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import ROOT, latency, loadavg, nlu, reference
from bench.report import evaluate_targets, markdown, targets_table
from bench.training import training_time

sys.path.insert(0, str(ROOT / "scripts"))
import services  # noqa: E402


# A complete coaching conversation (as in tests/test_e2e_rest.py): every turn runs a custom action.
COACH_SCRIPT = [
    "Hallo",
    "Ehrlich gesagt hab ich als Geschäftsführer einfach keine Zeit für LinkedIn",
    "Ja, aber das überzeugt mich nicht",
    "Woher stammt das?",
    "ok, das leuchtet ein",
    "Schritt 1 mache ich bis Freitag",
    "Und dann ist da noch der Datenschutz, die DSGVO macht mir Sorgen",
    "Trotzdem skeptisch",
    "Das bringt doch alles keinen Umsatz",
    "Tschüss",
]
# The long conversation: excuse after excuse, each challenged with "ja, aber" and a source
# question, the way a long practice or coaching session keeps going.
COACH_LONG_EXCUSES = [
    "Ich hab schlicht keine Zeit für LinkedIn",
    "Meine Meinung will doch keiner lesen",
    "Das ist einfach nicht mein Stil, ich bin kein Selbstdarsteller",
    "Ich kann nicht gut schreiben",
    "Mir fällt nichts ein, worüber ich posten sollte",
    "Wir haben keine Leute, die sich darum kümmern könnten",
    "Mit Social Media kenne ich mich überhaupt nicht aus",
    "Datenschutz ist mir da zu heikel",
    "Unsere Kunden sind doch gar nicht auf LinkedIn",
    "Das ist doch nur ein Hype, der wieder vorbeigeht",
    "Ich mag Social Media einfach nicht",
    "Meine Mitarbeiter verplempern da nur ihre Arbeitszeit",
    "Das soll der Azubi machen, der kennt sich damit aus",
    "Ich habe Angst, etwas Falsches zu posten",
    "Das bringt doch keinen Umsatz",
    "Meine Leute wollen da gar nicht mitmachen",
    "Ich kann nicht kontrollieren, was meine Mitarbeiter da posten",
]
COACH_FOLLOW_UPS = ["Ja, aber das überzeugt mich nicht", "Woher stammt das?", "Trotzdem skeptisch"]
COACH_LONG_CYCLE = [m for excuse in COACH_LONG_EXCUSES for m in (excuse, *COACH_FOLLOW_UPS)]


def profile(smoke: bool) -> Dict[str, Any]:
    if smoke:
        return {"warmup": 1, "sequential": {"turns": 5, "seconds": 60}, "concurrent": [(2, 6, 30)],
                "parallel_start": True,
                "long_turns": 12, "long_seconds": 60, "checkpoints": [10],
                "ports": {"RASA": 17005, "ACTION": 17055, "WEB": 17080, "BARE": 17006}}
    return {"warmup": 5, "sequential": {"turns": 100, "seconds": 60},
            "concurrent": [(10, 300, 25), (50, 500, 30)],  # (conversations, max turns, max seconds)
            "long_turns": 204, "long_seconds": 180, "checkpoints": [10, 50, 200],
            "ports": {"RASA": 16005, "ACTION": 16055, "WEB": 16080, "BARE": 16006}}


def port(name: str, default: int) -> str:
    return os.environ.get(f"BENCH_{name}_PORT") or str(default)


# -- the latency run -----------------------------------------------------------------------------
class Bot:
    def __init__(self, name: str, url: str, script: List[str], long_cycle: List[str]) -> None:
        self.name, self.url, self.script, self.long_cycle = name, url, script, long_cycle
        self.result: Dict[str, Any] = {"phases": {}}


def run_latency(prof: Dict[str, Any], with_reference: bool, bare_model: Optional[str], log,
                log_dir: Path) -> Dict[str, Any]:
    ports = prof["ports"]
    sampler = latency.MemorySampler()
    sampler.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-db-"))
    coach_env = {
        "RASA_HOST": "127.0.0.1", "ACTION_HOST": "127.0.0.1", "WEB_HOST": "127.0.0.1",
        "RASA_PORT": port("RASA", ports["RASA"]), "ACTION_PORT": port("ACTION", ports["ACTION"]),
        "WEB_PORT": port("WEB", ports["WEB"]), "ACTION_ENDPOINT_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
    }
    coach_services = services.Services(coach_env, log_dir=log_dir)
    bare_server = reference.BareServer(Path(bare_model), int(port("BARE", ports["BARE"])), log_dir) if with_reference else None
    bots: List[Bot] = []
    try:
        # Full run: one after the other, so each start time is measured without the other
        # loading. Smoke run: both at once (faster; start times then not comparable).
        bare_thread, bare_box = None, {}
        if bare_server:
            log("Starting the bare reference assistant …")

            def start_bare() -> None:
                try:
                    started_bare = time.monotonic()
                    bare_server.start()
                    asyncio.run(latency.first_answer(bare_server.url, "hello"))
                    bare_box["seconds"] = round(time.monotonic() - started_bare, 1)
                except BaseException as error:  # re-raised in the main thread
                    bare_box["error"] = error

            bare_thread = threading.Thread(target=start_bare, daemon=True)
            bare_thread.start()
            if not prof.get("parallel_start"):
                bare_thread.join()
        log("Starting the coach (action server, Rasa server, chat page) …")
        started = time.monotonic()
        coach_services.start()
        asyncio.run(latency.first_answer(coach_services.rasa_url, "Hallo"))
        coach = Bot("coach", coach_services.rasa_url, COACH_SCRIPT, COACH_LONG_CYCLE)
        coach.result["start_to_first_answer_s"] = round(time.monotonic() - started, 1)
        coach.result["parallel_start"] = bool(prof.get("parallel_start") and bare_server)
        if bare_thread:
            bare_thread.join(timeout=300)
            if "error" in bare_box or "seconds" not in bare_box:
                raise RuntimeError(f"Bare reference assistant did not start: {bare_box.get('error', 'timeout')}")
            bare = Bot("bare", bare_server.url, reference.SCRIPT, reference.LONG_CYCLE)
            bare.result["start_to_first_answer_s"] = bare_box["seconds"]
            bare.result["parallel_start"] = coach.result["parallel_start"]
            sampler.watch("bare", bare_server.pids)
            bots.append(bare)
        sampler.watch("coach", {"rasa": coach_services.processes["rasa-server"].pid,
                                "actions": coach_services.processes["action-server"].pid})
        bots.insert(0, coach)
        for bot in bots:
            bot.result["rss_after_start_mib"] = {k: latency.mib([v]) for k, v in sampler.current(bot.name).items()}
            asyncio.run(latency.run_load(bot.url, bot.script, 1, prof["warmup"], 60, f"warmup-{bot.name}"))

        # Phases alternate between the bots, so both see the same machine load.
        phases = [("sequential", 1, prof["sequential"]["turns"], prof["sequential"]["seconds"])]
        phases += [(f"concurrent_{c}", c, n, s) for c, n, s in prof["concurrent"]]
        for phase, concurrency, turns, seconds in phases:
            for bot in reversed(bots):  # bare first
                log(f"  {bot.name:5s} {phase}: up to {turns} turns / {seconds} s …")
                result = asyncio.run(latency.run_load(bot.url, bot.script, concurrency, turns, seconds,
                                                      f"bench-{bot.name}-{phase}"))
                bot.result["phases"][phase] = result
                log(f"        p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, {result['throughput_tps']} turns/s, "
                    f"{result['errors']} errors, {result['empty_answers']} empty answers")
                sampler.sample()
        for bot in reversed(bots):
            log(f"  {bot.name:5s} long conversation: {prof['long_turns']} turns …")
            long = asyncio.run(latency.run_long(bot.url, bot.long_cycle, prof["long_turns"],
                                                prof["long_seconds"], f"bench-{bot.name}"))
            long["at_turn_ms"] = {str(t): latency.at_turn(long["per_turn_ms"], t) for t in prof["checkpoints"]}
            bot.result["long"] = long
            log(f"        at turn {long['at_turn_ms']}")
            sampler.sample()
        log(f"  coach practice conversation (back-to-back role plays): {prof['long_turns']} turns …")
        practice = asyncio.run(latency.run_practice(coach.url, prof["long_turns"], prof["long_seconds"], "bench-coach"))
        practice["at_turn_ms"] = {str(t): latency.at_turn(practice["per_turn_ms"], t) for t in prof["checkpoints"]}
        coach.result["practice"] = practice
        log(f"        at turn {practice['at_turn_ms']}, {practice['rounds_scored']} rounds scored")
        sampler.sample()
        for bot in bots:
            bot.result["rss_after_load_mib"] = {k: latency.mib([v]) for k, v in sampler.current(bot.name).items()}
            bot.result["rss_peak_mib"] = {k: latency.mib([v]) for k, v in sampler.peak.get(bot.name, {}).items()}
            bot.result["rss_peak_total_mib"] = latency.mib([sampler.peak_total.get(bot.name, 0)])
    finally:
        sampler.stop()
        coach_services.stop()
        if bare_server:
            bare_server.stop()
    # Proof that the session log was written during the coach's turns.
    try:
        with sqlite3.connect(tmp / "bench.db") as db:
            coach_rows = {"turns": db.execute("select count(*) from coach_turns").fetchone()[0],
                          "sessions": db.execute("select count(*) from coach_sessions").fetchone()[0]}
    except sqlite3.Error as error:
        coach_rows = {"error": str(error)}
    shutil.rmtree(tmp, ignore_errors=True)
    out = {bot.name: bot.result for bot in bots}
    if "coach" in out:
        out["coach"]["session_log_rows"] = coach_rows
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny counts; no CV, no held-out, no training")
    parser.add_argument("--out", default=str(ROOT / "results"), help="folder for bench.md/json/png")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--reference", choices=["auto", "if-cached", "skip"], default=None,
                        help="bare assistant: create if missing (default), only if cached (smoke default), or skip")
    args = parser.parse_args(argv)
    # `kill` (SIGTERM) stops the servers and workers like Ctrl-C does (finally blocks run).
    signal.signal(signal.SIGTERM, _interrupt)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    smoke = args.smoke
    prof = profile(smoke)
    reference_mode = args.reference or ("if-cached" if smoke else "auto")
    started, load_start = time.monotonic(), loadavg()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    result: Dict[str, Any] = {}
    result["training"] = training_time(log, smoke)
    if not smoke:
        result["nlu"] = nlu.evaluate(services.MODEL_PATH, run_cv=not args.no_cv, log=log)
        from bench import clarify, practice_answers

        log("unsure -> ask on the held-out sets (bench/clarify.py)")
        result["clarify"] = clarify.run()
        log("practice scoring on the independent answer sets (bench/practice_answers.py)")
        result["practice_scoring"] = practice_answers.run()
    ref_info: Dict[str, Any] = {}
    bare_model = None
    if reference_mode == "auto":
        ref_info = reference.ensure_model(log)
    elif reference_mode == "if-cached" and reference.cached_model():
        ref_info = reference.ensure_model(log)
    if ref_info:
        bare_model = ref_info["model"]
        ref_info["how"] = (f"`rasa init --no-prompt` project in {reference.BARE_DIR} (stock config, no custom actions, "
                           f"in-memory tracker store), trained once ({ref_info.get('init_and_train_seconds')} s for init "
                           f"+ training, {ref_info.get('created_at')}) and reused")
    result["reference"] = ref_info or {"how": "skipped (bare model not cached)" if reference_mode != "skip" else "skipped"}
    log_dir = out_dir / ("bench-logs" if not smoke else "bench-smoke-logs")
    shutil.rmtree(log_dir, ignore_errors=True)
    result["latency"] = run_latency(prof, bare_model is not None, bare_model, log, log_dir)
    result["meta"] = {
        "mode": "smoke" if smoke else "full", "rasa": _rasa_version(), "python": platform.python_version(),
        "cpus": os.cpu_count(), "loadavg_start": load_start, "loadavg_end": loadavg(),
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": round(time.monotonic() - started, 1),
        "model": str(services.MODEL_PATH), "memory_source": latency.MEMORY_SOURCE,
        "profile": {k: v for k, v in prof.items() if k != "ports"},
        "profile_summary": _profile_summary(prof),
    }
    result["targets"] = evaluate_targets(result)
    result["ratios"] = {r["figure"]: r["ratio"] for r in result["targets"] if r["ratio"] is not None}

    from bench import chart

    chart.draw(result, out_dir / "bench.png")
    (out_dir / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "bench.md").write_text(markdown(result), encoding="utf-8")
    print()
    print(targets_table(result["targets"]))
    print(f"\nWritten: {out_dir / 'bench.md'}, bench.json, bench.png ({result['meta']['seconds']:.0f} s)")
    return 0


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _profile_summary(prof: Dict[str, Any]) -> str:
    parts = [f"sequential ≤ {prof['sequential']['turns']} turns/{prof['sequential']['seconds']} s"]
    parts += [f"{c} conversations ≤ {n} turns/{s} s" for c, n, s in prof["concurrent"]]
    parts.append(f"long conversation {prof['long_turns']} turns ≤ {prof['long_seconds']} s")
    return "; ".join(parts)


def _rasa_version() -> str:
    try:
        from importlib.metadata import version

        return version("rasa")
    except Exception:  # pragma: no cover
        return "?"


if __name__ == "__main__":
    sys.exit(main())
