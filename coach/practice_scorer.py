"""Scores a trainee's answer in the practice mode (plain Python: no Rasa, no database).

The coach plays a sceptical CEO; the trainee answers an excuse. The answer is judged against
the key points of that excuse's counterarguments in the knowledge base: a key point counts when
a clause of the answer makes it by meaning (coach/meaning.py: the sentence embedding against
authored phrasings, with the clause's polarity read by coach/answer_clauses.py), or comes
somewhat close to it and also uses one of the point's `terms` (coach/answer_words.py: stems,
compounds and typos of German words). A long answer that touches the points only in passing
talks about something else and earns nothing, and so does an answer that argues the CEO's case
with the points' words (its clauses, and the whole answer read by coach/answer_stance.py).
Deterministic, no remote model.

Answers under three words score 0 ("too_short"); a list of topic words without a sentence earns
one point at most ("keywords", with the hit when one word makes a point); an answer that makes no
point scores 0 ("off_topic", or "against" when its clauses deny a point).

Points per round (0–3) count ideas, and an argument is one idea however many of its key points
an answer touches (its two key points are facets of the same thought): 0 = no key point, 1 = the
idea of one argument, 2 = the ideas of two arguments, 3 = three or more key points from at least
two arguments.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from coach import answer_clauses, answer_stance, meaning
from coach.answer_words import WORD_AS_TYPED, Term, match_term, stem_matches, term_of, tokens_of, words_of
from coach.knowledge_base import Excuse

MAX_SCORE = 3
MIN_WORDS = 3
VERDICT_OK, VERDICT_EMPTY, VERDICT_TOO_SHORT, VERDICT_OFF_TOPIC = "ok", "empty", "too_short", "off_topic"
VERDICT_AGAINST = "against"  # the answer's words argue against the key points
VERDICT_KEYWORDS = "keywords"  # topic words without a sentence
VERDICT_AGREES = "agrees"  # no point, and the answer closes by endorsing the CEO's stance
# An answer with this many more readings that deny key points than clauses that make them argues
# the CEO's case (tuned on the answer sets' tuning part; one more or one less did worse).
AGAINST_MAJORITY = 2
# An answer with a clause that leans to the CEO and whose whole wording reads this likely as his
# case (coach/answer_stance.py) argues it (tuned on the answer sets' tuning part: 0.6 to 0.8 did
# about as well; without such a clause the model alone costs answers that make one point).
CEO_SIDE = 0.7
# ... and an answer that reads this unlikely as his case argues for LinkedIn: a clause of it that
# reads as a denial only by its negation turns a worry down (tuned the same way: 0.1 to 0.2 did
# about as well, from 0.3 on negated answers got points).
TRAINEE_SIDE = 0.15

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
class _KeyPoint:
    label: str
    argument: int
    sources: Tuple[str, ...]
    terms: Tuple[Term, ...]


def _key_points(excuse: Excuse) -> List[_KeyPoint]:
    return [
        _KeyPoint(point.label, index, argument.sources, tuple(term_of(t) for t in point.terms))
        for index, argument in enumerate(excuse.arguments)
        for point in argument.key_points
    ]


def warm_up(kb) -> None:
    """Embeds the key points' phrasings and loads the stance model now, not at the first answer."""
    meaning.warm_up(kb)
    answer_stance.stored()


def score_for(hits: Iterable[Tuple[str, int]]) -> int:
    """Points for the covered key points given as (label, argument index)."""
    hits = list(hits)
    labels = {label for label, _ in hits}
    arguments = {argument for _, argument in hits}
    if len(labels) >= 3 and len(arguments) >= 2:
        return 3
    return min(len(arguments), 2)


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
    if _in_passing(answer, made):
        made = []
    keyword_list = answer_clauses.is_keyword_list(answer)
    if keyword_list:
        # Topic words without a sentence are no argument: one point at most.
        made = made[:1] and [max(made, key=lambda h: h.similarity)]
    if made and _argues_ceos_case(excuse, answer, made, keyword_list):
        made = []
    against = meaning.clauses_against(excuse, answer) if not made else ()
    if against and not keyword_list and answer_stance.stored().ceo_side(answer) < TRAINEE_SIDE:
        # Its clauses read as denials only by their negations, and the whole answer argues for
        # LinkedIn: "Alter ist da kein Nachteil", "Keiner erwartet, dass Sie alles richtig machen"
        # turn the CEO's worry down; they make the point they come near.
        made = meaning.points_near(excuse, answer)
        made = [] if _in_passing(answer, made) else made
    hits = []
    for hit in made:
        label, index = flat[hit.point]
        hits.append(PointHit(label, index, excuse.arguments[index].sources, (hit.clause,)))
    if not hits:
        if against:
            return Judgement(VERDICT_AGAINST, 0, (), against)
        if keyword_list:
            return Judgement(VERDICT_KEYWORDS, 0, ())
        # Told that it gives the CEO right only where its closing words say so: the stance model
        # would also say it of small talk that flatters him and of some keyword lists.
        return Judgement(VERDICT_AGREES if answer_clauses.closes_on_the_ceos_side(answer) else VERDICT_OFF_TOPIC, 0, ())
    return Judgement(VERDICT_KEYWORDS if keyword_list else VERDICT_OK, score_for((h.label, h.argument) for h in hits),
                     tuple(hits))


