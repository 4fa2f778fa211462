"""The bench's verdict and write-up: each figure against its target (and the bare assistant),
and results/bench.md (bench/run.py collects the figures).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench import latency, nlu
from bench.practice_answers import KEPT_OUT
from bench.nlu_metrics import EXCUSE_PREFIX

TARGETS = {
    "p95_ratio": 1.3, "throughput_ratio": 0.8, "long_ratio": 1.5, "memory_mib": 1536,
    "training_seconds": 180, "macro_f1": 0.95, "min_excuse_f1": 0.85, "oos_as_excuse": 0.05,
}


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
            if intent.startswith(EXCUSE_PREFIX):
                out.append(f"| {intent} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
        others = {k: v for k, v in cv["per_intent"].items() if not k.startswith(EXCUSE_PREFIX)}
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
        if "excuse_messages" not in r:
            continue
        e, o = r["excuse_messages"], r["other_messages"]
        out.append(f"| {name} | {e['right']} | {e['wrong']} | {e['asked_right']} | {e['asked']} "
                   f"| {o['answered_as_excuse']} | {o['asked']} | {r['saved']} | {r['needless_asks']} |")
    sets = {"between_two_excuses": "tests/nlu/clarify_tuning.yml, a tuning set",
            "between_two_excuses_kept_out": "tests/nlu/clarify_holdout.yml, another author's, kept out of all tuning"}
    for key, label in sets.items():
        if report.get(key):
            out += ["", f"Messages between two excuses and clear ones ({label}): "
                    + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report[key].items()) + "."]
    out += ["", "Thresholds (coach/reading.py) were tuned on `heldout` and `heldout_second_author`, the "
            "second-reading question on `clarify_tuning.yml`."]
    if report.get("threshold_sweep"):
        out += ["", "The same excuse messages (heldout, second author, new angles) read under other ask thresholds "
                "(first row: the coach's):", "",
                "| top excuse at least | margin at least | second excuse below | answered wrong | wrong answers saved "
                "| needless asks |", "|---:|---:|---:|---:|---:|---:|"]
        out += [f"| {r['clear_excuse']} | {r['clear_margin']} | {r.get('second_reading', '–')} | {r['wrong']} "
                f"| {r['saved']} | {r['needless_asks']} |" for r in report["threshold_sweep"]]
    return out


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
    kept = ", ".join(f"`{name}`" for name in KEPT_OUT)
    return out + ["", f"Every set but {kept} was used to set the scorer's thresholds and reading rules (each "
                       f"was measured once untouched before); those ({len(KEPT_OUT)} more authors) were kept out "
                       "of all tuning, and `kept_out` is all of them together: the issue's targets apply to it. "
                       "Target: p95 at most 50 ms per answer."]


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
