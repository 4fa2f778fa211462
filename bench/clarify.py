"""When does the coach ask back instead of guessing, and what does it save? (issue: "Unsure → ask")

Every message of the held-out NLU sets is read as the first message of a conversation, as
`coach.reading.read` reads it with the model's intent ranking. Per set:

- excuse messages: answered with the right excuse / answered with a wrong one / asked with the
  right excuse among the buttons / asked without it / other (fallback, …);
- other messages (out of scope, conversation intents): answered as an excuse / asked / other.

"Saved" are the wrong answers a plain top-intent coach would have given that become questions;
"needless" are the questions where the top intent was right. The thresholds in coach/reading.py
were tuned on `heldout` and `heldout_second_author`; the other sets show whether that holds.
The sweep re-reads the held-out excuse messages under other thresholds: where asking more
would save wrong answers and where it only asks needlessly.

    python -m bench.clarify            # predicts with models/coach.tar.gz, writes results/bench-clarify.json
"""
from __future__ import annotations

import asyncio
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Tuple

from coach import reading

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "bench-clarify.json"


def outcome(row: Dict[str, Any]) -> str:
    """What the coach does with this held-out message as a first message."""
    ranking = [(name, float(conf)) for name, conf in row.get("ranking") or []]
    move = reading.read(reading.Context(), reading.Parse(text=row["text"], intent=row["final"], ranking=ranking))
    truth = row["intent"]
    if move and move.action == "action_coach_excuse":
        return "right" if truth in move.excuses else "wrong"
    if move and move.action == "action_clarify_excuse":
        return "asked_right" if truth in move.options else "asked"
    return "other"


