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
import hashlib
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import ROOT, latency, nlu, reference

sys.path.insert(0, str(ROOT / "scripts"))
import services  # noqa: E402

TRAIN_RECORD = ROOT / "results" / "bench-train.json"
TRAIN_LOG = ROOT / "results" / "bench-train.log"

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

TARGETS = {
    "p95_ratio": 1.3, "throughput_ratio": 0.8, "long_ratio": 1.5, "memory_mib": 1536,
    "training_seconds": 180, "macro_f1": 0.95, "min_excuse_f1": 0.85, "oos_as_excuse": 0.05,
}


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


def loadavg() -> List[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# -- training time ------------------------------------------------------------------------------
def training_fingerprint() -> str:
    import rasa

    digest = hashlib.sha256(f"rasa={rasa.__version__}".encode())
    files = [ROOT / "config.yml", ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml")),
             *nlu.pipeline_addons()]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _timed_training(env: Dict[str, str], out_dir: Path, name: str) -> float:
    command = services.rasa("train", "--force", "--fixed-model-name", name, "--out", str(out_dir))
    TRAIN_LOG.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(TRAIN_LOG, "wb") as out:
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=1200)
    return round(time.monotonic() - started, 1)


def training_time(log, smoke: bool) -> Dict[str, Any]:
    """Seconds for a full (`--force`, no cache) `rasa train` of the coach.

    Trains the coach's model when it is missing or out of date (that run is the measurement);
    reuses an earlier measurement for the same training data/config/domain; otherwise
    measures a training into a temporary folder."""
    model = services.MODEL_PATH
    fingerprint = training_fingerprint()
    record = json.loads(TRAIN_RECORD.read_text(encoding="utf-8")) if TRAIN_RECORD.exists() else {}
    if smoke:
        if not model.exists():
            raise RuntimeError(f"No trained model at {model}: run `make train` first")
        if record.get("fingerprint") == fingerprint:
            return {**record, "reused": True}
        return {"seconds": None, "how": "not measured in the smoke run"}
    env = services.environment()
    current = model.exists() and subprocess.run(
        services.rasa("train", "--dry-run", "--out", str(model.parent)), cwd=ROOT, env=env,
        capture_output=True).returncode == 0
    if not current:
        log(f"Training the coach's model (full training, timed) → {model} …")
        model.parent.mkdir(parents=True, exist_ok=True)
        seconds = _timed_training(env, model.parent, model.name.replace(".tar.gz", ""))
        how = "`rasa train --force` of the coach's model (it was out of date)"
    elif record.get("fingerprint") == fingerprint:
        log(f"Training time: reusing the measurement of {record.get('measured_at')} (same data/config/domain)")
        return {**record, "reused": True}
    else:
        log("Training time: timing a full training into a temporary folder (model is current, no earlier measurement) …")
        with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
            seconds = _timed_training({**env, "RASA_MAX_CACHE_SIZE": "0"}, Path(tmp), "coach")
        how = "`rasa train --force` into a temporary folder (training cache disabled)"
    result = {"seconds": seconds, "how": how, "fingerprint": fingerprint,
              "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "loadavg": loadavg()}
    TRAIN_RECORD.parent.mkdir(parents=True, exist_ok=True)
    TRAIN_RECORD.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return {**result, "reused": False}


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


# -- ratios and targets --------------------------------------------------------------------------
def _ratio(a, b) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def evaluate_targets(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    lat = result["latency"]
    coach, bare = lat.get("coach", {}), lat.get("bare", {})

    def phase(bot, name, key):
        return (bot.get("phases", {}).get(name) or {}).get(key)

    def long_ratio(bot, run="long"):
        at = (bot.get(run) or {}).get("at_turn_ms") or {}
        return _ratio(at.get("200"), at.get("10"))

    rows = []

    def row(figure, ours, ref, ratio, target, met, unit=""):
        rows.append({"figure": figure, "coach": ours, "bare": ref, "ratio": ratio, "target": target,
                     "status": "n/a" if met is None else ("met" if met else "missed"), "unit": unit})

    p95c, p95b = phase(coach, "sequential", "p95_ms"), phase(bare, "sequential", "p95_ms")
    r = _ratio(p95c, p95b)
    row("p95 turn latency, sequential", p95c, p95b, r, f"ratio ≤ {TARGETS['p95_ratio']}",
        None if r is None else r <= TARGETS["p95_ratio"], "ms")
    for name in [p for p in coach.get("phases", {}) if p.startswith("concurrent_")]:
        c, b = phase(coach, name, "p95_ms"), phase(bare, name, "p95_ms")
        row(f"p95 turn latency, {name.split('_')[1]} conversations", c, b, _ratio(c, b), "(information)", None, "ms")
    for name in [p for p in coach.get("phases", {}) if p.startswith("concurrent_")]:
        c, b = phase(coach, name, "throughput_tps"), phase(bare, name, "throughput_tps")
        r = _ratio(c, b)
        row(f"throughput, {name.split('_')[1]} conversations", c, b, r, f"ratio ≥ {TARGETS['throughput_ratio']}",
            None if r is None else r >= TARGETS["throughput_ratio"], "turns/s")
    lc, lb = long_ratio(coach), long_ratio(bare)
    row("turn 200 / turn 10 of one conversation", lc, lb, None, f"≤ {TARGETS['long_ratio']}",
        None if lc is None else lc <= TARGETS["long_ratio"], "×")
    lp = long_ratio(coach, "practice")
    row("turn 200 / turn 10 of one practice conversation", lp, None, None, f"≤ {TARGETS['long_ratio']}",
        None if lp is None else lp <= TARGETS["long_ratio"], "×")
    mem_c, mem_b = coach.get("rss_peak_total_mib"), bare.get("rss_peak_total_mib")
    row("resident memory, Rasa + action server (peak)", mem_c, mem_b, _ratio(mem_c, mem_b),
        f"< {TARGETS['memory_mib']} MiB", None if mem_c is None else mem_c < TARGETS["memory_mib"], "MiB")
    sc, sb = coach.get("start_to_first_answer_s"), bare.get("start_to_first_answer_s")
    row("start to first answer", sc, sb, _ratio(sc, sb), "(information)", None, "s")
    train = result.get("training") or {}
    ts = train.get("seconds")
    row("full training (rasa train --force)", ts, (result.get("reference") or {}).get("init_and_train_seconds"), None,
        f"< {TARGETS['training_seconds']} s", None if ts is None else ts < TARGETS["training_seconds"], "s")
    cv = (result.get("nlu") or {}).get("cv") or {}
    f1 = cv.get("excuse_macro_f1")
    row("CV macro-F1, excuse intents", f1, None, None, f"≥ {TARGETS['macro_f1']}",
        None if f1 is None else f1 >= TARGETS["macro_f1"])
    weakest = cv.get("weakest_excuse") or {}
    row(f"CV weakest excuse F1 ({weakest.get('intent', '–')})", weakest.get("f1"), None, None,
        f"≥ {TARGETS['min_excuse_f1']}", None if not weakest else weakest["f1"] >= TARGETS["min_excuse_f1"])
    oos = (cv.get("oos_as_excuse") or {}).get("share")
    row("CV out_of_scope taken for an excuse", oos, None, None, f"≤ {TARGETS['oos_as_excuse']:.0%}",
        None if oos is None else oos <= TARGETS["oos_as_excuse"], "share")
    conversation = cv.get("conversation_intents") or {}
    if conversation:
        row("CV accuracy, conversation intents", conversation["accuracy"], None, None, "(information)", None)
    for key, (_, label) in nlu.HELDOUT_SETS.items():
        held = (result.get("nlu") or {}).get(key) or {}
        if held.get("excuse_intents"):
            row(f"{label} macro-F1, excuse intents", held.get("excuse_macro_f1"), None, None, "(information)", None)
        if held.get("oos_as_excuse", {}).get("total"):
            row(f"{label} out_of_scope taken for an excuse", held["oos_as_excuse"]["share"], None, None,
                "(information)", None, "share")
        if held.get("conversation_intents", {}).get("total"):
            row(f"{label} accuracy, conversation intents", held["conversation_intents"]["accuracy"], None, None,
                "(information)", None)
    return rows


# -- output ----------------------------------------------------------------------------------------
def _fmt(value, unit="") -> str:
    if value is None:
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if unit in ("", "×"):
        return f"{value:.3f}" if unit == "" else f"{value:.2f}×"
    return f"{value:,.1f}".replace(",", " ") + ("" if unit == "plain" else f" {unit}")


def targets_table(rows: List[Dict[str, Any]]) -> str:
    lines = ["| figure | coach | bare Rasa | coach / bare | target | status |", "|---|---:|---:|---:|---|---|"]
    for r in rows:
        status = {"met": "✅ met", "missed": "❌ missed", "n/a": "–"}[r["status"]]
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.2f}"
        lines.append(f"| {r['figure']} | {_fmt(r['coach'], r['unit'])} | {_fmt(r['bare'], r['unit'])} | {ratio} "
                     f"| {r['target']} | {status} |")
    return "\n".join(lines)


def markdown(result: Dict[str, Any]) -> str:
    meta, lat, nl = result["meta"], result["latency"], result.get("nlu") or {}
    out = [f"# Benchmark: Ausreden-Coach vs. bare Rasa {meta['rasa']}", "",
           f"{meta['finished_at']} · {meta['mode']} run · {meta['cpus']} CPUs · load average "
           f"{meta['loadavg_start']} at start, {meta['loadavg_end']} at the end (the machine is shared: "
           "absolute figures are noisy, the ratios against the bare assistant measured in the same run count) "
           f"· run took {meta['seconds']:.0f} s", "", "## Targets", "", targets_table(result["targets"]), ""]
    out += ["## Turn latency over REST", "",
            "One turn = POST /webhooks/rest/webhook until the answer (for the coach: custom actions, SQL tracker "
            "store and session-log write included). Conversations are fresh senders running a scripted "
            "conversation again and again; phases alternate between the two bots.", "",
            "| bot | phase | turns | errors | empty answers | p50 ms | p95 ms | p99 ms | turns/s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, bot in lat.items():
        for phase, p in bot.get("phases", {}).items():
            out.append(f"| {name} | {phase} | {p['turns']} | {p['errors']} | {p['empty_answers']} | {_fmt(p['p50_ms'], 'plain')} | {_fmt(p['p95_ms'], 'plain')} "
                       f"| {_fmt(p['p99_ms'], 'plain')} | {_fmt(p['throughput_tps'], 'plain')} |")
    out += ["", "Long conversation (one sender; median of turns k-4 … k+4):", "",
            "| bot | " + " | ".join(f"turn {k}" for k in next(iter(lat.values()))["long"]["at_turn_ms"]) + " | errors |",
            "|---|" + "---:|" * (len(next(iter(lat.values()))["long"]["at_turn_ms"]) + 1)]
    for name, bot in lat.items():
        at = bot["long"]["at_turn_ms"]
        out.append(f"| {name} | " + " | ".join(_fmt(v, "ms") for v in at.values()) + f" | {bot['long']['errors']} |")
    practice = (lat.get("coach") or {}).get("practice")
    if practice:
        out.append(f"| coach, practice role plays ({practice['rounds_scored']} rounds scored) | "
                   + " | ".join(_fmt(v, "ms") for v in practice["at_turn_ms"].values()) + f" | {practice['errors']} |")
    out += ["", "Resident memory (MiB, process and its children, sampled every 0.5 s via "
            f"{latency.MEMORY_SOURCE} from the first answer to the end of the load):", "", "| bot | after start | after load | peak | peak total |", "|---|---|---|---|---:|"]
    for name, bot in lat.items():
        out.append(f"| {name} | {bot.get('rss_after_start_mib')} | {bot.get('rss_after_load_mib')} "
                   f"| {bot.get('rss_peak_mib')} | {bot.get('rss_peak_total_mib')} |")
    if "coach" in lat:
        out += ["", f"Session log rows written by the coach during the run: {lat['coach'].get('session_log_rows')}"]
    train = result.get("training") or {}
    out += ["", "## Training", "", f"{_fmt(train.get('seconds'), 's')} — {train.get('how', '–')}"
            + (f" (measured {train.get('measured_at')}, reused: same data/config/domain)" if train.get("reused") else "")]
    cv = nl.get("cv")
    out += ["", "## NLU", ""]
    if cv:
        out += [f"**Cross-validation** ({'cached result of ' + cv['measured_at'] + ', data and config unchanged' if cv.get('cached') else 'computed in this run'}; "
                f"fingerprint {cv['fingerprint']}): {cv['method']}. Fold trainings took {cv['fold_train_seconds']} s, "
                f"{cv['wall_seconds']:.0f} s wall time. {cv['examples']} examples, accuracy {cv['accuracy']:.3f}.", "",
                f"- macro-F1 over the {cv['excuse_intents']} excuse intents: **{cv['excuse_macro_f1']:.3f}**; weakest "
                f"{cv['weakest_excuse']['intent']} {cv['weakest_excuse']['f1']:.3f}",
                f"- out_of_scope taken for an excuse: {_oos(cv['oos_as_excuse'])} as `rasa test nlu` counts (the classifier's "
                f"first intent); {_oos(cv['oos_as_excuse_after_fallback'])} as the bot acts (after the FallbackClassifier)",
                f"- all non-excuse messages taken for an excuse: {_oos(cv['non_excuse_as_excuse'])} "
                f"(after fallback {_oos(cv['non_excuse_as_excuse_after_fallback'])}); excuse messages sent to the "
                f"fallback: {cv['excuse_to_fallback']['count']}/{cv['excuse_to_fallback']['total']}", "",
                "| excuse intent | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
        for intent, s in sorted(cv["per_intent"].items(), key=lambda kv: kv[1]["f1"]):
            if intent.startswith(nlu.EXCUSE_PREFIX):
                out.append(f"| {intent} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
        others = {k: v for k, v in cv["per_intent"].items() if not k.startswith(nlu.EXCUSE_PREFIX)}
        out += ["", "Other intents (F1): " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in sorted(others.items())), "",
                "Most frequent confusions involving an excuse (target → predicted):", ""]
        out += [f"- {p['intent']} → {p['predicted']}: {p['count']}" for p in cv["confusion_pairs"]] or ["- none"]
        examples = cv["oos_as_excuse"]["examples"]
        if examples:
            out += ["", "out_of_scope messages taken for an excuse: "
                    + "; ".join(f"„{e['text']}“ → {e['predicted']}" for e in examples)]
    else:
        out += ["Cross-validation: not run (smoke run or --no-cv)."]
    for key, (_, label) in nlu.HELDOUT_SETS.items():
        if nl.get(key):
            out += _heldout_paragraph(label, nl[key])
    out += _clarify_section(result.get("clarify") or {}) + _practice_section(result.get("practice_scoring") or {})
    ref = result.get("reference") or {}
    out += ["", "## How it was measured", "",
            f"- Reference: {ref.get('how', 'not run')}",
            "- Load: asyncio + aiohttp against 127.0.0.1 only; every phase bounded by a turn count and a time "
            f"limit ({result['meta']['profile_summary']}); a request times out after {latency.REQUEST_TIMEOUT:.0f} s.",
            "- Coach: scripts/services.py `Services` (action server, Rasa server, chat page) on bench ports, "
            "DATABASE_URL = a temporary SQLite file. Percentiles: linear interpolation; p99 of small samples is "
            "close to the maximum.",
            "- Target rows: sequential p95 decides the latency target; each concurrency level must hold the "
            "throughput ratio; memory target on the peak of Rasa + action server sampled during the whole run.",
            ""]
    return "\n".join(out)


def _clarify_section(report: Dict[str, Any]) -> List[str]:
    if not report:
        return []
    out = ["", "## Unsure → ask (each held-out message as a first message; bench/clarify.py)", "",
           "| set | excuse answered right | answered wrong | asked, right one offered | asked, not offered "
           "| non-excuse answered as excuse | non-excuse asked | wrong answers saved | needless asks |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in report.items():
        e, o = r["excuse_messages"], r["other_messages"]
        out.append(f"| {name} | {e['right']} | {e['wrong']} | {e['asked_right']} | {e['asked']} "
                   f"| {o['answered_as_excuse']} | {o['asked']} | {r['saved']} | {r['needless_asks']} |")
    return out + ["", "Thresholds (coach/reading.py) were tuned on `heldout` and `heldout_second_author` only."]


def _practice_section(report: Dict[str, Any]) -> List[str]:
    if not report:
        return []
    kinds = sorted({k for r in report.values() for k in r["per_kind"]})
    out = ["", "## Practice scoring on independent answer sets (bench/practice_answers.py)", "",
           "| set | answers | in band | " + " | ".join(kinds) + " | p50 ms | p95 ms |",
           "|---|---:|---:|" + "---:|" * len(kinds) + "---:|---:|"]
    for name, r in report.items():
        out.append(f"| {name} | {r['answers']} | {r['in_band']:.1%} | "
                   + " | ".join(f"{r['per_kind'][k]['in_band']:.0%} ({r['per_kind'][k]['n']})" if k in r["per_kind"]
                                else "–" for k in kinds) + f" | {r['ms_p50']} | {r['ms_p95']} |")
    return out + ["", "`tuning` was used to set the scorer's thresholds; `holdout` was not looked at."]


def _heldout_paragraph(label: str, held: Dict[str, Any]) -> List[str]:
    unseen = held["unseen_only"]
    out = ["", f"**{label.capitalize()} set** ({held['file']}, {held['examples']} messages, predicted "
           "by the trained model like `rasa test nlu`):"]
    if held["excuse_intents"]:
        out[-1] += (
            f" macro-F1 over the excuses {held['excuse_macro_f1']:.3f}, weakest "
            f"{held['weakest_excuse']['intent']} {held['weakest_excuse']['f1']:.3f}; out_of_scope taken for an "
            f"excuse {_oos(held['oos_as_excuse'])} (after fallback {_oos(held['oos_as_excuse_after_fallback'])}); "
            "confusions: " + (", ".join(f"{p['intent']} → {p['predicted']} ({p['count']})"
                                        for p in held["confusion_pairs"][:5]) or "none") + ".")
    conversation = held["conversation_intents"]
    if conversation["total"]:
        out[-1] += (
            f" conversation intents {conversation['correct']}/{conversation['total']} = "
            f"{conversation['accuracy']:.1%} right, weakest {conversation['weakest']['intent']} "
            f"(F1 {conversation['weakest']['f1']:.3f}); confusions: "
            + (", ".join(f"{p['intent']} → {p['predicted']} ({p['count']})"
                         for p in conversation["confusion_pairs"][:5]) or "none") + ".")
    out += ["", f"{held['also_in_training_data']} of the {held['examples']} messages also occur in data/nlu "
            "(same text after folding case, umlauts and punctuation); on the other "
            f"{unseen['examples']}:"]
    if held["excuse_intents"]:
        out[-1] += (f" macro-F1 {unseen['excuse_macro_f1']:.3f}, weakest "
                    f"{unseen['weakest_excuse']['intent']} {unseen['weakest_excuse']['f1']:.3f}, "
                    f"out_of_scope taken for an excuse {_oos(unseen['oos_as_excuse'])};")
    if conversation["total"]:
        out[-1] += f" conversation intents {unseen['conversation_intents']['accuracy']:.1%} right;"
    out[-1] = out[-1].rstrip(";") + "."
    return out


def _oos(share: Dict[str, Any]) -> str:
    return f"{share['count']}/{share['total']} = {share['share']:.1%}"


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
