"""Fails when the NLU got worse on the held-out set (`rasa test nlu` has no threshold flag).

Reads the intent report of `rasa test` and checks the macro-F1 over the excuse intents (every
intent of domain.yml that starts with "excuse_"; those the held-out set has no message for are
named and left out of the mean), how many non-excuse messages were taken for an excuse, and how many messages of the
conversation intents (greet, affirm, deny, ask_first_steps, …) were recognised. The thresholds sit a little below
the measured values (`make bench` writes them) so that noise does not fail the build but a real drop does.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Set

import yaml

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"
EXCUSE_PREFIX = "excuse_"

# A little below the measured values (results/bench.md, "held-out"), so that noise passes and a real drop fails.
MIN_EXCUSE_MACRO_F1 = 0.93
MAX_NON_EXCUSE_TAKEN_AS_EXCUSE = 0.05
MIN_CONVERSATION_ACCURACY = 0.90
SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def domain_excuses(domain_path: Path = DOMAIN) -> Set[str]:
    """The excuse intent ids of the domain: its intents that start with "excuse_"."""
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    names = set()
    for intent in domain.get("intents") or []:
        name = next(iter(intent)) if isinstance(intent, dict) else str(intent)
        if name.startswith(EXCUSE_PREFIX):
            names.add(name)
    return names


def main(report_path: str) -> int:
    report_file = Path(report_path)
    report = json.loads(report_file.read_text(encoding="utf-8"))
    errors = json.loads((report_file.parent / "intent_errors.json").read_text(encoding="utf-8"))

    expected = domain_excuses()
    in_report = {name for name in report if name.startswith(EXCUSE_PREFIX)}
    unknown = in_report - expected
    if not expected or unknown:
        print(f"{report_file} names excuse intents that {DOMAIN.name} does not: {sorted(unknown)}"
              if unknown else f"No excuse intents (excuse_…) in {DOMAIN}")
        return 1
    # An excuse the held-out set has no message for shows up only when predicted (support 0, F1 0);
    # it is named but does not count toward the mean (its false positives still lower the others' F1).
    excuses = {name: report[name] for name in sorted(in_report) if report[name].get("support", 0) > 0}
    uncovered = sorted(expected - set(excuses))
    if uncovered:
        print(f"Note: the held-out set has no message for {len(uncovered)} excuse(s): {', '.join(uncovered)}")
    if not excuses:
        print(f"No excuse messages in {report_file}")
        return 1
    macro_f1 = sum(s["f1-score"] for s in excuses.values()) / len(excuses)

    non_excuses = {
        name for name, s in report.items()
        if isinstance(s, dict) and "support" in s and not name.startswith(EXCUSE_PREFIX) and name not in SUMMARY_ROWS
    }
    non_excuse_support = sum(report[name]["support"] for name in non_excuses)
    conversation = non_excuses - {"out_of_scope"}
    conversation_support = sum(report[name]["support"] for name in conversation)
    conversation_errors = [e for e in errors if e["intent"] in conversation]
    conversation_accuracy = 1 - len(conversation_errors) / max(conversation_support, 1)
    taken_as_excuse = [
        e for e in errors
        if not e["intent"].startswith(EXCUSE_PREFIX)
        and (e["intent_prediction"]["name"] or "").startswith(EXCUSE_PREFIX)
    ]
    false_excuse_rate = len(taken_as_excuse) / max(non_excuse_support, 1)

    print(f"Held-out NLU: macro-F1 over {len(excuses)} of the {len(expected)} excuses = {macro_f1:.3f} (minimum {MIN_EXCUSE_MACRO_F1})")
    for name, scores in sorted(excuses.items(), key=lambda item: item[1]["f1-score"])[:5]:
        print(f"  weakest: {name:32s} F1 {scores['f1-score']:.2f}")
    print(
        f"Non-excuse messages taken for an excuse: {len(taken_as_excuse)}/{non_excuse_support}"
        f" = {false_excuse_rate:.1%} (maximum {MAX_NON_EXCUSE_TAKEN_AS_EXCUSE:.0%})"
    )
    print(
        f"Conversation intents recognised: {conversation_support - len(conversation_errors)}/{conversation_support}"
        f" = {conversation_accuracy:.1%} (minimum {MIN_CONVERSATION_ACCURACY:.0%})"
    )
    for error in conversation_errors[:5]:
        print(f"  missed: {error['text']!r} ({error['intent']} -> {error['intent_prediction']['name']})")
    failed = (macro_f1 < MIN_EXCUSE_MACRO_F1 or false_excuse_rate > MAX_NON_EXCUSE_TAKEN_AS_EXCUSE
              or conversation_accuracy < MIN_CONVERSATION_ACCURACY or not conversation_support)
    print("NLU check FAILED" if failed else "NLU check passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/rasa-test/intent_report.json"))
