"""Alembic upgrades of the session log's schema (core/log_schema.py; revisions in
core/migrations/versions), safe when several servers start at once.
"""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from core.sqlite_setup import enable_wal

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
ALEMBIC_VERSION_TABLE = "coach_alembic_version"
# Serialises upgrade() across processes on PostgreSQL (action server and Rasa start together).
MIGRATION_LOCK_KEY = 0x636F6163  # "coac"
_MIGRATION_THREAD_LOCK = threading.Lock()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic upgrade)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URL-encoded passwords contain it.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine.dialect.name == "sqlite":
        enable_wal(engine)
    # Alembic keeps its migration context in module globals: one migration per process at a
    # time; between processes the database lock below (or SQLite's BEGIN IMMEDIATE) serialises.
    with _MIGRATION_THREAD_LOCK, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        # env.py runs on this connection: same engine settings, one transaction.
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
