"""Scores a trainee's answer in the practice mode (plain Python: no Rasa, no database).

The coach plays a sceptical CEO; the trainee answers an excuse. The answer is judged against
the key points of that excuse's counterarguments in the knowledge base: a key point counts as
covered when the answer uses one of its `terms` or a close variant of it. Deterministic, no
remote model. How German words are compared:

* Snowball's German stemmer (`snowballstemmer`) reduces inflected forms to one stem and also
  folds umlauts and their spellings without them ("Gespräche", "Gespraeche", "Gesprache" ->
  "gesprach"); `coach.german_text.fold` handles case, ß and invisible characters.
* Compounds: a term stem of 5+ letters also matches inside a longer word ("Netzwerk" in
  "Kundennetzwerk"), and two neighbouring words of the answer are also tried as one word
  ("acht mal" = "achtmal", "Kunden Gespräch" = "Kundengespräch").
* Typos: stems of 5+ letters that start alike and differ by one edit (two from 9 letters on;
  optimal string alignment distance from `rapidfuzz`, so swapped letters count once) match
  ("Sichtbarkiet", "Netzwek", "Vetrauen").
* Multi-word terms ("nicht den ganzen Tag") need all their content words close together;
  "nicht", "kein", "ohne", "nie" count as the same negation.

Trust: one word proves little ("ehrlich gesagt", "das verstehe ich"), so at least two words
of the answer must match terms; and a key point shown only by short terms ("echt", "Team",
"KI": under 5 letters) counts only next to a longer matching term. Answers under three
words score 0 ("too_short"), answers without such evidence score 0 ("off_topic").

Points per round (0–3): 0 = no key point, 1 = one key point, 2 = two key points (or more from
one argument only), 3 = three or more key points from at least two arguments.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import snowballstemmer
from rapidfuzz.distance import OSA

from coach import meaning
from coach.german_text import fold
from coach.knowledge_base import Excuse

MAX_SCORE = 3
MIN_WORDS = 3
STRONG_WORD_LENGTH = 5
MIN_EVIDENCE_WORDS = 2
VERDICT_OK, VERDICT_EMPTY, VERDICT_TOO_SHORT, VERDICT_OFF_TOPIC = "ok", "empty", "too_short", "off_topic"
VERDICT_AGAINST = "against"  # the answer's words argue against the key points
VERDICT_KEYWORDS = "keywords"  # topic words without a sentence

_NEGATION = "<nicht>"
_NEGATIONS = {"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "ohne", "nie", "niemals"}
# Function words: they never prove a key point on their own.
_STOPWORDS = set("""
a ab aber alle allem allen aller alles als also am an auch auf aus bei beim
bin bis bist bitte da dabei dadurch dafur dafuer dagegen damit dann daran darauf daruber darum
das dass davon dazu dein deine dem den denen denn der des deshalb dessen dich die dies diese
diesem diesen dieser dieses dir doch dort du durch eben ein eine einem einen einer eines einfach
einmal er es etwa etwas euch euer eure fur fuer gar gegen gibt hab habe haben hat hatte hier
hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in ins ist ja jede jedem
jeden jeder jedes jetzt kann kannst konnen koennen konnte mal man manche mehr mein meine mich
mir mit muss mussen muessen nach nachdem naja nein noch nun nur ob oder ok okay schon sehr
sein seine sich sie sind so solche soll sollen sollte sondern sonst uber ueber um und uns
unser unsere unter viel viele vom von vor war waren warum was weil welche wenn wer werden wie
wieder will wir wird wo wollen wurde zu zum zur zwar
""".split())

_STEMMER = snowballstemmer.stemmer("german")


@dataclass(frozen=True)
class Token:
    stem: str
    words: Tuple[int, ...]  # indexes of the answer words it stands for
    position: int


@dataclass(frozen=True)
class PointHit:
    """A key point the answer covered, with the answer's own words that show it."""
    label: str
    argument: int
    sources: Tuple[str, ...]
    words: Tuple[str, ...]  # phrases quoted from the answer


@dataclass(frozen=True)
class Judgement:
    verdict: str
    score: int
    hits: Tuple[PointHit, ...]
    against: Tuple[str, ...] = ()  # clauses that argued against a key point

    @property
    def labels(self) -> List[str]:
        return [h.label for h in self.hits]


@dataclass(frozen=True)
class _Term:
    stems: Tuple[str, ...]  # content stems, negation folded to one token
    weak: bool  # a single short word ("echt", "Team", "KI")


@dataclass(frozen=True)
class _KeyPoint:
    label: str
    argument: int
    sources: Tuple[str, ...]
    terms: Tuple[_Term, ...]


