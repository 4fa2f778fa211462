"""The real servers for end-to-end tests: trained model, own ports, a fresh SQLite log."""
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator

import pytest

from services import MODEL_PATH, Services


@contextmanager
def running_coach(folder: Path, env: Dict[str, str]) -> Iterator[Services]:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` first")
    with Services({"DATABASE_URL": f"sqlite:///{folder / 'coach.db'}", **env}, log_dir=folder / "logs") as services:
        yield services
