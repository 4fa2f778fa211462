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
   and it must be closer to the point than to the authored counter-examples (`_negative`) and
   not clearly closer to an authored denial of any point (coach/key_point_stances.yml: "ein
   Netzwerk bringt nur Spam" denies "Netzwerk bringt Geschäftschancen" without a "nicht").
   A clause with one negation is also read through its words without it: where those make a
   point, the clause denies it ("Ihre Kunden wechseln doch nicht zum Wettbewerb"). A clause must
   also be closer to the point than to the talk near it in answers that made another argument
   (counter-examples of that point alone, `passing`).
   A clause clearly nearer to a denial than to any point sides with the CEO; the scorer weighs
   such clauses against the ones that make points (`clauses_siding_with_ceo`).
   A classifier per excuse over all phrasings (coach/point_classifier.py) adds how typical the
   clause is of the point rather than of the other points, excuses and counter-examples.
3. A list of keywords without a sentence is no argument: it earns at most one key point.

Deterministic, offline, and explainable: every hit carries the clause that made it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Tuple

import numpy as np

from coach.answer_clauses import dismissive_clauses, readings
from coach.embedding_store import stored_or_embedded
from coach import key_point_phrasings as phrasings
from coach.polarity import dismisses, negations, opposite, relieves
from coach.knowledge_base import Excuse
from coach.point_classifier import PointClassifier, fit
from coach.sentence_embedding import PRACTICE_THREADS, embed

# Tuned on tests/practice/answers_tuning.yml, answers_holdout.yml and answers_tuning_polarity.yml;
# the reading rules of coach/answer_clauses.py also on answers_third/fourth/fifth.yml;
# the classifier's weight and the reading rules on every later set but the kept-out ones
# (bench/practice_answers.py: KEPT_OUT).
MATCH_THRESHOLD = 0.5     # cosine from which a clause makes a key point
NEGATIVE_MARGIN = 0.05     # ... and by how much it must be closer to the point than to a counter-example
STANCE_MARGIN = -0.05     # ... and a denial of any point must not be clearly closer than this point
POLARITY_PENALTY = 1.0     # subtracted from the similarity to a phrasing of other polarity
PASSING_MARGIN = 0.05      # ... and than to talk near this point in answers that made other arguments
SIDING_MARGIN = 0.1        # a clause this much nearer to a denial than to any point sides with the CEO
# The classifier's probability for a point (coach/point_classifier.py) moves the similarity of a
# clause that passed the polarity and counter-example checks by this weight times its distance
# from the centre: a typical clause of the point gains, one that only shares a phrasing's words
# loses. (Moved before those checks, it lets more negated clauses through: the classifier, like
# the encoder, barely sees a "nicht".)
CLASSIFIER_WEIGHT = 0.4
CLASSIFIER_CENTRE = 0.45

@dataclass(frozen=True)
class ClauseHit:
    point: int          # index into the excuse's flat key-point list
    clause: str         # the answer's own words that made it
    similarity: float


@dataclass(frozen=True)
class _Phrasings:
    vectors: np.ndarray        # one row per phrasing
    points: np.ndarray         # its key-point index
    negations: np.ndarray      # its polarity: how many negation words (0, 1, 2+)


@dataclass(frozen=True)
class _References:
    affirm: _Phrasings         # phrasings that make a point
    deny: _Phrasings           # phrasings that argue against a point
    negatives: np.ndarray      # counter-examples of no particular point (topic words, the CEO's lines)
    passing: _Phrasings        # counter-examples of one point: talk near it in answers that made other arguments


@lru_cache(maxsize=64)
def _references(excuse: Excuse) -> _References:
    """The reference texts embedded; each sentence of an argument is given to the argument's key
    point whose label it is closest to."""
    texts = phrasings.reference_texts(excuse)
    affirm, deny, flat = list(texts.affirm), texts.deny, flat_key_points(excuse)
    vectors = _embedded(texts.all())
    labels = vectors[[[t for t, _ in affirm].index(label) for label, _ in flat]]
    for n, (sentence, argument) in enumerate(texts.sentences):
        own = [k for k, (_, i) in enumerate(flat) if i == argument]
        closest = max(own, key=lambda k: float(labels[k] @ vectors[len(affirm) + n]))
        affirm.append((sentence, closest))
    ends = np.cumsum([len(affirm), len(deny), len(texts.negatives)])
    return _References(_phrasings(affirm, vectors[:ends[0]]),
                       _phrasings(deny, vectors[ends[0]:ends[1]]),
                       vectors[ends[1]:ends[2]], _phrasings(list(texts.passing), vectors[ends[2]:]))


def references(excuse: Excuse) -> _References:
    """The phrasings the excuse's answers are compared with (scripts/derive_answer_clauses.py
    files training answers' clauses by them)."""
    return _references(excuse)


@lru_cache(maxsize=1)
def _authored() -> Tuple[Tuple[str, ...], Tuple[str, ...], np.ndarray]:
    """The authored paraphrases of every excuse's key points, embedded once: texts, the excuse
    of each, vectors."""
    rows = [(text, excuse) for excuse, points in phrasings.paraphrases().items()
            if excuse != phrasings.NEGATIVE_KEY
            for texts in points.values() for text in texts or []]
    texts = tuple(text for text, _ in rows)
    return texts, tuple(excuse for _, excuse in rows), stored_or_embedded("paraphrases", list(texts), _embed_practice)


@lru_cache(maxsize=1)
def _authored_by_text() -> Dict[str, np.ndarray]:
    texts, _, vectors = _authored()
    return dict(zip(texts, vectors))


# Reference texts of all excuses embedded in one pass at warm-up (many denials and
# counter-examples serve several excuses); emptied once the references are built.
_prefetched: Dict[str, np.ndarray] = {}


def _embed_practice(texts: List[str]) -> np.ndarray:
    return embed(texts, threads=PRACTICE_THREADS)


def _embedded(texts: List[str]) -> np.ndarray:
    """Vectors of reference texts: the authored paraphrases' from `_authored` (embedded once for
    all excuses), the prefetched ones, the rest embedded now. Nothing else runs while the
    references are built, so the encoder gets the practice threads."""
    known = _authored_by_text()
    missing = list(dict.fromkeys(t for t in texts if t not in known and t not in _prefetched))
    fresh = dict(zip(missing, embed(missing, threads=PRACTICE_THREADS))) if missing else {}
    rows = [known[t] if t in known else _prefetched[t] if t in _prefetched else fresh[t] for t in texts]
    return np.array(rows, dtype=np.float32).reshape(len(texts), -1)


# Every third phrasing of the other excuses stands for them in the classifier: as good on the
# answer sets as all of them, and the fits at start take a third of the time.
OTHER_STRIDE = 3


@lru_cache(maxsize=64)
def _classifier(excuse: Excuse) -> PointClassifier:
    """The excuse's key points against its counter-examples and denials and against the other
    excuses' phrasings (every OTHER_STRIDE-th)."""
    refs = _references(excuse)
    _, owners, vectors = _authored()
    others = vectors[[owner != excuse.id for owner in owners]][::OTHER_STRIDE] if owners else vectors[:0]
    return fit(refs.affirm.vectors, refs.affirm.points, np.concatenate([refs.negatives, refs.deny.vectors, others]),
               name=f"point-classifier-{excuse.id}")


def _phrasings(items: List[Tuple[str, int]], vectors: np.ndarray) -> _Phrasings:
    return _Phrasings(vectors, np.array([i for _, i in items], dtype=int),
                      np.array([negations(t) for t, _ in items], dtype=int))


def clear_caches() -> None:
    """Forget the phrasings, their vectors and the classifiers (after the phrasing files changed)."""
    phrasings.clear_caches()
    for cached in (_references, _authored, _authored_by_text, _classifier, _read):
        cached.cache_clear()


def warm_up(kb) -> None:
    """Embeds every excuse's key-point phrasings (or reads them from coach/embedding_store.py)
    and fits its classifier now, not at the first answer."""
    excuses = list(kb.excuses.values())
    known = _authored_by_text()
    texts = list(dict.fromkeys(t for e in excuses for t in phrasings.reference_texts(e).all() if t not in known))
    _prefetched.update(zip(texts, stored_or_embedded("references", texts, _embed_practice)))
    try:
        for excuse in excuses:
            _references(excuse)
            _classifier(excuse)
    finally:
        _prefetched.clear()


def point_similarities(excuse: Excuse, answer: str) -> Tuple[List[Tuple[str, int]], np.ndarray]:
    """The answer's clauses (text and clause number, see `answer_clauses.readings`) and, per clause and key point,
    how close the clause comes to making it (-1 where it is nearer to a counter-example or to a
    denial of that point than the margins allow)."""
    reading = _read(excuse, answer)
    return reading.clauses, reading.made


def clauses_against(excuse: Excuse, answer: str) -> Tuple[str, ...]:
    """Clauses that come close to a key point but deny it ("ein Netzwerk bringt keine Kunden")."""
    return _read(excuse, answer).against


def clauses_siding_with_ceo(excuse: Excuse, answer: str) -> Tuple[int, ...]:
    """The numbers of the answer's clauses that argue the CEO's case by meaning: every reading of
    the clause that comes near the points is clearly nearer to a denial of some point than to
    any point, in its own polarity ("Kundenbeziehungen pflegen Sie nicht über Posts",
    "Sichtbarkeit ist nett"). Such a clause makes no point itself. "Sie müssen keine Abteilung
    aufbauen" takes a burden off the CEO and sides with nobody."""
    return _read(excuse, answer).siding


@dataclass(frozen=True)
class _Reading:
    clauses: List[Tuple[str, int]]
    made: np.ndarray                 # clause × key point: similarity, or -1
    against: Tuple[str, ...]         # clauses nearer to a denial of a point than to the point
    siding: Tuple[int, ...] = ()     # numbers of the clauses that side with the CEO (`clauses_siding_with_ceo`)
    against_near: Tuple[np.ndarray, ...] = ()  # per `against` clause and key point: its best similarity, any polarity


def _closest(phrasings: _Phrasings, similarity: np.ndarray, negated: int, points: int) -> np.ndarray:
    """Per key point, the best similarity of one clause to its phrasings; a phrasing of other
    polarity (negation count) costs POLARITY_PENALTY, as the encoder barely sees a "nicht"."""
    return _best_per_point(phrasings, similarity - POLARITY_PENALTY * (phrasings.negations != negated), points)


def _best_per_point(phrasings: _Phrasings, similarity: np.ndarray, points: int) -> np.ndarray:
    """Per key point, the highest of `similarity` (one value per phrasing) among its phrasings; -1 without any."""
    best = np.full(points, -1.0)
    if len(similarity):
        np.maximum.at(best, phrasings.points, similarity)
    return best


@lru_cache(maxsize=8)
def _read(excuse: Excuse, answer: str) -> _Reading:
    read = readings(answer)
    # Dismissive clauses ("Mitlesen bringt eh nix") make no point; they may argue against one.
    dismissive = dismissive_clauses(answer)
    refs = _references(excuse)
    points = int(refs.affirm.points.max()) + 1
    made = np.full((len(read), points), -1.0)
    if not read and not dismissive:
        return _Reading([], made, ())
    # A singly negated clause says the opposite of its words without the negation ("Schweigen hat
    # noch keinem geschadet" denies "Schweigen schadet auch"): the encoder barely sees a "nicht",
    # so the clause is also read through its positive version.
    positives = {c: opposite(text) for c, (text, negated, _) in enumerate(read) if negated == 1}
    positives = {c: text for c, text in positives.items() if text}
    vectors = embed([text for text, _, _ in read] + dismissive + list(positives.values()), threads=PRACTICE_THREADS)
    ends = len(read) + len(dismissive)
    dismissive_to_affirm = vectors[len(read):ends] @ refs.affirm.vectors.T
    near = np.concatenate([dismissive_to_affirm, vectors[len(read):ends] @ refs.deny.vectors.T], axis=1)
    against = [c for c, row in zip(dismissive, near) if row.size and row.max() >= MATCH_THRESHOLD]
    # Per clause that argues against a point, how near it comes to each point whatever its polarity
    # (`points_near`); a clause read twice keeps its first reading, as `against` does.
    near_points: Dict[str, np.ndarray] = {}
    for clause, row in zip(dismissive, dismissive_to_affirm):
        if clause in against:
            near_points.setdefault(clause, _best_per_point(refs.affirm, row, points))
    positive_of = dict(zip(positives, vectors[ends:]))
    vectors = vectors[:len(read)]
    to_affirm, to_deny = vectors @ refs.affirm.vectors.T, vectors @ refs.deny.vectors.T
    against_any = (vectors @ refs.negatives.T).max(axis=1) if len(refs.negatives) else np.full(len(read), -1.0)
    to_passing = vectors @ refs.passing.vectors.T
    typical = CLASSIFIER_WEIGHT * (_classifier(excuse).probabilities(vectors, points) - CLASSIFIER_CENTRE)
    sides: Dict[int, bool] = {}
    for c, (text, negated, number) in enumerate(read):
        affirm = _closest(refs.affirm, to_affirm[c], negated, points)
        deny = _closest(refs.deny, to_deny[c], negated, points)
        # A clause sides with the CEO when every reading of it that comes near the points
        # (the whole clause and its parts) is clearly nearer to a denial.
        if max(deny.max(), affirm.max()) >= MATCH_THRESHOLD:
            sides[number] = sides.get(number, True) and not relieves(text) and (
                deny.max() - affirm.max() >= SIDING_MARGIN)
        if c in positive_of:
            # Its positive version making a point is the clause denying it (after the siding
            # check: read that way, antonyms such as "nicht schlimm" would side with the CEO).
            said = _closest(refs.affirm, refs.affirm.vectors @ positive_of[c], 0, points)
            deny = np.maximum(deny, said)
        # A clause nearer to a denial of any point than to this point argues against it.
        passing = _best_per_point(refs.passing, to_passing[c], points)
        ok = (affirm - against_any[c] >= NEGATIVE_MARGIN) & (affirm - deny.max() >= STANCE_MARGIN) & (
            affirm - passing >= PASSING_MARGIN)
        made[c] = np.where(ok, affirm + typical[c], -1.0)
        # For the feedback, a clause without a negation (as read in its sentence: "dass … nicht …,
        # ist ein Märchen" has none) argues against a point only when it is clearly nearer to a
        # denial than to every point and to the counter-examples: "LinkedIn ist halt wichtig" is
        # mere talk about LinkedIn, not a word for the CEO, however short the denials of trainees
        # that mention LinkedIn.
        if not ok.any() and (np.maximum(affirm, deny).max() >= MATCH_THRESHOLD) and (
                negated == 1 or dismisses(text) or deny.max() - max(affirm.max(), against_any[c]) >= SIDING_MARGIN):
            against.append(text)
            near_points.setdefault(text, _best_per_point(refs.affirm, to_affirm[c], points))
    against = list(dict.fromkeys(against))
    return _Reading([(text, number) for text, _, number in read], made, tuple(against),
                    tuple(number for number, side in sides.items() if side),
                    tuple(near_points[text] for text in against))


def points_near(excuse: Excuse, answer: str) -> List[ClauseHit]:
    """The key point each clause of `clauses_against` comes closest to, whatever its polarity
    (the closest phrasing from the threshold on; each clause one point, each point once)."""
    reading = _read(excuse, answer)
    candidates = []
    for number, (clause, best) in enumerate(zip(reading.against, reading.against_near)):
        point = int(best.argmax())
        if best[point] >= MATCH_THRESHOLD:
            candidates.append((float(best[point]), point, clause, number))
    return assign(candidates)


def assign(candidates: List[Tuple[float, int, str, int]]) -> List[ClauseHit]:
    """(score, point, clause text, clause number) candidates -> hits, best first, so that each
    clause of the answer makes one key point at most and each point is made once."""
    hits, used_points, used_clauses = [], set(), set()
    for score, point, text, number in sorted(candidates, key=lambda c: -c[0]):
        if point in used_points or number in used_clauses:
            continue
        hits.append(ClauseHit(point, text, score))
        used_points.add(point)
        used_clauses.add(number)
    return sorted(hits, key=lambda h: h.point)


def flat_key_points(excuse: Excuse) -> List[Tuple[str, int]]:
    """(label, argument index) of every key point, in the order `point_similarities` numbers them."""
    return [(p.label, i) for i, a in enumerate(excuse.arguments) for p in a.key_points]
