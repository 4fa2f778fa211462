"""SQLite settings for the session log: every connection waits for the write lock instead of
failing (busy timeout, BEGIN IMMEDIATE), and the file runs in WAL mode so readers and the writer
work at once. PostgreSQL needs none of this.
"""
from __future__ import annotations

import logging
import sqlite3
import time

from sqlalchemy import event

logger = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def enable_wal(engine, attempts: int = 30) -> None:
    """WAL lets readers and the writer work at once; the setting stays in the file.

    Switching needs an exclusive lock, and SQLite answers "locked" at once instead of waiting
    when servers start together: retry briefly, and go on without WAL rather than fail a start.
    """
    for _ in range(attempts):
        # The DBAPI connection runs outside a transaction (SQLite refuses the switch inside one).
        raw = engine.raw_connection()
        try:
            if raw.cursor().execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            pass
        finally:
            raw.close()
        time.sleep(0.1)
    logger.warning("SQLite session log stays in rollback-journal mode (database busy at start)")


def configure_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take transaction control away from pysqlite (it defers BEGIN and skips it for DDL).
        dbapi_connection.isolation_level = None
        # busy_timeout: concurrent writers wait, not fail. (WAL is set once, in migrate().)
        # synchronous=NORMAL: with WAL no corruption, only the last commits may be lost if the
        # machine (not the process) crashes; halves the cost of a write (3.2 -> 1.7 ms here).
        for pragma in (f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}", "foreign_keys=ON", "synchronous=NORMAL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # Take the write lock at BEGIN: a deferred transaction that reads (max seq) and then
        # writes fails at once with "database is locked" if another writer got in between,
        # whereas waiting for BEGIN IMMEDIATE honours busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
