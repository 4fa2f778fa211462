"""A vote of the nearest training examples (plain numpy/scipy, no Rasa).

The intent classifier's logistic regressions draw one boundary per intent; a message that sits
between two groups of training examples still gets a confident answer from them, and a message
that says almost exactly what one training example says may still lose to an intent whose
words weigh more in general. The nearest examples say more about such messages: when the closest
ones belong to two intents the vote is split, and when one example is very close its intent gains.
`NeighbourVote` turns the k nearest training examples (cosine similarity over the classifier's
own features, one sparse and one dense matrix product) into a probability per intent; the
classifier blends it with its own (addons/intent_classifier.py).

Features come in blocks (e.g. TF-IDF n-grams as a sparse matrix, a sentence embedding as a
dense one); the similarity is the cosine of the blocks side by side. Each neighbour's vote is
weighted with exp((similarity - best similarity) / temperature): a small temperature lets the
closest examples decide, a large one counts the k alike.
"""
from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np
from scipy import sparse


def _as_float32(block: Any) -> Any:
    return block.astype(np.float32).tocsr() if sparse.issparse(block) else np.asarray(block, dtype=np.float32)


def _squared_norms(block: Any) -> np.ndarray:
    if sparse.issparse(block):
        return np.asarray(block.multiply(block).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", block, block).astype(np.float64)


class NeighbourVote:
    """The intents of the k most similar training examples as probabilities per intent."""

    def __init__(self, blocks: Sequence[Any], labels: np.ndarray, intent_count: int,
                 neighbours: int = 10, temperature: float = 0.1) -> None:
        """`blocks`: feature matrices with one row per training example (scipy sparse or numpy);
        `labels`: each example's intent index (0 … intent_count - 1, the classifier's order)."""
        blocks = [_as_float32(b) for b in blocks]
        self.labels = np.asarray(labels, dtype=np.int64)
        if not blocks or any(b.shape[0] != len(self.labels) for b in blocks):
            raise ValueError("every block needs one row per label")
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.intent_count = int(intent_count)
        self.neighbours = max(1, min(int(neighbours), len(self.labels)))
        self.temperature = float(temperature)
        norms = np.sqrt(sum(_squared_norms(b) for b in blocks))
        self._inverse_norms = np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0)
        # Kept transposed only (a serving process holds one copy): a query's product then
        # touches only the rows of its own features.
        self._transposed = [b.T.tocsr() if sparse.issparse(b) else np.ascontiguousarray(b.T) for b in blocks]

    @property
    def blocks(self) -> List[Any]:
        """The training examples' feature blocks, one row per example."""
        return [t.T.tocsr() if sparse.issparse(t) else t.T for t in self._transposed]

    def similarities(self, queries: Sequence[Any]) -> np.ndarray:
        """Cosine similarity of each query (one row per message, blocks as in training) to
        every training example."""
        queries = [_as_float32(q) for q in queries]
        dot = np.zeros((queries[0].shape[0], len(self.labels)), dtype=np.float64)
        for query, transposed in zip(queries, self._transposed):
            product = query @ transposed
            dot += product.toarray() if sparse.issparse(product) else product
        norms = np.sqrt(sum(_squared_norms(q) for q in queries))
        query_inverse = np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0)
        return dot * query_inverse[:, None] * self._inverse_norms[None, :]

    def probabilities(self, queries: Sequence[Any]) -> np.ndarray:
        """One row per query: the weighted share of each intent among the query's nearest
        training examples; rows sum to 1."""
        similarities = self.similarities(queries)
        k = self.neighbours
        nearest = np.argpartition(-similarities, k - 1, axis=1)[:, :k]
        votes = np.zeros((len(similarities), self.intent_count), dtype=np.float64)
        for row, indices in enumerate(nearest):
            closeness = similarities[row, indices]
            weights = np.exp((closeness - closeness.max()) / self.temperature)
            np.add.at(votes[row], self.labels[indices], weights)
        return votes / votes.sum(axis=1, keepdims=True)


def blend(classifier: np.ndarray, vote: np.ndarray, vote_weight: float) -> np.ndarray:
    """The classifier's probabilities mixed with the neighbours' vote (weight 0: classifier only)."""
    if not vote_weight:
        return classifier
    return (1.0 - vote_weight) * classifier + vote_weight * vote


# -- persistence: plain numpy arrays (no pickle); float16 values halve the file, the vote
# computes in float32.
def save_blocks(path: Any, blocks: Sequence[Any], labels: np.ndarray) -> None:
    arrays = {"labels": np.asarray(labels, dtype=np.int32), "block_count": np.array(len(blocks))}
    for i, block in enumerate(blocks):
        if sparse.issparse(block):
            block = block.tocsr()
            arrays.update({f"data{i}": block.data.astype(np.float16), f"indices{i}": block.indices,
                           f"indptr{i}": block.indptr, f"shape{i}": np.array(block.shape)})
        else:
            arrays[f"dense{i}"] = np.asarray(block).astype(np.float16)
    np.savez_compressed(path, **arrays)


def load_blocks(path: Any) -> Tuple[List[Any], np.ndarray]:
    with np.load(path, allow_pickle=False) as saved:
        blocks = []
        for i in range(int(saved["block_count"])):
            if f"dense{i}" in saved.files:
                blocks.append(saved[f"dense{i}"].astype(np.float32))
            else:
                blocks.append(sparse.csr_matrix(
                    (saved[f"data{i}"].astype(np.float32), saved[f"indices{i}"], saved[f"indptr{i}"]),
                    shape=tuple(saved[f"shape{i}"])))
        return blocks, saved["labels"].astype(np.int64)
