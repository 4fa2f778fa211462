"""The practice scorer's classifier of key points (coach/point_classifier.py): on made-up
vectors, and on the real phrasings with the real encoder. Sentences written for these tests,
not taken from the answer sets."""
import numpy as np
import pytest

from coach import meaning
from coach.knowledge_base import load
from coach.point_classifier import NO_POINT, fit
from coach.sentence_embedding import embed

KB = load()


def _cloud(centre, count, rng):
    vectors = centre + 0.1 * rng.standard_normal((count, len(centre)))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_vector_among_a_points_examples_gets_that_point():
    rng = np.random.default_rng(0)
    axes = np.eye(8)
    points = np.concatenate([_cloud(axes[0], 20, rng), _cloud(axes[1], 20, rng)])
    classifier = fit(points, np.repeat([0, 1], 20), _cloud(axes[2], 60, rng))
    probabilities = classifier.probabilities(np.stack([axes[0], axes[1], axes[2]]), points=2)
    assert probabilities.shape == (3, 2)
    assert probabilities[0, 0] > 0.9 and probabilities[1, 1] > 0.9
    assert probabilities[2].max() < 0.1  # the rest: no point of this excuse


def test_one_point_against_the_rest_works_as_two_classes():
    rng = np.random.default_rng(1)
    axes = np.eye(4)
    classifier = fit(_cloud(axes[0], 10, rng), np.zeros(10, dtype=int), _cloud(axes[1], 10, rng))
    assert list(classifier.classes) == [NO_POINT, 0]
    probabilities = classifier.probabilities(np.stack([axes[0], axes[1]]), points=1)
    assert probabilities[0, 0] > 0.7 and probabilities[1, 0] < 0.3


def _point(excuse, label):
    return [text for text, _ in meaning.flat_key_points(excuse)].index(label)


def test_a_clause_in_own_words_is_typical_of_its_point_and_not_of_another_excuses():
    no_time = KB.excuse("excuse_no_time")
    vectors = embed(["Zweimal die Woche ein Viertelstündchen im Kalender blocken, das langt dicke",
                     "Ihre Betriebsgeheimnisse und Preislisten gehören natürlich nicht ins Netz"])
    probabilities = meaning._classifier(no_time).probabilities(vectors, len(meaning.flat_key_points(no_time)))
    small_slots = _point(no_time, "Kleine feste Zeitfenster genügen")
    assert probabilities[0].argmax() == small_slots
    assert probabilities[1].max() < 0.5 < probabilities[0, small_slots]


def test_the_classifier_moves_a_clause_that_only_shares_a_phrasings_words(monkeypatch):
    """"Ihre Monteure sind jeden Tag bei Kunden unterwegs" shares words with phrasings of "Kunden
    lesen still mit"; among all phrasings it is more typical of "Mitarbeitende liefern Ideen"."""
    no_ideas = KB.excuse("excuse_no_ideas")
    answer = "Ihre Monteure sind jeden Tag bei Kunden unterwegs."
    readers, staff = _point(no_ideas, "Kunden lesen still mit"), _point(no_ideas, "Mitarbeitende liefern Ideen")
    monkeypatch.setattr(meaning, "CLASSIFIER_WEIGHT", 0.0)
    meaning._read.cache_clear()
    without = meaning.point_similarities(no_ideas, answer)[1][0]
    monkeypatch.undo()
    meaning._read.cache_clear()
    shift = meaning.point_similarities(no_ideas, answer)[1][0] - without
    assert without[readers] > -1 and without[staff] > -1  # both pass the checks before the classifier
    # It loses for the point whose words it only shares, and loses less (or gains) for the one it is typical of.
    assert shift[readers] < 0 and shift[readers] < shift[staff]


@pytest.mark.parametrize("excuse", sorted(KB.excuses))
def test_every_excuse_has_a_classifier_over_all_its_key_points(excuse):
    classifier = meaning._classifier(KB.excuse(excuse))
    points = len(meaning.flat_key_points(KB.excuse(excuse)))
    assert sorted(classifier.classes) == [NO_POINT] + list(range(points))