def analyse(rows: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    excuse = {"right": 0, "wrong": 0, "asked_right": 0, "asked": 0, "other": 0}
    rest = {"answered_as_excuse": 0, "asked": 0, "other": 0}
    saved = needless = 0
    for row in rows:
        result = outcome(row)
        top = row.get("predicted")
        top_is_excuse = bool(top) and top.startswith(reading.EXCUSE_PREFIX)
        if row["intent"].startswith(reading.EXCUSE_PREFIX):
            excuse[result] += 1
            if result.startswith("asked"):
                saved += top != row["intent"]
                needless += top == row["intent"]
        else:
            key = {"right": "answered_as_excuse", "wrong": "answered_as_excuse",
                   "asked_right": "asked", "asked": "asked"}.get(result, "other")
            rest[key] += 1
            saved += key == "asked" and top_is_excuse
    excuses = sum(excuse.values())
    asks = excuse["asked_right"] + excuse["asked"] + rest["asked"]
    return {
        "excuse_messages": excuse, "other_messages": rest,
        "saved": saved, "needless_asks": needless, "asks": asks,
        "right_share": round(excuse["right"] / excuses, 3) if excuses else None,
        "wrong_share": round(excuse["wrong"] / excuses, 3) if excuses else None,
    }


# (CLEAR_EXCUSE, CLEAR_MARGIN, SECOND_READING) the sweep reads the held-out sets with; the first is
# the coach's, 1.0 switches the second-reading question off.
SWEEP = ((reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING), (0.45, 0.25, 1.0), (0.35, 0.15, 1.0),
         (0.45, 0.35, 1.0), (0.55, 0.25, 1.0), (0.65, 0.25, 1.0), (0.45, 0.25, 0.25), (0.45, 0.25, 0.15))
SWEEP_SETS = ("heldout", "heldout_second_author", "heldout_new_angles")


@contextmanager
def _thresholds(clear_excuse: float, clear_margin: float, second_reading: float) -> Iterator[None]:
    """reading's ask thresholds set for one measurement (the bench process only)."""
    saved = reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING
    reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING = clear_excuse, clear_margin, second_reading
    try:
        yield
    finally:
        reading.CLEAR_EXCUSE, reading.CLEAR_MARGIN, reading.SECOND_READING = saved


def sweep(predictions: Dict[str, List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    """Per threshold triple, over the SWEEP_SETS' excuse messages: answered wrong, saved, needless asks."""
    rows = [row for name in SWEEP_SETS for row in predictions.get(name, [])
            if row["intent"].startswith(reading.EXCUSE_PREFIX)]
    result = []
    for clear_excuse, clear_margin, second_reading in SWEEP:
        with _thresholds(clear_excuse, clear_margin, second_reading):
            r = analyse(rows)
        result.append({"clear_excuse": clear_excuse, "clear_margin": clear_margin, "second_reading": second_reading,
                       "messages": len(rows),
                       "wrong": r["excuse_messages"]["wrong"], "saved": r["saved"], "needless_asks": r["needless_asks"]})
    return result


PREDICTIONS = ROOT / "results" / "bench-clarify-predictions.json"
# Messages independent authors wrote between two excuses (both readings listed) and clear ones,
# report key -> file: the first is a tuning set for when to ask (the thresholds' trade-off), the
# second, by another author, was kept out of all tuning.
BETWEEN_TWO_SETS = {
    "between_two_excuses": ROOT / "tests" / "nlu" / "clarify_tuning.yml",
    "between_two_excuses_kept_out": ROOT / "tests" / "nlu" / "clarify_holdout.yml",
}


async def between_two(processor: Any, path: Path) -> Dict[str, Any]:
    """How the coach meets messages between two excuses (should ask, with both as buttons) and
    clear ones (should answer), each read as a first message."""
    import yaml
    from rasa.core.channels.channel import UserMessage

    counts = {"between_asked_with_both": 0, "between_asked": 0, "between_answered_one_reading": 0,
              "between_answered_wrong": 0, "clear_answered_right": 0, "clear_asked": 0, "clear_wrong_or_other": 0}
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
        parse = await processor.parse_message(UserMessage(text=item["text"]), tracker=None,
                                              only_output_properties=False)
        move = reading.read(reading.Context(), reading.parse_from(parse))
        truth, between = set(item["intents"]), len(item["intents"]) > 1
        asked = bool(move) and move.action == "action_clarify_excuse"
        answered = set(move.excuses) if move and move.action == "action_coach_excuse" else set()
        if between:
            key = ("between_asked_with_both" if asked and truth <= set(move.options) else "between_asked" if asked
                   else "between_answered_one_reading" if answered and answered <= truth else "between_answered_wrong")
        else:
            key = "clear_asked" if asked else "clear_answered_right" if answered == truth else "clear_wrong_or_other"
        counts[key] += 1
    return counts


async def _predict(model: Path, files: List[Path]) -> Tuple[Dict[str, List[Dict[str, Any]]], Dict[str, Any]]:
    """The held-out sets' predictions and the between-two figures, with the model loaded once."""
    from rasa.core.agent import Agent

    from bench.nlu_predict import predict_file

    processor = Agent.load(str(model)).processor
    predictions = {path.stem: await predict_file(processor, str(path)) for path in files}
    between = {key: await between_two(processor, path) for key, path in BETWEEN_TWO_SETS.items() if path.exists()}
    return predictions, between


def run() -> Dict[str, Any]:
    """Predicts every held-out set with the trained model and analyses it; writes both to results/."""
    from bench.nlu import HELDOUT_SETS

    files = [path for path, _ in HELDOUT_SETS.values() if path.exists()]
    predictions, between = asyncio.run(_predict(ROOT / "models" / "coach.tar.gz", files))
    PREDICTIONS.parent.mkdir(exist_ok=True)
    PREDICTIONS.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
    report = {name: analyse(rows) for name, rows in predictions.items()}
    report.update(between)
    report["threshold_sweep"] = sweep(predictions)
    OUT.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


def main() -> int:
    report = run()
    for name, r in report.items():
        if name == "threshold_sweep":
            for row in r:
                print(f"sweep {row}")
            continue
        if "excuse_messages" not in r:
            print(f"{name:22} " + ", ".join(f"{k} {v}" for k, v in r.items()))
            continue
        e, o = r["excuse_messages"], r["other_messages"]
        print(f"{name:22} excuses: right {e['right']}, wrong {e['wrong']}, asked {e['asked_right']}+{e['asked']} "
              f"| others: as excuse {o['answered_as_excuse']}, asked {o['asked']} "
              f"| saved {r['saved']}, needless {r['needless_asks']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