def stem(word: str) -> str:
    folded = fold(word)
    if folded in _NEGATIONS:
        return _NEGATION
    return _STEMMER.stemWord(folded)


_WORD_AS_TYPED = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")


def words_of(text: str) -> List[str]:
    """The answer's words as typed (case kept)."""
    return _WORD_AS_TYPED.findall(text or "")


def _is_content(word: str) -> bool:
    folded = fold(word)
    return folded in _NEGATIONS or folded in ("ki", "it") or (len(folded) > 1 and folded not in _STOPWORDS)


def _tokens(text: str) -> Tuple[List[str], List[Token]]:
    words = words_of(text)
    tokens: List[Token] = []
    position_of: Dict[int, int] = {}
    for i, word in enumerate(words):
        if _is_content(word):
            position_of[i] = len(position_of)
            tokens.append(Token(stem(word), (i,), position_of[i]))
    # Neighbouring words written apart may be one compound ("acht mal", "Kunden Gespräch").
    for i in range(len(words) - 1):
        if i in position_of or i + 1 in position_of:
            position = position_of[i] if i in position_of else position_of[i + 1]
            tokens.append(Token(stem(words[i] + words[i + 1]), (i, i + 1), position))
    return words, tokens


def _stem_matches(term: str, candidate: str, joined: bool = False) -> bool:
    """Does an answer stem show a term stem? `joined`: the candidate is two answer words
    written together, which may only match exactly or up to an inflection ending."""
    if term == candidate:
        return True
    if term == _NEGATION or candidate == _NEGATION:
        return False
    short, long_ = sorted((term, candidate), key=len)
    # Inflection the stemmer left over ("vertrau"/"vertraut", "zeitfen"/"zeitfenst").
    if len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 3:
        return True
    if joined:
        return False
    # Compounds in the answer: the term is the first or last part of a longer word.
    if len(candidate) > len(term):
        if len(term) >= 4 and candidate.startswith(term) and len(candidate) - len(term) >= 3:
            return True
        if len(term) >= 5 and candidate.endswith(term):
            return True
    # Typos: long stems, same first letter, one edit (two from 9 letters on).
    if len(short) >= 5 and term[0] == candidate[0]:
        allowed = 2 if len(long_) >= 9 else 1
        return OSA.distance(term, candidate, score_cutoff=allowed) <= allowed
    return False


def _match_term(term: _Term, tokens: Sequence[Token]) -> Optional[Tuple[int, ...]]:
    """Word indexes of the answer that show `term`, or None."""
    found: List[List[Token]] = []
    for part in term.stems:
        candidates = [t for t in tokens if _stem_matches(part, t.stem, joined=len(t.words) > 1)]
        if not candidates:
            return None
        found.append(candidates)
    if len(found) == 1:
        return found[0][0].words
    # All parts close together: try each occurrence of the first part as an anchor.
    window = 2 * len(term.stems) + 1
    for anchor in found[0]:
        chosen = [anchor]
        for candidates in found[1:]:
            near = [t for t in candidates if abs(t.position - anchor.position) <= window]
            if not near:
                break
            chosen.append(min(near, key=lambda t: abs(t.position - anchor.position)))
        else:
            return tuple(sorted({w for t in chosen for w in t.words}))
    return None


@lru_cache(maxsize=None)
def _term(text: str) -> _Term:
    parts = [w for w in words_of(text) if _is_content(w)]
    if all(fold(w) in _NEGATIONS for w in parts):  # "nicht dabei sein": keep every word
        parts = words_of(text)
    weak = len(parts) == 1 and len(fold(parts[0])) < STRONG_WORD_LENGTH
    return _Term(tuple(stem(w) for w in parts), weak)


def _key_points(excuse: Excuse) -> List[_KeyPoint]:
    return [
        _KeyPoint(point.label, index, argument.sources, tuple(_term(t) for t in point.terms))
        for index, argument in enumerate(excuse.arguments)
        for point in argument.key_points
    ]


def score_for(hits: Iterable[Tuple[str, int]]) -> int:
    """Points for the covered key points given as (label, argument index)."""
    hits = list(hits)
    labels = {label for label, _ in hits}
    arguments = {argument for _, argument in hits}
    if len(labels) >= 3 and len(arguments) >= 2:
        return 3
    return min(len(labels), 2)


