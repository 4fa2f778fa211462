"""Deletes conversations from both stores: the session log and Rasa's tracker store (`events`).

`make purge DAYS=90` (the retention period) deletes with `delete` from both. "Meine Daten
löschen" in the chat goes through the Rasa server instead: its tracker store
(addons/tracker_store.py) deletes the user's events with `delete_tracker_events` and the
session log through the event broker. Both stores live in the database of DATABASE_URL and key
users by the same pseudonym (core/pseudonym.py), so one sender hash finds everything of a user.

    python -m core.data_retention --days 90 [--database-url URL]
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from typing import Dict, Optional

import sqlalchemy as sa

from core.session_store import SessionStore, database_url

TRACKER_TABLE = "events"  # Rasa's SQLTrackerStore


def delete_tracker_events(engine: sa.engine.Engine, sender_hash: Optional[str] = None,
                          before: Optional[datetime] = None) -> int:
    """Rows of Rasa's SQL tracker store of one sender and/or older than `before` (UTC)."""
    if sender_hash is None and before is None:
        raise ValueError("delete_tracker_events needs a sender or a date (refusing to delete all)")
    if not sa.inspect(engine).has_table(TRACKER_TABLE):  # absent until Rasa first stored a message
        return 0
    events = sa.Table(TRACKER_TABLE, sa.MetaData(), autoload_with=engine)
    statement = events.delete()
    if sender_hash is not None:
        statement = statement.where(events.c.sender_id == sender_hash)
    if before is not None:
        statement = statement.where(events.c.timestamp < before.timestamp())
    with engine.begin() as connection:
        return connection.execute(statement).rowcount


def delete(store: SessionStore, sender_hash: Optional[str] = None,
           before: Optional[datetime] = None) -> Dict[str, int]:
    """Sessions and tracker events of one sender and/or older than `before` (UTC)."""
    sessions = store.delete_sessions(sender_hash=sender_hash, ended_before=before)
    return {"sessions": sessions, "events": delete_tracker_events(store.engine, sender_hash, before)}


def purge(store: SessionStore, days: int) -> Dict[str, int]:
    """The retention period: everything whose last activity is more than `days` days ago."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return delete(store, before=datetime.now(timezone.utc) - timedelta(days=days))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Delete conversations older than the retention period.")
    parser.add_argument("--days", type=int, required=True, help="keep the last DAYS days")
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL or coach.db")
    args = parser.parse_args(argv)
    store = SessionStore(args.database_url or database_url())
    try:
        if not store.has_schema():
            print("No session log in this database; nothing to delete.")
            return 0
        deleted = purge(store, args.days)
    finally:
        store.dispose()
    print(f"Deleted {deleted['sessions']} session(s) from the log and {deleted['events']} "
          f"tracker event(s) older than {args.days} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
