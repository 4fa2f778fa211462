"""Rasa event broker that writes the session log (core/session_store.py).

The tracker store hands over each event exactly once, right after storing it. This broker
turns them into the log: a session per Rasa conversation session, every user and bot turn,
and the coaching facts the actions keep in slots (excuses, arguments shown, outcomes,
commitments, rating, mode, training code, practice rounds). One writer, in event order; every
write is idempotent, so a replay after a restart adds nothing twice.

With several Rasa servers (scale-out) each has its own broker, and the turns of one conversation
may alternate between them. What a broker remembers about a sender is therefore checked against
the database at every user message and reloaded when another server wrote in between.

While the database is unreachable, events wait in memory in their order and are written as
soon as it answers again (retried in the background and on every new event); the state is
reported to `addons/db_health.py`.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import zlib
from collections import deque
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from dotenv import load_dotenv
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from core import slot_contract as contract
from core.session_store import PROJECT_ROOT, SessionStore, database_url
from addons.db_health import DATABASE_ERRORS, HEALTH, RETRY_SECONDS
from core.pseudonym import pseudonym

logger = logging.getLogger(__name__)
COMPONENT = "session log"

RANKING_LENGTH = 5
TRACKER_EVENTS_TABLE = "events"  # Rasa's SQL tracker store (addons/tracker_store.py), same database


def _time(event: Dict[Text, Any]) -> datetime:
    return datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)


class SessionLogBroker(EventBroker):
    def __init__(self, url: Text, max_text_length: Any = None, log_user_text: Any = None) -> None:
        # None: the session store's default length.
        self.store = SessionStore(url, **({"max_text_length": int(max_text_length)} if max_text_length else {}))
        # LOG_USER_TEXT=false (DSGVO): user turns keep intent and ranking, not what was typed.
        self.log_user_text = log_user_text is None or str(log_user_text).strip().lower() not in ("false", "0", "no", "")
        self._migrated = False
        self._backlog: "deque[Dict[Text, Any]]" = deque()  # events not yet written, in order
        self._retry_task: Optional[asyncio.Task] = None
        self._sessions: Dict[str, str] = {}  # pseudonym -> current session id
        self._last_action: Dict[str, str] = {}
        self._slots: Dict[str, Dict[str, Any]] = {}
        self._written: Dict[tuple, Any] = {}  # (session id, kind) -> rows last written
        self._last_turn: Dict[str, Optional[str]] = {}  # pseudonym -> event key of the last turn written
        self._tracker_table_found = False

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig, event_loop=None) -> "SessionLogBroker":
        """What the endpoints file leaves out comes from the environment or `.env`: the database
        of the tracker store (DATABASE_URL or the SQLite default), MAX_LOGGED_TEXT_LENGTH and
        LOG_USER_TEXT, so plain `rasa run` works like `make run`."""
        load_dotenv(PROJECT_ROOT / ".env")
        settings = {"max_text_length": os.environ.get("MAX_LOGGED_TEXT_LENGTH") or None,
                    "log_user_text": os.environ.get("LOG_USER_TEXT") or None, **broker_config.kwargs}
        return cls(broker_config.url or database_url(), **settings)

    def is_ready(self) -> bool:
        return True

    def _ensure_schema(self) -> None:
        # Lazily, so a start while the database is down does not leave the log without tables.
        if not self._migrated:
            self.store.migrate()
            self._migrated = True

    async def close(self) -> None:
        self.store.dispose()

    def delete_sender(self, sender_id: Text) -> int:
        """Deletes the sender's sessions from the log and what is cached about them ("Meine Daten
        löschen", called by the tracker store); returns the number of sessions deleted."""
        self.forget(sender_id)
        self._ensure_schema()
        return self.store.delete_sessions(sender_hash=pseudonym(sender_id))

    def forget(self, sender_id: Text) -> None:
        """Drops what is cached about the sender (their data is deleted)."""
        sender = pseudonym(sender_id)
        self._backlog = deque(e for e in self._backlog if pseudonym(e["sender_id"]) != sender)
        self._sessions.pop(sender, None)
        self._last_action.pop(sender, None)
        self._slots.pop(sender, None)
        self._last_turn.pop(sender, None)

    # -- event handling -------------------------------------------------------------------
    def publish(self, event: Dict[Text, Any]) -> None:
        self._backlog.append(event)
        self._write_backlog()

    def _write_backlog(self) -> None:
        written = 0
        while self._backlog:
            try:
                self._ensure_schema()
                self._handle(self._backlog[0])
            except DATABASE_ERRORS as error:
                HEALTH.failed(COMPONENT, error, backlog=len(self._backlog))
                self._schedule_retry()
                return
            except Exception:
                # A fault with this event, not an outage: log it (without its content), go on.
                logger.exception("Session log: could not write a %r event", self._backlog[0].get("event"))
            self._backlog.popleft()
            written += 1
        HEALTH.recovered(COMPONENT, written=written)

    def _schedule_retry(self) -> None:
        if self._retry_task is not None and not self._retry_task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (unit tests): the next event retries
            return
        self._retry_task = loop.create_task(self._retry_until_written())

    async def _retry_until_written(self) -> None:
        while self._backlog:
            await asyncio.sleep(RETRY_SECONDS)
            self._write_backlog()

    def _handle(self, event: Dict[Text, Any]) -> None:
        sender = pseudonym(event["sender_id"])
        kind = event.get("event")
        if kind == "session_started":
            self._start_session(sender, event)
            return
        if kind == "action":
            # Not a reason to open a session: `action_session_start` comes before the
            # `session_started` event, and opening one here would log an empty extra session.
            self._last_action[sender] = event.get("name")
            return
        if kind == "user":
            self._sync_with_database(sender)
        session_id = self._session_of(sender, event)
        if kind == "user":
            self._user_turn(session_id, event)
            self._last_turn[sender] = self._key("u", event)
        elif kind == "bot":
            self.store.add_turn(
                session_id, self._key("b", event), "bot", event.get("text"), _time(event),
                action=self._last_action.get(sender), session_fields={"ended_at": _time(event)},
            )
            self._last_turn[sender] = self._key("b", event)
        elif kind == "slot":
            self._slot_set(sender, session_id, event.get("name"), event.get("value"))

    @staticmethod
    def _key(prefix: str, event: Dict[Text, Any]) -> str:
        # Timestamps identify events across replays; the text checksum separates two
        # messages created within the same clock tick.
        checksum = zlib.crc32((event.get("text") or "").encode("utf-8"))
        return f"{prefix}:{float(event.get('timestamp') or 0):.6f}:{checksum:08x}"

    def _start_session(self, sender: str, event: Dict[Text, Any]) -> None:
        session_id = f"{sender[:40]}-{int(float(event.get('timestamp') or 0) * 1000)}"
        self._sessions[sender] = session_id
        self._slots[sender] = {}
        self._last_turn[sender] = None
        self.store.ensure_session(session_id, sender, channel=None, started_at=_time(event))

    def _session_of(self, sender: str, event: Dict[Text, Any]) -> str:
        if sender not in self._sessions:
            # After a restart of the Rasa server: continue the sender's latest session.
            latest = self.store.latest_session_id(sender)
            if latest is None:
                self._start_session(sender, event)
            else:
                self._sessions[sender] = latest
                self._slots.setdefault(sender, {})
        return self._sessions[sender]

    def _sync_with_database(self, sender: str) -> None:
        """Keep what this process remembers about the sender only if the log shows nothing newer:
        another Rasa server may have served the previous turn or started a new session (or the
        sender's data was deleted there). One indexed query per turn."""
        position = self.store.latest_position(sender)
        if position is None:  # no session (any more): the next event starts one
            for cache in (self._sessions, self._slots, self._last_turn):
                cache.pop(sender, None)
            return
        session_id, last_key = position
        if self._sessions.get(sender) == session_id and self._last_turn.get(sender, "") == last_key:
            return
        self._sessions[sender] = session_id
        self._last_turn[sender] = last_key
        self._slots[sender] = self._excuse_slots_from_tracker_store(sender)
        self._written = {key: rows for key, rows in self._written.items() if key[0] != session_id}

    def _excuse_slots_from_tracker_store(self, sender: str) -> Dict[str, Any]:
        """The excuse slots of the sender's current conversation session as the tracker store holds
        them (its events are committed before they reach this broker). Empty when the tracker store
        keeps its events elsewhere; then this broker's own memory is all there is."""
        if not self._tracker_table_found:
            self._tracker_table_found = sa.inspect(self.store.engine).has_table(TRACKER_EVENTS_TABLE)
            if not self._tracker_table_found:
                return {}
        query = sa.text(
            f"SELECT type_name, action_name, data FROM {TRACKER_EVENTS_TABLE} WHERE sender_id = :sender "
            "AND (type_name = 'session_started' OR (type_name = 'slot' AND action_name IN :names)) "
            "ORDER BY id"
        ).bindparams(sa.bindparam("names", expanding=True))
        slots: Dict[str, Any] = {}
        with self.store.engine.connect() as connection:
            for type_name, name, data in connection.execute(query, {"sender": sender, "names": sorted(contract.EXCUSE_SLOTS)}):
                if type_name == "session_started":
                    slots = {}  # slots set before belong to an earlier session
                else:
                    slots[name] = json.loads(data).get("value")
        return slots

    def _user_turn(self, session_id: str, event: Dict[Text, Any]) -> None:
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        ranking = [
            {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
            for r in (parse.get("intent_ranking") or [])[:RANKING_LENGTH]
        ]
        fields = {"ended_at": _time(event)}
        if event.get("input_channel"):
            fields["channel"] = event["input_channel"]
        self.store.add_turn(
            session_id, self._key("u", event), "user",
            event.get("text") if self.log_user_text else None, _time(event),
            intent=intent.get("name"), confidence=intent.get("confidence"), intents=ranking,
            session_fields=fields,
        )

    def _slot_set(self, sender: str, session_id: str, name: Optional[str], value: Any) -> None:
        slots = self._slots.setdefault(sender, {})
        slots[name] = value
        if name in contract.EXCUSE_SLOTS:
            self._write_if_changed(session_id, self.store.set_excuses, contract.excuse_rows(slots))
        elif name == contract.COMMITMENTS:
            self._write_if_changed(session_id, self.store.set_commitments, contract.commitment_rows(value))
        elif name == contract.PRACTICE_ROUNDS:
            self._write_rounds(session_id, contract.practice_round_rows(value, keep_text=self.log_user_text))
        elif name == contract.COMMITMENT_REPORTS:
            # A returning user's answer about a commitment of an earlier session (idempotent).
            for report in contract.report_rows(value):
                self.store.report_commitment(sender, report["excuse_id"], report["step_number"], report["status"],
                                             report["new_due_date"])
        elif name == contract.READING and (pair := contract.correction_pair(value)):
            # What the coach misread and what the user meant (coach.reading), for later review.
            misread, meant = pair
            self.store.add_correction(session_id, self._last_turn.get(sender) or "", misread, meant,
                                      datetime.now(timezone.utc))
        elif name in contract.SESSION_SLOTS and value is not None:
            self.store.update_session(session_id, **{contract.SESSION_SLOTS[name]: value})

    def _write_rounds(self, session_id: str, rows) -> None:
        """The practice rounds: only those that are new or changed since the last write when this
        process wrote them and none went away; otherwise all (after a restart, another server's
        write, a deletion)."""
        key = (session_id, contract.PRACTICE_ROUNDS)
        before = self._written.get(key)
        if before == rows:
            return
        keys = {(r.get("attempt"), r.get("round")) for r in rows}
        if before is not None and all((r.get("attempt"), r.get("round")) in keys for r in before):
            self.store.set_practice_rounds(session_id, [r for r in rows if r not in before], complete=False)
        else:
            self.store.set_practice_rounds(session_id, rows)
        self._written[key] = rows

    def _write_if_changed(self, session_id: str, write, rows) -> None:
        # Several slots feed one table (the excuse rows come from three) and a replay sends them
        # again: write only rows that changed.
        key = (session_id, write.__name__)
        if self._written.get(key) != rows:
            write(session_id, rows)
            self._written[key] = rows
