"""Rasa's SQL tracker store, configured by one SQLAlchemy URL and keyed by pseudonyms.

Conversations survive a restart (they are in the database), sender ids are stored only as
keyed hashes, and exactly the events written in a save are handed to the event broker —
stock Rasa instead re-reads the whole conversation on every save to find them.

A database outage does not reset conversations (Rasa's `FailSafeTrackerStore` would start a
blank one): conversations seen recently are served from memory, what cannot be written waits
in memory and is written, exactly once, as soon as the database answers again (retried in the
background and before every read or write). The state is reported to `addons/db_health.py`.

"Meine Daten löschen" sets the `forget_me` slot (actions/privacy.py); the save of that turn
deletes the conversation instead (`delete`: its events, what is kept in memory, and its
session log through the event broker).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from typing import Any, Dict, Optional, Set, Text

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from addons import incremental_states
from addons.db_health import DATABASE_ERRORS, HEALTH, RETRY_SECONDS
from core.data_retention import delete_tracker_events
from core.pseudonym import pseudonym
from core.session_store import database_url
from core.slot_contract import FORGET_ME

logger = logging.getLogger(__name__)
COMPONENT = "tracker store"
# Conversations kept in memory to go on with during an outage (the most recently active ones).
RECENT_CONVERSATIONS = 1000


@dataclass
class StoredState:
    """A tracker in memory and what of it is in the database: `events` events, the newest with `newest_id`."""

    tracker: DialogueStateTracker
    newest_id: int
    events: int

    def is_stored(self, newest_id_in_database: Optional[int]) -> bool:
        return newest_id_in_database == self.newest_id

    def is_current(self, newest_id_in_database: Optional[int]) -> bool:
        """Nothing newer in the database, and nothing appended here without a save."""
        return self.is_stored(newest_id_in_database) and len(self.tracker.events) == self.events


class PseudonymousSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,  # Rasa passes the endpoint's `url` as `host`
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        # No url in the endpoints file: DATABASE_URL or the SQLite default (one definition).
        url = make_url(host or kwargs.pop("url", None) or database_url())
        kwargs.pop("url", None)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
            **kwargs,
        )
        if url.get_backend_name() != "sqlite":
            # After an outage the pooled connections are dead; test them before use.
            self.engine = sa.create_engine(self.engine.url, pool_pre_ping=True, future=True)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        else:
            # Same SQLite file as the session log (core/session_store.py): wait for the
            # other writer instead of failing, and commit without a full fsync under WAL.
            @sa.event.listens_for(self.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record) -> None:
                for pragma in ("busy_timeout=10000", "synchronous=NORMAL"):
                    dbapi_connection.execute(f"PRAGMA {pragma}")
        self._recent: "OrderedDict[str, DialogueStateTracker]" = OrderedDict()
        self._stored: Dict[str, StoredState] = {}  # see _read_current_session
        self._unsaved: Dict[str, DialogueStateTracker] = {}  # newer than the database
        self._started_in_outage: Set[str] = set()  # all their events are new to the database
        self._tables_ready = False
        self._retry_task: Optional[asyncio.Task] = None
        try:
            self._ensure_tables()
            HEALTH.recovered(COMPONENT, written=0)
        except DATABASE_ERRORS as error:
            HEALTH.failed(COMPONENT, error, backlog=0)

    def _ensure_tables(self) -> None:
        # Rasa creates the tables only at start and just logs it when the database is down then.
        if not self._tables_ready:
            self.Base.metadata.create_all(self.engine)
            self._tables_ready = True

    def _remember(self, key: str, tracker: DialogueStateTracker) -> None:
        self._recent[key] = tracker
        self._recent.move_to_end(key)
        if len(self._recent) > RECENT_CONVERSATIONS:
            oldest, _ = self._recent.popitem(last=False)
            self._stored.pop(oldest, None)

    def _event_query(self, session, sender_id: Text, fetch_events_from_all_sessions: bool):
        return super()._event_query(session, pseudonym(sender_id), fetch_events_from_all_sessions)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        key = pseudonym(sender_id)
        try:
            await self._write_unsaved()
            tracker = self._read_current_session(sender_id, key)
        except DATABASE_ERRORS as error:
            self._outage(error)
            known = self._unsaved.get(key) or self._recent.get(key)
            if known is not None:
                return known.copy()
            # Unknown here: a new conversation, written as a whole once the database is back.
            self._started_in_outage.add(key)
            return None
        return tracker

    def _read_current_session(self, sender_id: Text, key: str) -> Optional[DialogueStateTracker]:
        """The conversation's current session; from memory while the database holds nothing newer.

        Reading and replaying every stored event on every turn made turn 200 of a conversation
        several times slower than turn 10. The tracker kept after the last save is still exact
        when the sender's newest stored event is the one written with it (another Rasa server
        or a deletion changes that) and nobody appended to it without saving.
        """
        stored = self._stored.get(key)
        with self.session_scope() as session:
            if stored is not None and stored.is_current(self._newest_event_id(session, key)):
                self._recent.move_to_end(key)
                return stored.tracker
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows:
            self._stored.pop(key, None)
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], self.domain.slots)
        self._remember(key, tracker)
        self._stored[key] = StoredState(tracker, rows[-1].id, len(tracker.events))
        return tracker

    def delete(self, sender_id: Text) -> int:
        """Deletes the sender's conversation: its events, what is kept of it in memory, and its
        session log (through the event broker). Returns the number of events deleted."""
        key = pseudonym(sender_id)
        # The database first: while it is down this raises, and a save retries the deletion.
        deleted = delete_tracker_events(self.engine, sender_hash=key)
        if hasattr(self.event_broker, "delete_sender"):
            self.event_broker.delete_sender(sender_id)
        for kept in (self._recent, self._stored, self._unsaved):
            kept.pop(key, None)
        self._started_in_outage.discard(key)
        incremental_states.forget(sender_id)
        return deleted

    def _row(self, key: str, event: Any):
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=key,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _newest_event_id(self, session, key: str) -> Optional[int]:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == key).scalar()

    async def save(self, tracker: DialogueStateTracker) -> None:
        key = pseudonym(tracker.sender_id)
        self._unsaved[key] = tracker  # replaces an older unsaved state: it holds all its events
        self._remember(key, tracker)
        try:
            await self._write_unsaved()
        except DATABASE_ERRORS as error:
            self._outage(error)

    def _outage(self, error: BaseException) -> None:
        HEALTH.failed(COMPONENT, error, backlog=len(self._unsaved))
        if self._unsaved and (self._retry_task is None or self._retry_task.done()):
            self._retry_task = asyncio.get_running_loop().create_task(self._retry_until_written())

    async def _retry_until_written(self) -> None:
        while self._unsaved:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                await self._write_unsaved()
            except DATABASE_ERRORS as error:
                HEALTH.failed(COMPONENT, error, backlog=len(self._unsaved))

    async def _write_unsaved(self) -> None:
        """Writes the waiting conversations, oldest first; raises while the database is down."""
        written = 0
        while self._unsaved:
            key, tracker = next(iter(self._unsaved.items()))
            try:
                await self._write(tracker, all_events_new=key in self._started_in_outage)
            except DATABASE_ERRORS:
                raise
            except Exception:
                # A fault in this conversation, not an outage: it must not hold up the others.
                self._unsaved.pop(key, None)
                raise
            # Only if no newer state arrived while writing (the broker call can yield).
            if self._unsaved.get(key) is tracker:
                del self._unsaved[key]
            self._started_in_outage.discard(key)
            written += 1
        HEALTH.recovered(COMPONENT, written=written)

    async def _write(self, tracker: DialogueStateTracker, all_events_new: bool) -> None:
        key = pseudonym(tracker.sender_id)
        with self.session_scope() as session:
            self._ensure_tables()
            # The number of stored events of the current session decides what is new, so a
            # state written once is never written twice (also with several Rasa servers).
            stored = self._stored.get(key)
            if all_events_new:
                new_events = list(tracker.events)
            elif stored is not None and stored.tracker is tracker and stored.is_stored(self._newest_event_id(session, key)):
                new_events = list(islice(tracker.events, stored.events, None))  # appended since read
            else:
                new_events = list(self._additional_events(session, tracker))
            if any(isinstance(e, SlotSet) and e.key == FORGET_ME and e.value for e in new_events):
                session.rollback()
                forget = True
            else:
                forget = False
                rows = [self._row(key, event) for event in new_events]
                session.add_all(rows)
                session.flush()  # assigns the ids
                newest = rows[-1].id if rows else self._newest_event_id(session, key)
                session.commit()
        if forget:
            # "Meine Daten löschen" (actions/privacy.py): delete instead of saving. The next
            # message starts a new conversation.
            self.delete(tracker.sender_id)
            return
        if newest is None or (stored is not None and any(isinstance(e, SessionStarted) for e in new_events)):
            # A new session began in this turn: the next read takes it from the database,
            # which returns only the current session.
            self._stored.pop(key, None)
        else:
            self._stored[key] = StoredState(tracker, newest, len(tracker.events))
        if self.event_broker and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
