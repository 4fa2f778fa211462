"""Turns the practice scorer's training answers (coach/answer_examples/*.yml) into phrasings of
key points (coach/key_point_answer_clauses.yml), which coach/meaning.py reads beside the authored
paraphrases and denials.

A training answer says which arguments it makes, not which words make them. For each argument an
answer makes, the clause of the answer closest in meaning to one of that argument's phrasings
(as the scorer knows them without this file) becomes a phrasing of that phrasing's key point; a
clause serves one argument, and it must be the trainee's own claim (not conceded, quoted or
hearsay, as coach/answer_clauses.py reads it) and nearer the argument than the CEO's lines. Every
such own claim of an answer that sides with the CEO (`negated`, `agree`) that comes near a key
point at all, and closes its sentence, becomes a denial of the nearest one (of the arguments the
answer turns against, where the writer named them: `denies`). A clause of an off-topic answer that
comes near a point becomes a counter-example; a clause of a one-point answer that comes near a
point of another argument becomes a counter-example of that point only (`passing`). So the scorer
learns the points, their denials and the talk beside them in the words trainees use in a whole
answer.

    .venv/bin/python scripts/derive_answer_clauses.py     # rewrites coach/key_point_answer_clauses.yml
"""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach import key_point_phrasings, meaning  # noqa: E402
from coach import training_answers  # noqa: E402
from coach.answer_clauses import arguing_clauses, is_keyword_list, readings  # noqa: E402
from coach.knowledge_base import Excuse, load  # noqa: E402
from coach.polarity import words  # noqa: E402
from coach.sentence_embedding import PRACTICE_THREADS, embed  # noqa: E402

MIN_WORDS = 3          # shorter clauses ("Ganz ehrlich") carry no point
NEAR_A_POINT = 0.4     # a CEO-siding clause farther than this from every phrasing talks about something else
MAKING = ("strong", "one_point")
SIDING = ("negated", "agree")
ELSEWHERE = ("off_topic",)
HEADER = """# Key-point phrasings in trainees' words, derived by scripts/derive_answer_clauses.py from the
# training answers in coach/answer_examples/ (written by helpers who saw neither the scorer's
# phrasings nor the evaluation answer sets). `for`: the clause of an answer that makes an argument,
# under the argument's key point it is closest to; `against`: clauses of answers that side with
# the CEO, under the key point they come nearest; `beside`: clauses of off-topic answers near a
# point (counter-examples); `passing`: clauses of one-point answers near a point of an argument the
# answer does not make (counter-examples of that point). Do not edit by hand; rerun the script.
"""


def _clauses(answer: str) -> List[str]:
    return [c for c in arguing_clauses(answer) if len(words(c)) >= MIN_WORDS]


def _closes_its_sentence(clause: str, answer: str) -> bool:
    """Does the clause end its sentence? A CEO-siding sentence states the point first and waves
    it away at its end ("Zehn Minuten hier, zehn Minuten da – das summiert sich"): only its
    closing clause is a denial; a list of topic words is none."""
    if is_keyword_list(clause):
        return False
    for sentence in re.split(r"(?<=[.!?…])\s+", answer):
        if clause in sentence:
            return sentence.rstrip(" .!?…\"“”»«'").endswith(clause)
    return False


def derive_one(excuse: Excuse, item: dict, out: Dict[str, Dict[str, List[str]]]) -> None:
    clauses = _clauses(item["answer"])
    if not clauses:
        return
    references = meaning.references(excuse)
    flat = meaning.flat_key_points(excuse)
    vectors = embed(clauses, threads=PRACTICE_THREADS)
    similarity = vectors @ references.affirm.vectors.T
    ceo_like = (vectors @ references.negatives.T).max(axis=1)
    labels = [flat[p][0] for p in references.affirm.points]
    claimed = {text for text, _, _ in readings(item["answer"])}
    if item["kind"] in MAKING:
        used = set()
        for argument in item.get("arguments") or []:
            own = [i for i, p in enumerate(references.affirm.points) if flat[p][1] == argument - 1]
            if not own:
                continue
            sub = similarity[:, own]
            # Stable: a phrasing filed under two points ties exactly, and numpy's default sort
            # orders ties differently on different CPUs (AVX-512 or not).
            for c, j in zip(*np.unravel_index(np.argsort(-sub, axis=None, kind="stable"), sub.shape)):
                # The trainee's own claim (not a concession or hearsay), nearer the argument
                # than the CEO's lines and the counter-examples.
                if c not in used and clauses[c] in claimed and sub[c, j] > ceo_like[c]:
                    used.add(c)
                    out.setdefault(labels[own[j]], {}).setdefault("for", []).append(clauses[c])
                    break
        if item["kind"] == "one_point":
            # The writer says the answer makes one argument: its other clauses that come near
            # a point of another argument touch it in passing and do not make it.
            made = {argument - 1 for argument in item["arguments"]}
            for c, row in enumerate(similarity):
                nearest = int(np.argmax(row))
                touched = flat[references.affirm.points[nearest]][1]
                if c not in used and row[nearest] >= NEAR_A_POINT and touched not in made:
                    out.setdefault(labels[nearest], {}).setdefault("passing", []).append(clauses[c])
    elif item["kind"] in SIDING:
        # Only what the answer claims in its own voice: hearsay, concessions and clauses taken
        # back ("die Berater erzählen ja immer …") are read as such already (coach/answer_clauses.py).
        # Where the writer named the arguments the answer turns against (`denies`), a denial is
        # filed under the nearest of their points.
        denied = {argument - 1 for argument in item.get("denies") or []}
        mask = np.array([not denied or flat[p][1] in denied for p in references.affirm.points])
        for c, row in enumerate(np.where(mask, similarity, -1.0)):
            own_denial = clauses[c] in claimed and _closes_its_sentence(clauses[c], item["answer"])
            if row.max() >= NEAR_A_POINT and own_denial:
                out.setdefault(labels[int(np.argmax(row))], {}).setdefault("against", []).append(clauses[c])
    elif item["kind"] in ELSEWHERE:
        for c, row in enumerate(similarity):
            if row.max() >= NEAR_A_POINT:
                out.setdefault(labels[int(np.argmax(row))], {}).setdefault("beside", []).append(clauses[c])


@contextmanager
def _authored_phrasings_only():
    """The scorer's phrasings without the derived ones (the mapping must not depend on itself)."""
    saved = key_point_phrasings.ANSWER_CLAUSES_PATH
    key_point_phrasings.ANSWER_CLAUSES_PATH = Path("/nonexistent")
    meaning.clear_caches()
    try:
        yield
    finally:
        key_point_phrasings.ANSWER_CLAUSES_PATH = saved
        meaning.clear_caches()


def derive() -> Dict[str, Dict[str, Dict[str, List[str]]]]:
    kb = load()
    result: Dict[str, Dict[str, Dict[str, List[str]]]] = {}
    with _authored_phrasings_only():
        for item in training_answers.load():
            derive_one(kb.excuse(item["excuse"]), item, result.setdefault(item["excuse"], {}))
    return {excuse: {label: {side: list(dict.fromkeys(texts)) for side, texts in sorted(sides.items(), reverse=True)}
                     for label, sides in points.items()} for excuse, points in result.items()}


def main() -> int:
    derived = derive()
    path = key_point_phrasings.ANSWER_CLAUSES_DEFAULT
    path.write_text(HEADER + yaml.safe_dump(derived, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")
    count = sum(len(t) for points in derived.values() for sides in points.values() for t in sides.values())
    print(f"{count} clauses -> {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
