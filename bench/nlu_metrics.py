"""NLU figures from predictions: per-intent F1, the excuse macro-F1, confusion pairs, and how
often non-excuses are taken for an excuse (bench/nlu.py, bench/clarify.py).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List

EXCUSE_PREFIX = "excuse_"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"


def summarize(predictions: List[Dict[str, Any]], top_pairs: int = 10) -> Dict[str, Any]:
    """Per-intent F1, excuse macro-F1, confusion pairs and the excuse false-positive shares.

    `predicted` is the intent as `rasa test nlu` counts it (fallback undone); `final` is what
    the bot acts on (nlu_fallback below the FallbackClassifier threshold).
    """
    targets = sorted({p["intent"] for p in predictions})
    scores = {}
    for intent in targets:
        tp = sum(1 for p in predictions if p["intent"] == intent and p["predicted"] == intent)
        fp = sum(1 for p in predictions if p["intent"] != intent and p["predicted"] == intent)
        fn = sum(1 for p in predictions if p["intent"] == intent and p["predicted"] != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "support": tp + fn}
    excuses = {k: v for k, v in scores.items() if k.startswith(EXCUSE_PREFIX)}
    macro_f1 = sum(v["f1"] for v in excuses.values()) / max(len(excuses), 1)
    weakest = min(excuses.items(), key=lambda item: item[1]["f1"]) if excuses else (None, {"f1": 0})

    pairs = Counter(
        (p["intent"], p["predicted"]) for p in predictions
        if p["intent"] != p["predicted"]
        and (p["intent"].startswith(EXCUSE_PREFIX) or (p["predicted"] or "").startswith(EXCUSE_PREFIX))
    )
    # The conversation intents (greet, affirm, deny, ask_first_steps, …): neither excuse nor out_of_scope.
    conversation = [p for p in predictions
                    if not p["intent"].startswith(EXCUSE_PREFIX) and p["intent"] != OUT_OF_SCOPE]
    conversation_scores = {k: v for k, v in scores.items() if k in {p["intent"] for p in conversation}}
    conversation_weakest = min(conversation_scores.items(), key=lambda item: item[1]["f1"]) \
        if conversation_scores else (None, {"f1": 0})
    conversation_pairs = Counter((p["intent"], p["predicted"]) for p in conversation if p["intent"] != p["predicted"])
    conversation_correct = len(conversation) - sum(conversation_pairs.values())

    def share(rows, key):
        hits = [p for p in rows if (p[key] or "").startswith(EXCUSE_PREFIX)]
        return {"count": len(hits), "total": len(rows), "share": round(len(hits) / max(len(rows), 1), 4),
                "examples": [{"text": p["text"], "predicted": p[key]} for p in hits[:5]]}

    oos = [p for p in predictions if p["intent"] == OUT_OF_SCOPE]
    non_excuse = [p for p in predictions if not p["intent"].startswith(EXCUSE_PREFIX)]
    excuse_rows = [p for p in predictions if p["intent"].startswith(EXCUSE_PREFIX)]
    correct = sum(1 for p in predictions if p["intent"] == p["predicted"])
    return {
        "examples": len(predictions),
        "accuracy": round(correct / max(len(predictions), 1), 4),
        "excuse_intents": len(excuses),
        "excuse_macro_f1": round(macro_f1, 4),
        "weakest_excuse": {"intent": weakest[0], "f1": weakest[1]["f1"]},
        "per_intent": scores,
        "confusion_pairs": [
            {"intent": t, "predicted": p, "count": n} for (t, p), n in pairs.most_common(top_pairs)
        ],
        # as `rasa test nlu` counts (the classifier's first intent, fallback undone)
        "oos_as_excuse": share(oos, "predicted"),
        "non_excuse_as_excuse": share(non_excuse, "predicted"),
        # as the bot acts (FallbackClassifier applied)
        "oos_as_excuse_after_fallback": share(oos, "final"),
        "non_excuse_as_excuse_after_fallback": share(non_excuse, "final"),
        "conversation_intents": {
            "correct": conversation_correct,
            "total": len(conversation),
            "accuracy": round(conversation_correct / max(len(conversation), 1), 4),
            "weakest": {"intent": conversation_weakest[0], "f1": conversation_weakest[1]["f1"]},
            "confusion_pairs": [{"intent": t, "predicted": p, "count": n}
                                for (t, p), n in conversation_pairs.most_common(top_pairs)],
        },
        "excuse_to_fallback": {
            "count": sum(1 for p in excuse_rows if p["final"] == FALLBACK),
            "total": len(excuse_rows),
        },
    }
