"""A trained model's predictions for NLU test files, as `rasa test nlu` makes them (the
FallbackClassifier's prediction undone; the final intent kept too).
"""
from __future__ import annotations

import time
from typing import Any, Dict, List


async def predict(model_path: str, test_files: List[str]) -> Dict[str, Dict[str, Any]]:
    """Per test file: its predictions and the seconds they took. The model loads once for all."""
    from rasa.core.agent import Agent

    processor = Agent.load(model_path).processor
    results = {}
    for test_file in test_files:
        started = time.monotonic()
        predictions = await predict_file(processor, test_file)
        results[test_file] = {"predictions": predictions, "predict_seconds": round(time.monotonic() - started, 1)}
    return results


async def predict_file(processor: Any, test_file: str) -> List[Dict[str, Any]]:
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.classifiers import fallback_classifier
    from rasa.shared.nlu.training_data.loading import load_data

    rows = []
    for example in load_data(test_file).intent_examples:
        result = await processor.parse_message(
            UserMessage(text=example.get("text")), tracker=None, only_output_properties=False
        )
        final = (result.get("intent") or {}).get("name")
        if fallback_classifier.is_fallback_classifier_prediction(result):
            result = fallback_classifier.undo_fallback_prediction(result)
        intent = result.get("intent") or {}
        rows.append({
            "text": example.get("text"), "intent": example.get("intent"),
            "predicted": intent.get("name"), "confidence": round(float(intent.get("confidence") or 0), 4),
            "final": final,
            # The best five intents, for bench/clarify.py (when would the coach ask back?)
            "ranking": [[r["name"], round(float(r["confidence"]), 4)] for r in (result.get("intent_ranking") or [])[:5]
                        if r.get("name") != "nlu_fallback"],
        })
    return rows
