"""Which key point a clause makes, weighed against all authored phrasings at once (numpy;
scikit-learn fits it).

coach/meaning.py takes the single closest phrasing of each key point. One phrasing can sit close
to a clause by chance ("Sie erreichen Leute" lies near many points), and the same cosine means
more for a point whose phrasings are all alike than for one whose phrasings spread wide. A
logistic regression per excuse over the sentence vectors of all phrasings sees every example
at once: those of each key point, and, as "no point of this excuse", the counter-examples, the
denials and phrasings of the other excuses' points. Its probability for a point says how
typical a clause is of that point rather than of the rest; meaning.py adds it to the closest
phrasing's similarity.

Fitted on authored phrasings only (never on answer sets), when the action server starts (or
read from coach/embedding_store.py, where an earlier start kept it); lbfgs makes it the same on
every start.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Dict, Optional

import numpy as np

from coach.embedding_store import stored_or_computed

NO_POINT = -1
REGULARISATION = 1.0   # scikit-learn's C: larger trusts single phrasings more


@dataclass(frozen=True)
class PointClassifier:
    weights: np.ndarray    # one row per class
    bias: np.ndarray
    classes: np.ndarray    # the key-point index of each class, NO_POINT for the rest

    def probabilities(self, vectors: np.ndarray, points: int) -> np.ndarray:
        """Per row of `vectors` and key point 0 … points-1, the probability that the row makes it."""
        logits = vectors @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        shares = np.exp(logits)
        shares /= shares.sum(axis=1, keepdims=True)
        result = np.zeros((len(vectors), points))
        for column, point in enumerate(self.classes):
            if point != NO_POINT:
                result[:, point] = shares[:, column]
        return result


def fit(point_vectors: np.ndarray, point_indexes: np.ndarray, other_vectors: np.ndarray,
        name: Optional[str] = None) -> PointClassifier:
    """A classifier of the key points (`point_indexes`, one per row of `point_vectors`) against
    `other_vectors` (NO_POINT). Classes are weighted by their size, so that the many phrasings of
    other excuses do not drown a point with few. With a `name`, kept under it for these inputs
    (coach/embedding_store.py)."""
    vectors = np.ascontiguousarray(np.concatenate([point_vectors, other_vectors]), dtype=np.float32)
    labels = np.concatenate([point_indexes, np.full(len(other_vectors), NO_POINT)]).astype(np.int64)
    if name is None:
        fitted = _fit(vectors, labels)
    else:
        inputs = [metadata.version("scikit-learn").encode(), repr(REGULARISATION).encode(),
                  vectors.tobytes(), labels.tobytes()]
        fitted = stored_or_computed(name, inputs, lambda: _fit(vectors, labels))
    return PointClassifier(fitted["weights"], fitted["bias"], fitted["classes"])


def _fit(vectors: np.ndarray, labels: np.ndarray) -> Dict[str, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION, max_iter=2000, class_weight="balanced").fit(vectors, labels)
    weights, bias = model.coef_, model.intercept_
    if len(model.classes_) == 2:
        # Two classes come as one logit for the second; the first has logit 0.
        weights, bias = np.vstack([np.zeros_like(weights), weights]), np.concatenate([[0.0], bias])
    return {"weights": weights.astype(np.float32), "bias": bias.astype(np.float32),
            "classes": model.classes_.astype(int)}
