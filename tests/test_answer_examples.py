"""The practice scorer's training answers (coach/answer_examples/) and the key-point phrasings
derived from them (coach/key_point_answer_clauses.yml, scripts/derive_answer_clauses.py): well
formed, apart from every evaluation set, and in step with each other."""
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from coach import key_point_phrasings as phrasings
from coach import meaning
from coach import answer_stance, training_answers
from coach.knowledge_base import load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import derive_answer_clauses as derivation  # noqa: E402
import derive_answer_stance as stance_derivation  # noqa: E402

KB = load()
BANDS = {"strong": [2, 3], "one_point": [1, 1], "agree": [0, 0], "negated": [0, 0], "keywords": [0, 1],
         "off_topic": [0, 0]}
ANSWERS = training_answers.load()


def _derived():
    return yaml.safe_load(phrasings.ANSWER_CLAUSES_DEFAULT.read_text(encoding="utf-8"))


def test_training_answers_are_well_formed():
    assert len(ANSWERS) >= 1000
    assert len({a["id"] for a in ANSWERS}) == len(ANSWERS)
    for answer in ANSWERS:
        excuse = KB.excuse(answer["excuse"])
        assert excuse is not None, answer["id"]
        assert answer["band"] == BANDS[answer["kind"]], answer["id"]
        arguments = answer.get("arguments") or []
        assert all(1 <= n <= len(excuse.arguments) for n in arguments), answer["id"]
        if answer["kind"] == "one_point":
            assert len(set(arguments)) == 1, answer["id"]
        if answer["kind"] == "strong":
            assert len(set(arguments)) == len(arguments) >= 2, answer["id"]
        denies = answer.get("denies") or []
        assert all(1 <= n <= len(excuse.arguments) for n in denies), answer["id"]
        assert not denies or (answer["kind"] == "negated" and not arguments), answer["id"]


def test_no_training_answer_is_an_evaluation_answer():
    evaluation = {a["answer"].strip() for path in (ROOT / "tests" / "practice").glob("answers_*.yml")
                  for a in yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]}
    assert not evaluation & {a["answer"].strip() for a in ANSWERS}


def test_every_derived_clause_comes_from_a_training_answer_of_its_excuse():
    by_excuse = {}
    for answer in ANSWERS:
        by_excuse.setdefault(answer["excuse"], []).append(answer["answer"])
    for excuse_id, points in _derived().items():
        labels = {p.label for a in KB.excuse(excuse_id).arguments for p in a.key_points}
        for label, sides in points.items():
            assert label in labels, (excuse_id, label)
            assert set(sides) <= {"for", "against", "beside", "passing"}, (excuse_id, label)
            for clause in (clause for texts in sides.values() for clause in texts):
                assert any(clause in text for text in by_excuse[excuse_id]), clause


def test_the_scorer_reads_derived_clauses_as_phrasings_and_denials():
    excuse_id, points = next(iter(_derived().items()))
    label, sides = next((label, sides) for label, sides in points.items() if sides.get("for") and sides.get("against"))
    assert set(sides["for"]) <= set(phrasings.paraphrases()[excuse_id][label])
    assert set(sides["against"]) <= set(phrasings.stances()[excuse_id][label]["deny_plain"])


def test_one_point_answers_teach_what_touching_another_argument_in_passing_looks_like(monkeypatch):
    # A clause that a one-point answer said beside its argument, near a point of another argument,
    # counts against that point: the scorer reads it as the point only when the check is off.
    excuse_id, points = next(iter(_derived().items()))
    excuse = KB.excuse(excuse_id)
    flat = [label for label, _ in meaning.flat_key_points(excuse)]
    passing = [(clause, flat.index(label)) for label, sides in points.items() for clause in sides.get("passing", [])]
    assert passing

    def made(clause, point):
        meaning._read.cache_clear()
        similarity = meaning.point_similarities(excuse, clause)[1]
        return bool(similarity.size) and similarity.max(axis=0)[point] > -1

    assert not any(made(clause, point) for clause, point in passing)
    monkeypatch.setattr(meaning, "PASSING_MARGIN", -2.0)
    assert any(made(clause, point) for clause, point in passing)
    meaning._read.cache_clear()


@pytest.mark.slow
def test_derived_clauses_are_in_step_with_the_training_answers_and_phrasings():
    # Fails when the training answers or the authored phrasings changed without rerunning
    # scripts/derive_answer_clauses.py.
    assert derivation.derive() == _derived()


@pytest.mark.slow
def test_stored_stance_model_is_in_step_with_the_training_answers():
    # Fails when the training answers changed without rerunning scripts/derive_answer_stance.py.
    fresh, stored = stance_derivation.derive(), answer_stance.load()
    for new, old in zip(fresh.vectorizers, stored.vectorizers):
        assert new.vocabulary_ == old.vocabulary_
        assert np.allclose(new.idf_, old.idf_, atol=1e-5)
    assert np.allclose(fresh.weights, stored.weights, atol=1e-5) and abs(fresh.bias - stored.bias) < 1e-5