def judge(excuse: Excuse, answer: str) -> Judgement:
    """Which key points of `excuse` the answer makes (by meaning, coach/meaning.py), with the
    clauses that made them, and 0–3 points."""
    words = words_of(answer)
    if not words:
        return Judgement(VERDICT_EMPTY, 0, ())
    if len(words) < MIN_WORDS:
        return Judgement(VERDICT_TOO_SHORT, 0, ())
    flat = meaning.flat_key_points(excuse)
    made = _points_made(excuse, answer)
    if meaning.is_keyword_list(answer):
        # Topic words without a sentence are no argument: one point at most.
        made = made[:1] and [max(made, key=lambda h: h.similarity)]
    hits = []
    for hit in made:
        label, index = flat[hit.point]
        hits.append(PointHit(label, index, excuse.arguments[index].sources, (hit.clause,)))
    if not hits:
        against = meaning.clauses_against(excuse, answer)
        if against:
            return Judgement(VERDICT_AGAINST, 0, (), against)
        return Judgement(VERDICT_KEYWORDS if meaning.is_keyword_list(answer) else VERDICT_OFF_TOPIC, 0, ())
    return Judgement(VERDICT_OK, score_for((h.label, h.argument) for h in hits), tuple(hits))


SUPPORT_THRESHOLD = 0.35  # a clause this close to a key point makes it when it also uses one of its terms


def _points_made(excuse: Excuse, answer: str) -> List[meaning.ClauseHit]:
    """Key points by meaning; a clause somewhat close to a point that also uses one of the
    point's terms makes it too (the words confirm what the meaning suggests). One point per clause."""
    texts, similarity = meaning.point_similarities(excuse, answer)
    points = _key_points(excuse)
    candidates = []
    for c, (clause, number) in enumerate(texts):
        tokens = _tokens(clause)[1]
        for p, point in enumerate(points):
            score = float(similarity[c, p])
            if score >= meaning.MATCH_THRESHOLD or (
                    score >= SUPPORT_THRESHOLD and any(_match_term(t, tokens) for t in point.terms)):
                candidates.append((score, p, clause, number))
    return meaning.assign(candidates)


def _phrases(text: str, indexes: Sequence[int]) -> Tuple[str, ...]:
    """The answer's own wording around the matched words; neighbours form one phrase."""
    spans = [m.span() for m in _WORD_AS_TYPED.finditer(text or "")]
    runs: List[List[int]] = []
    for i in indexes:
        if runs and i - runs[-1][-1] <= 2:  # one small word in between stays in the quote
            runs[-1].append(i)
        else:
            runs.append([i])
    return tuple(text[spans[run[0]][0]:spans[run[-1]][1]] for run in runs)


def merge(first: Sequence[PointHit], second: Sequence[PointHit]) -> List[PointHit]:
    """Key points of two answers of one round; a point counts once (first wording wins)."""
    seen = {h.label for h in first}
    return list(first) + [h for h in second if h.label not in seen]


def strongest_missed(excuse: Excuse, covered: Iterable[str]) -> Optional[int]:
    """Index of the strongest argument none of whose key points was covered."""
    covered = set(covered)
    for index, argument in enumerate(excuse.arguments):
        if not any(p.label in covered for p in argument.key_points):
            return index
    return None


def missed_points(excuse: Excuse, covered: Iterable[str]) -> List[Tuple[str, int]]:
    """Key points not covered as (label, argument index), strongest argument first."""
    covered = set(covered)
    return [(p.label, i) for i, a in enumerate(excuse.arguments) for p in a.key_points if p.label not in covered]


def hint(excuse: Excuse, covered: Iterable[str], already_hinted: Iterable[str]) -> Optional[str]:
    """A key point label of a not-yet-covered argument, strongest first, not hinted before."""
    covered, hinted = set(covered), set(already_hinted)
    open_arguments = [a for a in excuse.arguments if not any(p.label in covered for p in a.key_points)]
    for argument in open_arguments:
        for point in argument.key_points:
            if point.label not in hinted:
                return point.label
    return None


def pick_follow_up(excuse: Excuse, answer: str, seed: str) -> int:
    """Index of the "Ja, aber …" that fits the answer best (shares most words with it);
    without any overlap a seeded choice, so trainees hear different ones."""
    _, tokens = _tokens(answer)
    overlaps = []
    for yes_but in excuse.practice.yes_buts:
        stems = {t.stem for t in _tokens(yes_but)[1] if len(t.words) == 1 and len(t.stem) >= 4}
        overlaps.append(sum(1 for s in stems if any(_stem_matches(s, t.stem, len(t.words) > 1) for t in tokens)))
    best = max(overlaps)
    candidates = [i for i, overlap in enumerate(overlaps) if overlap == best]
    return random.Random(seed).choice(candidates)
