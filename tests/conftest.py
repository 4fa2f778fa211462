"""Shared test setup: import paths, the test markers, the one shared server stack and the one
database fixture.

Markers (pytest.ini): `slow` takes long without servers, `e2e` starts servers (every test on the
shared stack gets it here), `model` loads the trained model, `bench` runs the bench
(`make test-bench`), `cluster` the scale-out (`make test-cluster`), `system` starts servers of
its own (`make test-system`). Every other test gets `unit` here, so `make test-unit` (`-m unit`)
needs no servers, no model and no training.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOT_UNIT = {"slow", "e2e", "model", "bench", "cluster", "system"}


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(items):
    """Marks every test on the shared stack `e2e` and every test that needs neither servers nor
    the model `unit`."""
    for item in items:
        if "coach" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
        if not NOT_UNIT & {mark.name for mark in item.iter_markers()}:
            item.add_marker(pytest.mark.unit)


@contextmanager
def fresh_postgres_database(prefix: str = "coach_test"):
    """A PostgreSQL database of its own (so Rasa's `events` table and ours start empty), dropped after."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same test on the embedded default (SQLite) and on the PostgreSQL server of this machine,
    each time in an empty database. SKIP_POSTGRES=1 skips the PostgreSQL half."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coach.db'}"
        return
    if os.environ.get("SKIP_POSTGRES") == "1":
        pytest.skip("SKIP_POSTGRES=1")
    with fresh_postgres_database("coach_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def coach(tmp_path_factory):
    """The one stack of the test session (action server, Rasa server, chat page server) on the
    default configuration, its own ports and a fresh SQLite log. Tests that change it (restart a
    server with another setting) put it back as they found it."""
    from tests.servers import ports, running_coach

    env = ports("shared")
    page = [f"http://{host}:{env['WEB_PORT']}" for host in ("127.0.0.1", "localhost")]
    env.update(CHAT_ALLOWED_ORIGINS=",".join(page), RASA_API_TOKEN="")  # as shipped, whatever .env says
    with running_coach(tmp_path_factory.mktemp("shared"), env) as services:
        yield services


@pytest.fixture(scope="session")
def domain():
    """The project's domain, as Rasa loads it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="session")
def story_events(domain):
    """The event sequences of the project's rules and test stories (what Rasa trains on), without
    their SessionStarted events."""
    from rasa.shared.core.events import ActiveLoop, SessionStarted
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.training_data import loading
    from rasa.shared.core.training_data.structures import StoryGraph

    files = [str(ROOT / "data" / "rules.yml"), str(ROOT / "data" / "rules_practice.yml"),
             str(ROOT / "tests" / "test_stories.yml")]
    steps = loading.load_data_from_files(files, domain)
    trackers = TrainingDataGenerator(StoryGraph(steps), domain, augmentation_factor=0).generate()
    sequences = [[e for e in t.events if not isinstance(e, SessionStarted)] for t in trackers]
    assert len(sequences) > 20 and any(any(isinstance(e, ActiveLoop) for e in s) for s in sequences)
    return sequences
