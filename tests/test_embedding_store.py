"""coach/embedding_store.py: the scorer's reference vectors and classifiers, kept between starts."""
import numpy as np
import pytest

from coach import embedding_store
from coach.embedding_store import STORE_ENV, stored_or_embedded
from coach.point_classifier import fit
from coach.sentence_embedding import embed

TEXTS = ["Eine Viertelstunde am Morgen reicht", "Ihre Kunden lesen still mit", "Fehler verzeiht man schnell"]


class CountingEncoder:
    def __init__(self):
        self.calls = 0

    def __call__(self, texts):
        self.calls += 1
        return embed(texts)


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    monkeypatch.setenv(STORE_ENV, str(folder))
    return folder


def test_a_second_start_reads_the_vectors_the_first_kept(store):
    encoder = CountingEncoder()
    first = stored_or_embedded("references", TEXTS, encoder)
    second = stored_or_embedded("references", TEXTS, encoder)
    assert encoder.calls == 1
    assert np.array_equal(first, second)
    assert np.array_equal(second, embed(TEXTS))
    assert len(list(store.glob("references-*.npz"))) == 1


def test_changed_texts_are_embedded_anew_and_replace_the_outdated_file(store):
    encoder = CountingEncoder()
    stored_or_embedded("references", TEXTS, encoder)
    stored_or_embedded("paraphrases", TEXTS, encoder)
    changed = stored_or_embedded("references", TEXTS[:2] + ["Fehler hängen einem ewig nach"], encoder)
    assert encoder.calls == 3
    assert np.allclose(changed[2], embed(["Fehler hängen einem ewig nach"])[0], atol=1e-5)  # alone, not in a batch
    assert len(list(store.glob("references-*.npz"))) == 1
    assert len(list(store.glob("paraphrases-*.npz"))) == 1  # another name's file stays


def test_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, "off")
    monkeypatch.setattr(embedding_store, "DEFAULT_STORE", tmp_path / "default")
    encoder = CountingEncoder()
    stored_or_embedded("references", TEXTS, encoder)
    stored_or_embedded("references", TEXTS, encoder)
    assert encoder.calls == 2
    assert not (tmp_path / "default").exists()


def test_a_store_that_cannot_be_written_or_read_costs_time_not_vectors(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("no folder here")
    monkeypatch.setenv(STORE_ENV, str(blocked))
    assert np.array_equal(stored_or_embedded("references", TEXTS, CountingEncoder()), embed(TEXTS))

    folder = tmp_path / "store"
    monkeypatch.setenv(STORE_ENV, str(folder))
    stored_or_embedded("references", TEXTS, CountingEncoder())
    [kept] = folder.glob("references-*.npz")
    kept.write_bytes(b"cut off mid-write")
    encoder = CountingEncoder()
    assert np.array_equal(stored_or_embedded("references", TEXTS, encoder), embed(TEXTS))
    assert encoder.calls == 1


def test_a_kept_point_classifier_is_the_one_a_fresh_fit_gives(store, monkeypatch):
    points = embed(["Zehn Minuten am Tag reichen", "Kurze feste Zeitfenster genügen",
                    "Ihre Kunden sind dort", "Entscheider lesen dort mit"])
    others = embed(["Das Wetter ist schön", "Ich habe keine Zeit", "Social Media ist Spielerei"])
    indexes = np.array([0, 0, 1, 1])
    kept = fit(points, indexes, others, name="point-classifier-test")
    read = fit(points, indexes, others, name="point-classifier-test")
    # A name that begins another's replaces only its own file; without a name nothing is kept.
    fit(points, indexes, others[:2], name="point-classifier")
    fit(points, indexes, others[:1])
    assert len(list(store.glob("point-classifier-test-*.npz"))) == 1
    assert len(list(store.glob("*.npz"))) == 2
    monkeypatch.setenv(STORE_ENV, "off")
    fresh = fit(points, indexes, others)
    for classifier in (kept, read):
        assert np.array_equal(classifier.weights, fresh.weights)
        assert np.array_equal(classifier.bias, fresh.bias)
        assert np.array_equal(classifier.classes, fresh.classes)
    assert len(list(store.glob("point-classifier-test-*.npz"))) == 1
    probe = embed(["Eine Viertelstunde genügt"])
    assert read.probabilities(probe, 2)[0].argmax() == 0
