"""Which practical how-to question ("Praxisfrage") a `faq` message asks.

Rasa's ResponseSelector picks the answer to a retrieval intent (`faq/profile_photo`, …) with a
TensorFlow model; this component does the same job with the pipeline's own tools (TF-IDF n-grams
and the sentence embedding, one logistic regression), which train in seconds and cost about a
millisecond per message. Its output has the ResponseSelector's format (`response_selector.faq`
with `utter_action`), so Rasa's retrieval actions and our `action_answer_faq` read it alike.
It only runs when the intent classifier ranks `faq` among its best three intents.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from addons.linear_text import LinearTextComponent, char_vectorizer, one_vs_rest, word_vectorizer
from coach.sentence_embedding import embed
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

RETRIEVAL_INTENT = "faq"
PROPERTY = "response_selector"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(LinearTextComponent):
    """Picks the FAQ topic of a message the intent classifier reads as `faq`."""

    VECTORIZER_NAMES = ["0", "1"]
    NO_MODEL_WARNING = "FaqSelector has no trained model; FAQ questions get no topic."

    @staticmethod
    def _new_vectorizers() -> List[TfidfVectorizer]:
        return [char_vectorizer(), word_vectorizer()]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "ranking_length": 3}

    def _features(self, texts: List[str]):
        return hstack([super()._features(texts), csr_matrix(embed(texts))]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) == RETRIEVAL_INTENT and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)]
        if len({e.get(INTENT_RESPONSE_KEY) for e in examples}) < 2:
            return self._resource
        return self._fit([e.get(TEXT) for e in examples], [e.get(INTENT_RESPONSE_KEY) for e in examples],
                         self._new_vectorizers(), one_vs_rest(self._config["C"]))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            if self._classifier is None or RETRIEVAL_INTENT not in [r.get("name") for r in ranking[:3]]:
                continue
            probabilities = self._classifier.predict_proba(self._features([message.get(TEXT) or ""]))[0]
            order = np.argsort(-probabilities)[: int(self._config["ranking_length"])]
            topics = [{"intent_response_key": str(self._classifier.classes_[i]),
                       "confidence": float(probabilities[i])} for i in order]
            best = topics[0]
            message.set(PROPERTY, {
                "all_retrieval_intents": [RETRIEVAL_INTENT],
                RETRIEVAL_INTENT: {
                    "response": {**best, "utter_action": f"utter_{best['intent_response_key']}"},
                    "ranking": topics,
                },
            }, add_to_output=True)
        return messages
