"""Finds every excuse in a message that names more than one ("keine Zeit und Datenschutz").

Rasa's multi-intents would need training examples for each of the 136 excuse pairs. Instead
this component splits the message into clauses and classifies each clause on its own with a
small character-n-gram model trained on the same NLU data. When the clauses name two or more
different excuses, each is added as an `excuse` entity, in the order the user named them; the
coaching action answers all of them. Single-excuse messages get no entity and are untouched.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.german_text import fold

logger = logging.getLogger(__name__)

EXCUSE_PREFIX = "excuse_"
ENTITY_NAME = "excuse"
OTHER = "__other__"

# Where people join two complaints: sentence ends, dashes, commas and linking words.
_LINKING_WORDS = (
    r"(?:und|außerdem|ausserdem|zudem|plus|sowie|abgesehen davon|dazu kommt|hinzu kommt|"
    r"und dann noch|und auch|ganz zu schweigen von|nicht zu vergessen|aber auch|oder)"
)
_CLAUSE_BOUNDARY = re.compile(
    rf"(?:[.!?;:]+|\s[-–—]|\n|,)?(?:\s+{_LINKING_WORDS})+\s+|[.!?;:]+\s*|\s[-–—]\s|\n+|,\s+",
    flags=re.IGNORECASE,
)


def split_clauses(text: str) -> List[Tuple[int, int]]:
    """Character spans of the non-empty clauses of `text`."""
    spans, start = [], 0
    for match in _CLAUSE_BOUNDARY.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class MultiExcuseDetector(GraphComponent):
    """Adds one `excuse` entity per excuse when a message names at least two."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # A clause counts as naming an excuse only with this probability or more.
            "clause_threshold": 0.55,
            # The classifier's inverse regularisation strength.
            "C": 8.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizer: Optional[TfidfVectorizer] = None,
        classifier: Optional[LogisticRegression] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizer = vectorizer
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultiExcuseDetector:
        return cls(config, model_storage, resource)

    @staticmethod
    def _new_vectorizer() -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold, sublinear_tf=True
        )

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = [], []
        for example in training_data.intent_examples:
            intent = example.get(INTENT) or ""
            texts.append(example.get(TEXT))
            labels.append(intent if intent.startswith(EXCUSE_PREFIX) else OTHER)
        if len({label for label in labels if label != OTHER}) < 2:
            return self._resource
        self._vectorizer = self._new_vectorizer()
        features = self._vectorizer.fit_transform(texts)
        self._classifier = LogisticRegression(C=self._config["C"], max_iter=2000)
        self._classifier.fit(features, labels)
        self.persist()
        return self._resource

    def persist(self) -> None:
        # Plain JSON and numpy arrays instead of pickle: a model file cannot run code.
        with self._model_storage.write_to(self._resource) as model_dir:
            vocabulary = {term: int(i) for term, i in self._vectorizer.vocabulary_.items()}
            (model_dir / "vocabulary.json").write_text(json.dumps(vocabulary), "utf-8")
            (model_dir / "classes.json").write_text(
                json.dumps([str(c) for c in self._classifier.classes_]), "utf-8"
            )
            np.savez(
                model_dir / "weights.npz",
                idf=self._vectorizer.idf_,
                coef=self._classifier.coef_,
                intercept=self._classifier.intercept_,
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MultiExcuseDetector:
        try:
            with model_storage.read_from(resource) as model_dir:
                vocabulary = json.loads((model_dir / "vocabulary.json").read_text("utf-8"))
                classes = json.loads((model_dir / "classes.json").read_text("utf-8"))
                weights = np.load(model_dir / "weights.npz")
                vectorizer = cls._new_vectorizer()
                vectorizer.vocabulary_ = vocabulary
                vectorizer.idf_ = weights["idf"]
                classifier = LogisticRegression()
                classifier.classes_ = np.array(classes)
                classifier.coef_ = weights["coef"]
                classifier.intercept_ = weights["intercept"]
        except (ValueError, FileNotFoundError):
            logger.warning("MultiExcuseDetector has no trained model; it stays inactive.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, vectorizer, classifier)

    def detect(self, text: str) -> List[Dict[Text, Any]]:
        """The excuses named in separate clauses of `text`, first mention first."""
        if self._classifier is None or not text:
            return []
        spans = split_clauses(text)
        if len(spans) < 2:
            return []
        probabilities = self._classifier.predict_proba(
            self._vectorizer.transform([text[s:e] for s, e in spans])
        )
        found: Dict[str, Dict[Text, Any]] = {}
        for (start, end), row in zip(spans, probabilities):
            best = int(np.argmax(row))
            label, confidence = str(self._classifier.classes_[best]), float(row[best])
            if label == OTHER or confidence < self._config["clause_threshold"]:
                continue
            if label in found:
                found[label]["confidence"] = max(found[label]["confidence"], confidence)
                continue
            found[label] = {
                "entity": ENTITY_NAME,
                "value": label,
                "start": start,
                "end": end,
                "confidence": confidence,
                "extractor": self.__class__.__name__,
            }
        if len(found) < 2:
            return []
        return sorted(found.values(), key=lambda entity: entity["start"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = self.detect(message.get(TEXT) or "")
            if entities:
                message.set(
                    ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True
                )
                # The intent is the excuse named first (DIET's pick between two named excuses
                # is a near coin flip); its confidence stays DIET's certainty for the message.
                intent = message.get(INTENT) or {}
                if intent.get("name", "").startswith(EXCUSE_PREFIX):
                    message.set(INTENT, {**intent, "name": entities[0]["value"]}, add_to_output=True)
        return messages
