"""A vote of the nearest training examples in sentence-embedding space (plain numpy, no Rasa).

The intent classifier's logistic regressions draw one boundary per intent; a message that sits
between two groups of training examples still gets a confident answer from them. The nearest
examples say more about such a message: when its closest neighbours belong to two intents, the
vote is split, and when one close example says exactly what the message says, that example's
intent gains. `NeighbourVote` turns the k nearest training examples (cosine similarity of
L2-normalised vectors, one matrix product) into a probability per intent; the classifier blends
it with its own (addons/intent_classifier.py).

Each neighbour's vote is weighted with exp((similarity - best similarity) / temperature): a
small temperature lets the closest examples decide, a large one counts the k alike.
"""
from __future__ import annotations

import numpy as np


class NeighbourVote:
    """The intents of the k most similar training examples as probabilities per intent."""

    def __init__(self, vectors: np.ndarray, labels: np.ndarray, intent_count: int,
                 neighbours: int = 10, temperature: float = 0.05) -> None:
        """`vectors`: one L2-normalised row per training example; `labels`: its intent's index
        (0 … intent_count - 1, the classifier's order of intents)."""
        if len(vectors) != len(labels):
            raise ValueError("one label per training vector")
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.intent_count = int(intent_count)
        self.neighbours = max(1, min(int(neighbours), len(self.vectors)))
        self.temperature = float(temperature)

    def probabilities(self, queries: np.ndarray) -> np.ndarray:
        """One row per query (L2-normalised vectors): the weighted share of each intent among
        the query's nearest training examples; rows sum to 1."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        votes = np.zeros((len(queries), self.intent_count), dtype=np.float64)
        if not len(self.vectors):
            return votes
        similarities = queries @ self.vectors.T
        k = self.neighbours
        nearest = np.argpartition(-similarities, k - 1, axis=1)[:, :k] if k < similarities.shape[1] \
            else np.tile(np.arange(similarities.shape[1]), (len(queries), 1))
        for row, indices in enumerate(nearest):
            closeness = similarities[row, indices].astype(np.float64)
            weights = np.exp((closeness - closeness.max()) / self.temperature)
            np.add.at(votes[row], self.labels[indices], weights)
        return votes / votes.sum(axis=1, keepdims=True)


def blend(classifier: np.ndarray, vote: np.ndarray, vote_weight: float) -> np.ndarray:
    """The classifier's probabilities mixed with the neighbours' vote (weight 0: classifier only)."""
    if not vote_weight:
        return classifier
    return (1.0 - vote_weight) * classifier + vote_weight * vote
