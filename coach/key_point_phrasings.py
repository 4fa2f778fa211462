"""The texts the practice scorer compares answers with (plain Python): per key point, the
authored paraphrases (key_point_paraphrases.yml) and stances (key_point_stances.yml), and the
clauses cut from training answers (key_point_answer_clauses.yml, scripts/derive_answer_clauses.py);
per excuse, what makes, what denies its points and what talks about something else
(`reference_texts`). coach/meaning.py embeds and compares them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from coach.answer_clauses import arguing_clauses, clauses
from coach.knowledge_base import Excuse
from coach.polarity import opposite, words

PARAPHRASES_PATH = Path(__file__).with_name("key_point_paraphrases.yml")
STANCES_PATH = Path(__file__).with_name("key_point_stances.yml")
# Phrasings and denials in trainees' words, cut from training answers (scripts/derive_answer_clauses.py).
ANSWER_CLAUSES_DEFAULT = Path(__file__).with_name("key_point_answer_clauses.yml")
ANSWER_CLAUSES_PATH = ANSWER_CLAUSES_DEFAULT
NEGATIVE_KEY = "_negative"


# libyaml's loader where PyYAML was built with it: the phrasing files hold thousands of lines.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(path: Path) -> dict:
    return (yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}) if path.exists() else {}


@lru_cache(maxsize=1)
def _answer_clauses() -> Dict[str, Dict[str, Dict[str, List[str]]]]:
    return _yaml(ANSWER_CLAUSES_PATH)


@lru_cache(maxsize=1)
def _authored_paraphrases() -> Dict[str, Dict[str, List[str]]]:
    return _yaml(PARAPHRASES_PATH)


@lru_cache(maxsize=1)
def paraphrases() -> Dict[str, Dict[str, List[str]]]:
    """Per key point: the authored paraphrases, then the clauses of training answers that make it."""
    result = {excuse: dict(points) if isinstance(points, dict) else points
              for excuse, points in _authored_paraphrases().items()}
    for excuse, points in _answer_clauses().items():
        for label, sides in points.items():
            result.setdefault(excuse, {})[label] = list(result[excuse].get(label) or []) + list(sides.get("for") or [])
    return result


@lru_cache(maxsize=1)
def stances() -> Dict[str, Dict[str, Dict[str, List[str]]]]:
    """Per key point: phrasings that make it with a negation word (`affirm_negated`) and that
    deny it, with and without one (`deny_negated`, `deny_plain`; the latter also the clauses of
    training answers that side with the CEO near it)."""
    result = _yaml(STANCES_PATH)
    for excuse, points in _answer_clauses().items():
        for label, sides in points.items():
            stance = result.setdefault(excuse, {}).setdefault(label, {})
            stance["deny_plain"] = list(stance.get("deny_plain") or []) + list(sides.get("against") or [])
    return result


@lru_cache(maxsize=64)
def counter_examples(excuse_id: str) -> List[str]:
    """Clauses of off-topic training answers that come near the excuse's key points (`beside`)."""
    points = _answer_clauses().get(excuse_id) or {}
    return [text for sides in points.values() for text in sides.get("beside") or []]


def clear_caches() -> None:
    """Read the phrasing files again (after they, or ANSWER_CLAUSES_PATH, changed)."""
    for cached in (_answer_clauses, _authored_paraphrases, paraphrases, stances, counter_examples):
        cached.cache_clear()


def _as_read(texts: List[str]) -> List[str]:
    """Phrasings cut into clauses as an answer is (`clauses`), so that "keine Charakterfrage,
    sondern lernbar" is compared part by part, each with its own negation count."""
    result = []
    for text in texts:
        parts = arguing_clauses(text)
        result += parts if len(parts) > 1 else [text]
    return list(dict.fromkeys(result))


@dataclass(frozen=True)
class ReferenceTexts:
    affirm: List[Tuple[str, int]]      # (phrasing, key point) that make a point
    sentences: List[Tuple[str, int]]   # (sentence, argument) of the argument texts
    deny: List[Tuple[str, int]]        # (phrasing, key point) that argue against a point
    negatives: List[str]               # counter-examples
    passing: List[Tuple[str, int]]     # (clause, key point): near the point, in answers that made other arguments

    def all(self) -> List[str]:
        return ([t for t, _ in self.affirm] + [s for s, _ in self.sentences] + [t for t, _ in self.deny] + self.negatives
                + [t for t, _ in self.passing])


def reference_texts(excuse: Excuse) -> ReferenceTexts:
    """Phrasings of every key point: its label, the authored paraphrases and stances, and each
    sentence of its argument; the counter-examples."""
    authored = paraphrases().get(excuse.id) or {}
    written = _authored_paraphrases().get(excuse.id) or {}
    stances_of = stances().get(excuse.id) or {}
    affirm, deny, passing = [], [], []
    derived = _answer_clauses().get(excuse.id) or {}
    labels = [p.label for a in excuse.arguments for p in a.key_points]
    for index, label in enumerate(labels):
        stance = stances_of.get(label) or {}
        # The stances' `affirm_negated` phrasings are not used: on answers the tuning had not
        # seen they let more agreeing and negated clauses through than they won for own-words ones.
        affirm += [(t, index) for t in [label] + list(authored.get(label) or [])]
        passing += [(t, index) for t in (derived.get(label) or {}).get("passing") or []]
        deny += [(t, index) for t in _as_read(list(stance.get("deny_negated") or [])
                                              + list(stance.get("deny_plain") or []))]
        # A point phrased with one negation ("Perfektion ist kein Startkriterium") is denied by
        # the same words without it ("Perfektion ist (sehr wohl ein) Startkriterium"); only for
        # the written phrasings: trainees' clauses often hold the negation in a side clause
        # ("Was riskieren Sie, wenn Sie gar nicht sichtbar sind"), whose removal denies nothing.
        deny += [(o, index) for o in (opposite(t) for t in [label] + list(written.get(label) or []))
                 if o and len(words(o)) >= 2]
    sentences = [(s, i) for i, a in enumerate(excuse.arguments) for s in clauses(a.text) if len(words(s)) >= 4]
    # Counter-examples: the authored ones, off-topic talk near the points, and what the CEO
    # himself says (agreeing with him restates the excuse, it does not answer it).
    ceo = list(excuse.practice.openings + excuse.practice.yes_buts) if excuse.practice else []
    negatives = (list(paraphrases().get(NEGATIVE_KEY) or []) + counter_examples(excuse.id)
                 + [c for line in ceo for c in arguing_clauses(line)])
    return ReferenceTexts(affirm, sentences, deny, negatives, passing)
