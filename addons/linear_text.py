"""TF-IDF over folded German text and a logistic regression, shared by the pipeline's own
components (the intent classifier, the multi-excuse detector and the FAQ selector): the
vectorizers, the one-vs-rest classifier, and a Rasa component base that trains, saves and
loads them.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from addons.component_fingerprint import SourceFingerprint
from coach.german_text import fold

logger = logging.getLogger(__name__)


def word_vectorizer(min_df: int = 1) -> TfidfVectorizer:
    # Single-character tokens count too ("5" for a rating, "ok").
    return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), preprocessor=fold,
                           token_pattern=r"(?u)\b\w+\b", sublinear_tf=True, min_df=min_df, dtype=np.float32)


def char_vectorizer(min_df: int = 1, dtype: Any = np.float32) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold,
                           sublinear_tf=True, min_df=min_df, dtype=dtype)


def one_vs_rest(C: float, class_weight: Optional[Dict[str, float]] = None) -> LogisticRegression:
    """One binary logistic regression per class (liblinear); predict_proba normalises their odds.

    Far faster to fit than one multinomial model on tens of thousands of sparse features and
    dozens of classes, at the same accuracy here (measured, see the components' train methods).
    """
    return LogisticRegression(C=C, solver="liblinear", multi_class="ovr", class_weight=class_weight)


# -- persistence of both models: plain JSON and numpy arrays instead of pickle, so a model file
# cannot run code. `names` tell the files of each vectorizer apart (vocabulary{name}.json,
# idf{name} in weights.npz).
def save_linear_model(model_dir, names: List[str], vectorizers: List[TfidfVectorizer],
                      classifier: LogisticRegression, coef_dtype: Any = np.float64) -> None:
    for name, vectorizer in zip(names, vectorizers):
        vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        (model_dir / f"vocabulary{name}.json").write_text(json.dumps(vocabulary), "utf-8")
    (model_dir / "classes.json").write_text(json.dumps([str(c) for c in classifier.classes_]), "utf-8")
    np.savez(
        model_dir / "weights.npz",
        coef=classifier.coef_.astype(coef_dtype),
        intercept=classifier.intercept_,
        one_vs_rest=np.array(classifier.multi_class == "ovr"),
        **{f"idf{name}": v.idf_ for name, v in zip(names, vectorizers)},
    )


def load_linear_model(model_dir, names: List[str], vectorizers: List[TfidfVectorizer]
                      ) -> Tuple[List[TfidfVectorizer], LogisticRegression]:
    """Fills the new `vectorizers` and a classifier from the files; raises FileNotFoundError,
    KeyError or ValueError when there is no complete model."""
    classes = json.loads((model_dir / "classes.json").read_text("utf-8"))
    weights = np.load(model_dir / "weights.npz")
    for name, vectorizer in zip(names, vectorizers):
        vectorizer.vocabulary_ = json.loads((model_dir / f"vocabulary{name}.json").read_text("utf-8"))
        vectorizer.idf_ = weights[f"idf{name}"]
    # predict_proba normalises one-vs-rest odds, but takes the softmax of a multinomial model
    one_vs_rest = "one_vs_rest" in weights.files and bool(weights["one_vs_rest"])
    classifier = LogisticRegression(multi_class="ovr" if one_vs_rest else "auto")
    classifier.classes_ = np.array(classes)
    classifier.coef_ = weights["coef"].astype(np.float64)
    classifier.intercept_ = weights["intercept"]
    return vectorizers, classifier


class LinearTextComponent(SourceFingerprint, GraphComponent):
    """TF-IDF vectorizers and a logistic regression, saved with `save_linear_model`."""

    # The vectorizers' file names (see save_linear_model) and factories, in feature order.
    VECTORIZER_NAMES: List[str] = []
    COEF_DTYPE: Any = np.float64
    NO_MODEL_WARNING = ""

    @staticmethod
    def _new_vectorizers() -> List[TfidfVectorizer]:
        raise NotImplementedError

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizers: Optional[List[TfidfVectorizer]] = None,
        classifier: Optional[LogisticRegression] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizers = vectorizers or []
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearTextComponent":
        return cls(config, model_storage, resource)

    def _features(self, texts: List[str]):
        from scipy.sparse import hstack

        return hstack([v.transform(texts) for v in self._vectorizers]).tocsr()

    def _fit(self, texts: List[str], labels: List[str], vectorizers: List[TfidfVectorizer],
             classifier: LogisticRegression) -> Resource:
        self._vectorizers = vectorizers
        for vectorizer in vectorizers:
            vectorizer.fit(texts)
        self._classifier = classifier.fit(self._features(texts), labels)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            save_linear_model(model_dir, self.VECTORIZER_NAMES, self._vectorizers, self._classifier,
                              coef_dtype=self.COEF_DTYPE)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearTextComponent":
        try:
            with model_storage.read_from(resource) as model_dir:
                vectorizers, classifier = load_linear_model(
                    model_dir, cls.VECTORIZER_NAMES, cls._new_vectorizers())
        except (ValueError, FileNotFoundError, KeyError):
            logger.warning(cls.NO_MODEL_WARNING)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, vectorizers, classifier)
