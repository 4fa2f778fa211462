"""The phrasings the practice scorer compares answers with (plain Python): per key point, the
authored paraphrases (key_point_paraphrases.yml) and stances (key_point_stances.yml), and the
clauses cut from training answers (key_point_answer_clauses.yml, scripts/derive_answer_clauses.py).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

PARAPHRASES_PATH = Path(__file__).with_name("key_point_paraphrases.yml")
STANCES_PATH = Path(__file__).with_name("key_point_stances.yml")
# Phrasings and denials in trainees' words, cut from training answers (scripts/derive_answer_clauses.py).
ANSWER_CLAUSES_DEFAULT = Path(__file__).with_name("key_point_answer_clauses.yml")
ANSWER_CLAUSES_PATH = ANSWER_CLAUSES_DEFAULT
NEGATIVE_KEY = "_negative"


def _yaml(path: Path) -> dict:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


@lru_cache(maxsize=1)
def paraphrases() -> Dict[str, Dict[str, List[str]]]:
    """Per key point: the authored paraphrases, then the clauses of training answers that make it."""
    result = _yaml(PARAPHRASES_PATH)
    for excuse, points in _yaml(ANSWER_CLAUSES_PATH).items():
        for label, sides in points.items():
            result.setdefault(excuse, {})[label] = list(result[excuse].get(label) or []) + list(sides.get("for") or [])
    return result


@lru_cache(maxsize=1)
def stances() -> Dict[str, Dict[str, Dict[str, List[str]]]]:
    """Per key point: phrasings that make it with a negation word (`affirm_negated`) and that
    deny it, with and without one (`deny_negated`, `deny_plain`; the latter also the clauses of
    training answers that side with the CEO near it)."""
    result = _yaml(STANCES_PATH)
    for excuse, points in _yaml(ANSWER_CLAUSES_PATH).items():
        for label, sides in points.items():
            stance = result.setdefault(excuse, {}).setdefault(label, {})
            stance["deny_plain"] = list(stance.get("deny_plain") or []) + list(sides.get("against") or [])
    return result


@lru_cache(maxsize=64)
def counter_examples(excuse_id: str) -> List[str]:
    """Clauses of off-topic training answers that come near the excuse's key points (`beside`)."""
    points = _yaml(ANSWER_CLAUSES_PATH).get(excuse_id) or {}
    return [text for sides in points.values() for text in sides.get("beside") or []]
