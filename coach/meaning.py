"""Which key points a practice answer makes, by meaning (plain Python and numpy).

A trainee who says "eine Viertelstunde beim ersten Kaffee reicht" makes the point "kleine feste
Zeitfenster genügen" without sharing a word with it; one who lists "Netzwerk, Reichweite,
Vertrauen" or says "ein Netzwerk bringt Ihnen keine Kunden" uses the words and makes no point.
So the answer is read clause by clause:

1. Each clause is embedded with the multilingual sentence encoder (coach/sentence_embedding.py)
   and compared with authored phrasings of every key point (the label and
   coach/key_point_paraphrases.yml); the closest phrasing above a threshold names the point.
2. Polarity: a clause that denies or argues against the point does not earn it. A clause counts
   as negated by its own negation words and contra words ("überschätzt", "bringt nichts");
   it earns a point only when its polarity equals that of the phrasing it matched ("Sie müssen
   nicht ständig online sein" matches a negated phrasing of "kein Dauer-Online-Sein nötig"),
   and it must be closer to the point than to the authored counter-examples (`_negative`).
3. A list of keywords without a sentence is no argument: it earns at most one key point.

Deterministic, offline, and explainable: every hit carries the clause that made it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml

from coach.german_text import fold
from coach.knowledge_base import Excuse
from coach.sentence_embedding import embed

PARAPHRASES_PATH = Path(__file__).with_name("key_point_paraphrases.yml")
NEGATIVE_KEY = "_negative"

# Tuned on the first independent answer set (tests/practice/answers_tuning.yml) only.
MATCH_THRESHOLD = 0.55     # cosine from which a clause makes a key point
NEGATIVE_MARGIN = 0.0      # ... and by how much it must be closer to the point than to a counter-example
MIN_CLAUSE_WORDS = 3

_NEGATION_WORDS = {"nicht", "nich", "net", "ned", "kein", "keine", "keinen", "keinem", "keiner", "keines",
                   "nie", "niemals", "nichts", "niemand", "weder", "kaum", "ohne"}
_CONTRA = re.compile(
    r"\b(?:ueberschaetzt|ueberbewertet|sinnlos|quatsch|unsinn|zeitverschwendung|bringt\s+(?:eh|doch|ja)?\s*nix|"
    r"nix|vergessen sie|lassen sie (?:das|es)|braucht kein|bringt gar|ueberfluessig|nutzlos|bloedsinn)\b")
_CLAUSE_BOUNDARY = re.compile(
    r"[.!?;:]+\s*|\n+|\s[-–—]\s|,\s*(?=(?:und|aber|denn|weil|sondern|doch|dass|wenn|damit|so|also)\b)"
    r"|\s+(?=(?:aber|sondern|denn|weil)\b)|,\s+")
_WORD = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")
_FUNCTION_WORDS = set("""ich du sie er es wir ihr man das der die dem den ist sind sein hat haben wird werden
kann koennen muss muessen soll sollen will wollen bringt macht gibt geht zeigt hilft wenn weil dass
und aber oder nicht auch nur noch schon mit fuer auf in an zu""".split())


@dataclass(frozen=True)
class ClauseHit:
    point: int          # index into the excuse's flat key-point list
    clause: str         # the answer's own words that made it
    similarity: float


def words(text: str) -> List[str]:
    return _WORD.findall(text or "")


def is_negated(text: str) -> bool:
    """Odd number of negations, or a contra word ("überschätzt", "bringt nichts")."""
    folded = fold(text)
    count = sum(1 for w in _WORD.findall(folded) if w in _NEGATION_WORDS)
    return count % 2 == 1 or bool(_CONTRA.search(folded))


def clauses(text: str) -> List[str]:
    parts = [p.strip(" ,") for p in _CLAUSE_BOUNDARY.split(text or "")]
    return [p for p in parts if p and len(words(p)) >= 1]


def is_keyword_list(text: str) -> bool:
    """Topic words without a sentence: every piece short and none reads like a clause."""
    pieces = [p for p in re.split(r"[,;/\n•·|+]|\s[-–—]\s|\bund\b", text or "") if p.strip()]
    if not pieces:
        return False
    sentence_like = [p for p in pieces if len(words(p)) >= 4
                     or any(fold(w) in _FUNCTION_WORDS for w in words(p))]
    return len(pieces) >= 2 and not sentence_like or (len(words(text)) <= 6 and not any(
        fold(w) in _FUNCTION_WORDS for w in words(text)))


@lru_cache(maxsize=1)
def _paraphrases() -> Dict[str, Dict[str, List[str]]]:
    if not PARAPHRASES_PATH.exists():
        return {}
    return yaml.safe_load(PARAPHRASES_PATH.read_text(encoding="utf-8")) or {}


@dataclass(frozen=True)
class _References:
    vectors: np.ndarray        # one row per phrasing
    points: np.ndarray         # its key-point index
    negated: np.ndarray        # its polarity
    negatives: np.ndarray      # counter-example vectors


@lru_cache(maxsize=64)
def _references(excuse: Excuse) -> _References:
    authored = _paraphrases().get(excuse.id) or {}
    texts, points = [], []
    flat = [p for a in excuse.arguments for p in a.key_points]
    for index, point in enumerate(flat):
        for text in [point.label] + list(authored.get(point.label) or []):
            texts.append(text)
            points.append(index)
    negatives = list(_paraphrases().get(NEGATIVE_KEY) or [])
    vectors = embed(texts + negatives)
    return _References(vectors[:len(texts)], np.array(points), np.array([is_negated(t) for t in texts]),
                       vectors[len(texts):])


def key_points_made(excuse: Excuse, answer: str) -> List[ClauseHit]:
    """The key points (flat index over the excuse's arguments) the answer's clauses make, each
    with the clause that made it best."""
    parts = [c for c in clauses(answer) if len(words(c)) >= MIN_CLAUSE_WORDS]
    if not parts:
        return []
    refs = _references(excuse)
    vectors = embed(parts)
    similarity = vectors @ refs.vectors.T
    against = (vectors @ refs.negatives.T).max(axis=1) if len(refs.negatives) else np.full(len(parts), -1.0)
    best: Dict[int, ClauseHit] = {}
    for c, clause in enumerate(parts):
        negated = is_negated(clause)
        for r in np.argsort(-similarity[c]):
            score = float(similarity[c, r])
            if score < MATCH_THRESHOLD:
                break
            if refs.negated[r] != negated or score - against[c] < NEGATIVE_MARGIN:
                continue
            point = int(refs.points[r])
            if point not in best or best[point].similarity < score:
                best[point] = ClauseHit(point, clause, score)
    return sorted(best.values(), key=lambda h: h.point)


def flat_key_points(excuse: Excuse) -> List[Tuple[str, int]]:
    """(label, argument index) of every key point, in the order `key_points_made` counts them."""
    return [(p.label, i) for i, a in enumerate(excuse.arguments) for p in a.key_points]


def strongest_clause(hits: Sequence[ClauseHit]) -> Optional[ClauseHit]:
    return max(hits, key=lambda h: h.similarity) if hits else None