def _argues_ceos_case(excuse: Excuse, answer: str, made: Sequence[meaning.ClauseHit], keyword_list: bool) -> bool:
    """Does an answer that makes points argue the CEO's case, with the points' words as props?"""
    dismissive = answer_clauses.dismissive_clauses(answer)
    siding = meaning.clauses_siding_with_ceo(excuse, answer)
    against = meaning.clauses_against(excuse, answer)
    making = len({hit.clause for hit in made})
    # As many clauses wave a point away ("bringt doch nichts", "halte ich für ein Märchen") or
    # argue its opposite ("Sichtbarkeit ist nett, aber …") as make one, or the readings that deny
    # points ("Kundenbeziehungen pflegen Sie nicht über Posts") clearly outnumber them.
    if len(dismissive) + len(siding) >= making or len(against) >= making + AGAINST_MAJORITY:
        return True
    # Fewer such clauses, but the answer as a whole reads as the CEO's case: its denial is worded
    # in a way no clause rule sees ("Fehler sind in Ordnung – schöner Kalenderspruch"). A list of
    # topic words keeps its own verdict.
    leaning = bool(dismissive or siding or against)
    return leaning and not keyword_list and answer_stance.stored().ceo_side(answer) >= CEO_SIDE


# A long answer (this many clauses or more) whose points come from under this share of its
# clauses, none of them a close match, talks about something else (the Thai curry course that
# ends "super als Teamevent").
IN_PASSING_MIN_CLAUSES = 4
IN_PASSING_MAX_SHARE = 0.3
CLOSE_MATCH = 0.65


def _in_passing(answer: str, made: Sequence[meaning.ClauseHit]) -> bool:
    if not made or max(hit.similarity for hit in made) >= CLOSE_MATCH:
        return False
    said = answer_clauses.arguing_clauses(answer)
    return len(said) >= IN_PASSING_MIN_CLAUSES and len(made) / len(said) < IN_PASSING_MAX_SHARE


SUPPORT_THRESHOLD = 0.35  # a clause this close to a key point makes it when it also uses one of its terms


def _points_made(excuse: Excuse, answer: str) -> List[meaning.ClauseHit]:
    """Key points by meaning; a clause somewhat close to a point that also uses one of the
    point's terms makes it too (the words confirm what the meaning suggests). One point per clause."""
    texts, similarity = meaning.point_similarities(excuse, answer)
    points = _key_points(excuse)
    candidates = []
    for c, (clause, number) in enumerate(texts):
        tokens = tokens_of(clause)[1]
        for p, point in enumerate(points):
            score = float(similarity[c, p])
            if score >= meaning.MATCH_THRESHOLD or (
                    score >= SUPPORT_THRESHOLD and any(match_term(t, tokens) for t in point.terms)):
                candidates.append((score, p, clause, number))
    return meaning.assign(candidates)


def _phrases(text: str, indexes: Sequence[int]) -> Tuple[str, ...]:
    """The answer's own wording around the matched words; neighbours form one phrase."""
    spans = [m.span() for m in WORD_AS_TYPED.finditer(text or "")]
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
    _, tokens = tokens_of(answer)
    overlaps = []
    for yes_but in excuse.practice.yes_buts:
        stems = {t.stem for t in tokens_of(yes_but)[1] if len(t.words) == 1 and len(t.stem) >= 4}
        overlaps.append(sum(1 for s in stems if any(stem_matches(s, t.stem, len(t.words) > 1) for t in tokens)))
    best = max(overlaps)
    candidates = [i for i, overlap in enumerate(overlaps) if overlap == best]
    return random.Random(seed).choice(candidates)
