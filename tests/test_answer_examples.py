"""The practice scorer's training answers (coach/answer_examples/) and the key-point phrasings
derived from them (coach/key_point_answer_clauses.yml, scripts/derive_answer_clauses.py): well
formed, apart from every evaluation set, and in step with each other."""
import sys
from pathlib import Path

import pytest
import yaml

from coach import key_point_phrasings as phrasings
from coach.knowledge_base import load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import derive_answer_clauses as derivation  # noqa: E402

KB = load()
BANDS = {"strong": [2, 3], "one_point": [1, 1], "agree": [0, 0], "negated": [0, 0], "keywords": [0, 1],
         "off_topic": [0, 0]}
ANSWERS = derivation.training_answers()


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
            for clause in sides.get("for", []) + sides.get("against", []):
                assert any(clause in text for text in by_excuse[excuse_id]), clause


def test_the_scorer_reads_derived_clauses_as_phrasings_and_denials():
    excuse_id, points = next(iter(_derived().items()))
    label, sides = next((label, sides) for label, sides in points.items() if sides.get("for") and sides.get("against"))
    assert set(sides["for"]) <= set(phrasings.paraphrases()[excuse_id][label])
    assert set(sides["against"]) <= set(phrasings.stances()[excuse_id][label]["deny_plain"])


@pytest.mark.slow
def test_derived_clauses_are_in_step_with_the_training_answers_and_phrasings():
    # Fails when the training answers or the authored phrasings changed without rerunning
    # scripts/derive_answer_clauses.py.
    assert derivation.derive() == _derived()
