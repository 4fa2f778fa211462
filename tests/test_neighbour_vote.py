"""The vote of the nearest training examples (coach/neighbour_vote.py) on the real sentence
embedding and real n-grams, alone and inside the intent classifier trained, saved and loaded by
Rasa's storage."""
import numpy as np
import pytest
from scipy import sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.intent_classifier import NEIGHBOURS_FILE, NGramIntentClassifier
from addons.linear_text import char_vectorizer
from coach.neighbour_vote import NeighbourVote, blend, load_blocks, save_blocks
from coach.sentence_embedding import embed

# Small training sets of three intents, written for this test.
EXAMPLES = {
    "time": ["Ich habe keine Zeit dafür", "Mein Kalender ist komplett voll", "Dafür fehlt mir die Zeit",
             "Ich komme vor lauter Terminen zu nichts", "Zeitlich ist das nicht drin"],
    "privacy": ["Datenschutz geht vor", "Ich will meine Daten nicht preisgeben",
                "Was passiert mit meinen persönlichen Daten?", "Die DSGVO macht mir Sorgen",
                "Meine Daten gehören mir"],
    "weather": ["Morgen soll es regnen", "Heute scheint die Sonne", "Es ist ziemlich kalt draußen",
                "Der Wetterbericht sagt Schnee an", "Was für ein Gewitter gestern"],
}
INTENTS = sorted(EXAMPLES)


@pytest.fixture(scope="module")
def vote():
    texts = [t for intent in INTENTS for t in EXAMPLES[intent]]
    labels = np.array([INTENTS.index(intent) for intent in INTENTS for _ in EXAMPLES[intent]])
    return NeighbourVote([embed(texts)], labels, len(INTENTS), neighbours=5, temperature=0.05)


def share(vote, text, intent):
    return vote.probabilities([embed([text])])[0][INTENTS.index(intent)]


def test_a_message_near_one_intent_gets_its_vote(vote):
    assert share(vote, "Ich hab echt null Zeit, mein Terminkalender platzt", "time") > 0.6
    assert share(vote, "Es wird morgen wohl regnen", "weather") > 0.6


def test_a_message_between_two_intents_splits_the_vote(vote):
    clear = vote.probabilities([embed(["Dafür habe ich einfach keine Zeit"])])[0]
    both = vote.probabilities([embed(["Keine Zeit, und meine Daten gebe ich auch nicht her"])])[0]
    assert np.sort(both)[-2] > np.sort(clear)[-2], "the second intent gains when the message names both"
    assert share(vote, "Keine Zeit, und meine Daten gebe ich auch nicht her", "weather") < 0.2


def test_every_row_is_a_probability_distribution(vote):
    rows = vote.probabilities([embed(["Hallo", "Datenschutz", "Sonne und keine Zeit"])])
    assert rows.shape == (3, len(INTENTS))
    assert np.allclose(rows.sum(axis=1), 1.0) and (rows >= 0).all()


def test_a_colder_temperature_lets_the_closest_example_decide():
    texts = ["Ich habe keine Zeit dafür", "Morgen soll es regnen", "Heute scheint die Sonne"]
    labels = np.array([0, 1, 1])
    query = [embed(["Ich habe leider keine Zeit dafür"])]
    warm = NeighbourVote([embed(texts)], labels, 2, neighbours=3, temperature=10.0).probabilities(query)[0]
    cold = NeighbourVote([embed(texts)], labels, 2, neighbours=3, temperature=0.01).probabilities(query)[0]
    assert warm[1] > warm[0], "counted alike, the two weather examples outvote the one close example"
    assert cold[0] > 0.9


def test_blocks_side_by_side_are_one_cosine(tmp_path):
    """Sparse n-grams and the dense embedding as blocks: the cosine of the joined rows, also
    after saving and loading (float16 on disk)."""
    texts = [t for intent in INTENTS for t in EXAMPLES[intent]]
    ngrams = char_vectorizer().fit(texts)
    blocks = [ngrams.transform(texts), embed(texts) * 0.5]
    labels = np.array([INTENTS.index(intent) for intent in INTENTS for _ in EXAMPLES[intent]])
    queries = ["Kein Datenschutz bei LinkedIn", "Zu wenig Zeit"]
    query_blocks = [ngrams.transform(queries), embed(queries) * 0.5]
    joined = lambda b: np.hstack([x.toarray() if sparse.issparse(x) else x for x in b])
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)
    expected = unit(joined(query_blocks)) @ unit(joined(blocks)).T
    vote = NeighbourVote(blocks, labels, len(INTENTS))
    assert np.allclose(vote.similarities(query_blocks), expected, atol=1e-5)
    save_blocks(tmp_path / "n.npz", blocks, labels)
    loaded_blocks, loaded_labels = load_blocks(tmp_path / "n.npz")
    assert (loaded_labels == labels).all()
    assert np.allclose(NeighbourVote(loaded_blocks, loaded_labels, len(INTENTS)).similarities(query_blocks),
                       expected, atol=2e-3)


def test_blend_weighs_the_vote():
    classifier, neighbours = np.array([0.8, 0.2]), np.array([0.2, 0.8])
    assert np.allclose(blend(classifier, neighbours, 0.0), classifier)
    assert np.allclose(blend(classifier, neighbours, 0.5), [0.5, 0.5])


def component(storage, **config):
    full = {**NGramIntentClassifier.get_default_config(), "sentence_embedding_weight": 1.0, **config}
    return NGramIntentClassifier.create(full, storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test"))


def ranking(classifier, text):
    message = Message(data={TEXT: text})
    classifier.process([message])
    return {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}, message.get(INTENT)["name"]


def test_the_classifier_keeps_its_neighbours_through_save_and_load(tmp_path):
    storage = LocalModelStorage(tmp_path)
    data = TrainingData([Message(data={TEXT: t, INTENT: intent}) for intent in INTENTS for t in EXAMPLES[intent]])
    trained = component(storage, neighbour_vote_weight=0.5, neighbour_count=5)
    trained.train(data)
    assert (tmp_path / "intents" / NEIGHBOURS_FILE).exists()
    config = {**NGramIntentClassifier.get_default_config(), "sentence_embedding_weight": 1.0,
              "neighbour_vote_weight": 0.5, "neighbour_count": 5}
    loaded = NGramIntentClassifier.load(config, storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test"))
    text = "Mein Kalender ist voll bis Weihnachten"
    before, after = ranking(trained, text), ranking(loaded, text)
    assert after[1] == "time"
    assert after[0] == pytest.approx(before[0], abs=1e-3)  # float16 vectors on disk
    without = NGramIntentClassifier.load({**config, "neighbour_vote_weight": 0.0}, storage, Resource("intents"),
                                         ExecutionContext(GraphSchema({}), "test"))
    assert ranking(without, text)[0] != pytest.approx(after[0], abs=1e-6), "the vote changes the probabilities"
