"""The session log: sessions, turns, excuses discussed and commitments (plain Python + SQLAlchemy).

Knows nothing about Rasa or dialogues; the Rasa adapters and the custom actions call it with
plain values, the report reads it. Every write is its own short transaction and idempotent, so
a replay after a restart leaves the same rows. Datetimes are UTC: naive ones are taken as UTC,
all returned ones are timezone-aware UTC. The tables are core/log_schema.py, versioned with
Alembic (`migrations/`, core/schema_migration.py); SQLite's settings are core/sqlite_setup.py.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import create_engine, func, inspect, select, tuple_
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.pool import QueuePool

from core.log_schema import (
    CommitmentRow, CorrectionRow, ExcuseRow, PracticeRoundRow, ReviewRow, SessionRow, TurnRow, session_dict,
    to_utc,
)
from core import schema_migration
from core.sqlite_setup import configure_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRUNCATION_MARK = "…"
SESSION_FIELDS = {"mode", "training_code", "rating", "ended_at", "channel"}


def database_url() -> str:
    """DATABASE_URL from the environment or `.env`; default the SQLite file `coach.db` in the
    project. Relative SQLite paths count from the project folder, so every process finds the same
    file whatever its working directory."""
    from dotenv import load_dotenv

    load_dotenv(PROJECT_ROOT / ".env")
    url = make_url(os.environ.get("DATABASE_URL") or "sqlite:///coach.db")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not url.database.startswith("file:") and not Path(url.database).is_absolute():
            url = url.set(database=str(PROJECT_ROOT / url.database))
    return url.render_as_string(hide_password=False)


class SessionStore:
    def __init__(self, url: str, max_text_length: int = 2000):
        self.max_text_length = max_text_length
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            in_memory = parsed.database in (None, "", ":memory:")
            # A pool for file databases (SQLAlchemy 1.4 opens one connection per session there):
            # halves the cost of a write.
            self.engine = create_engine(url, future=True, connect_args={"check_same_thread": False},
                                        poolclass=None if in_memory else QueuePool)
            configure_sqlite(self.engine)
        else:
            # pre_ping: the servers run for days; a restarted database must not break logging.
            self.engine = create_engine(url, future=True, pool_pre_ping=True)

    # -- schema ---------------------------------------------------------------------------
    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (Alembic upgrade); safe to call on every start."""
        schema_migration.upgrade(self.engine, revision)

    def has_schema(self) -> bool:
        """True when the log tables exist (the report must not create them)."""
        return inspect(self.engine).has_table(SessionRow.__tablename__)

    # -- writes ---------------------------------------------------------------------------
    def ensure_session(self, session_id: str, sender_hash: str, channel: Optional[str],
                       started_at: datetime, mode: str = "coaching",
                       training_code: Optional[str] = None) -> None:
        """Create the session unless it exists; an existing one is left unchanged."""
        if self._session_exists(session_id):
            return
        try:
            with Session(self.engine) as s, s.begin():
                s.add(SessionRow(id=session_id, sender_hash=sender_hash, channel=channel,
                                 mode=mode, training_code=training_code, started_at=started_at))
        except IntegrityError:
            if not self._session_exists(session_id):  # a real error, not the creation race
                raise

    def update_session(self, session_id: str, **fields: Any) -> None:
        unknown = set(fields) - SESSION_FIELDS
        if unknown:
            raise ValueError(f"update_session: unknown field(s) {sorted(unknown)}")
        with Session(self.engine) as s, s.begin():
            row = self._lock_session(s, session_id)
            for name, value in fields.items():
                setattr(row, name, value)

    def add_turn(self, session_id: str, event_key: str, role: str, text: Optional[str],
                 at: datetime, intent: Optional[str] = None, confidence: Optional[float] = None,
                 intents: Optional[List[Dict[str, Any]]] = None,
                 action: Optional[str] = None, session_fields: Optional[Dict[str, Any]] = None) -> bool:
        """Append a turn; False (and no new turn) when `event_key` is logged for this session.
        `session_fields` (as for `update_session`) are set on the session in the same transaction,
        logged turn or not: one write per turn instead of two."""
        unknown = set(session_fields or ()) - SESSION_FIELDS
        if unknown:
            raise ValueError(f"add_turn: unknown session field(s) {sorted(unknown)}")
        try:
            with Session(self.engine) as s, s.begin():
                session = self._lock_session(s, session_id)  # serialises seq numbering per session
                for name, value in (session_fields or {}).items():
                    setattr(session, name, value)
                if self._turn_exists(s, session_id, event_key):
                    return False
                last_seq = s.scalar(select(func.max(TurnRow.seq)).where(TurnRow.session_id == session_id))
                s.add(TurnRow(session_id=session_id, seq=(last_seq or 0) + 1, event_key=event_key,
                              role=role, text=self._cap(text), intent=intent, confidence=confidence,
                              intents=intents, action=action, at=at))
            return True
        except IntegrityError:
            with Session(self.engine) as s:
                if self._turn_exists(s, session_id, event_key):
                    return False
            raise

    def set_excuses(self, session_id: str, excuses: List[Dict[str, Any]]) -> None:
        """Make the session's excuses match `excuses` (position = list order; repeats ignored)."""
        wanted: Dict[str, Dict[str, Any]] = {}
        for item in excuses:
            wanted.setdefault(item["excuse_id"], {
                "position": len(wanted) + 1,
                "arguments_shown": [int(i) for i in item.get("arguments_shown") or []],
                "outcome": item.get("outcome") or "open",
            })
        with Session(self.engine) as s, s.begin():
            session = self._lock_session(s, session_id)
            _sync(s, session.excuses, wanted, lambda row: row.excuse_id,
                  lambda key: ExcuseRow(session_id=session_id, excuse_id=key))

    def set_commitments(self, session_id: str, commitments: List[Dict[str, Any]]) -> None:
        """Make the session's commitments match `commitments`; due_date: date, ISO string or None."""
        wanted: Dict[tuple, Dict[str, Any]] = {}
        for item in commitments:
            due = item.get("due_date")
            wanted[(item["excuse_id"], int(item["step_number"]))] = {
                "step_text": self._cap(item["step_text"]),
                "due_date": date.fromisoformat(due) if isinstance(due, str) else due,
            }
        with Session(self.engine) as s, s.begin():
            session = self._lock_session(s, session_id)
            now = datetime.now(timezone.utc)
            _sync(s, session.commitments, wanted, lambda row: (row.excuse_id, row.step_number),
                  lambda key: CommitmentRow(session_id=session_id, excuse_id=key[0],
                                            step_number=key[1], created_at=now))

    def report_commitment(self, sender_hash: str, excuse_id: str, step_number: int, status: str,
                          new_due_date: Optional[date] = None) -> bool:
        """Record on the sender's latest matching commitment what they said about it later;
        False when there is none (e.g. deleted in between)."""
        with Session(self.engine) as s, s.begin():
            row = s.scalars(
                select(CommitmentRow).join(SessionRow, CommitmentRow.session_id == SessionRow.id)
                .where(SessionRow.sender_hash == sender_hash, CommitmentRow.excuse_id == excuse_id,
                       CommitmentRow.step_number == int(step_number))
                .order_by(CommitmentRow.created_at.desc(), CommitmentRow.id.desc()).limit(1)
            ).first()
            if row is None:
                return False
            row.status, row.new_due_date = status, new_due_date
            row.status_at = datetime.now(timezone.utc)
            return True

    def add_correction(self, session_id: str, event_key: str, misread: Optional[str],
                       corrected: Optional[str], at: datetime) -> None:
        with Session(self.engine) as s, s.begin():
            self._lock_session(s, session_id)
            exists = s.scalar(select(CorrectionRow.id).where(CorrectionRow.session_id == session_id,
                                                             CorrectionRow.event_key == event_key))
            if exists is None:
                s.add(CorrectionRow(session_id=session_id, event_key=event_key, misread_intent=misread,
                                    corrected_intent=corrected, at=to_utc(at)))

    def corrections(self, session_id: str) -> List[Dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(CorrectionRow).where(CorrectionRow.session_id == session_id)
                             .order_by(CorrectionRow.id))
            return [{"misread_intent": r.misread_intent, "corrected_intent": r.corrected_intent, "at": r.at}
                    for r in rows]

    def set_practice_rounds(self, session_id: str, rounds: List[Dict[str, Any]], complete: bool = True) -> None:
        """Make the session's practice rounds match `rounds` (key: attempt and round; each with
        excuse_id, score 0–3, covered key point labels, optional answer_excerpt and hints).
        `complete=False`: write only these rounds and leave the session's others as they are (a
        long practice adds one round at a time; syncing all of them made each write slower)."""
        wanted: Dict[tuple, Dict[str, Any]] = {}
        for item in rounds:
            wanted[(int(item.get("attempt") or 1), int(item["round"]))] = {
                "excuse_id": item["excuse_id"],
                "score": int(item["score"]),
                "covered": [str(label) for label in item.get("covered") or []],
                "answer_excerpt": self._cap(item.get("answer_excerpt")),
                "hints": int(item.get("hints") or 0),
            }
        if not wanted and not complete:
            return
        with Session(self.engine) as s, s.begin():
            session = self._lock_session(s, session_id)
            if complete:
                rows = session.practice_rounds
            else:
                rows = list(s.scalars(select(PracticeRoundRow).where(
                    PracticeRoundRow.session_id == session_id,
                    tuple_(PracticeRoundRow.attempt, PracticeRoundRow.round).in_(list(wanted)))))
            _sync(s, rows, wanted, lambda row: (row.attempt, row.round),
                  lambda key: PracticeRoundRow(session_id=session_id, attempt=key[0], round=key[1]))

    # -- deletion (DSGVO: retention period, a user's request) -------------------------------
    def delete_sessions(self, sender_hash: Optional[str] = None,
                        ended_before: Optional[datetime] = None) -> int:
        """Delete the sessions of one sender and/or those whose last turn is older than
        `ended_before`, with all their rows; returns the number of sessions deleted."""
        if sender_hash is None and ended_before is None:
            raise ValueError("delete_sessions needs a sender or a date (refusing to delete all)")
        query = select(SessionRow.id)
        if sender_hash is not None:
            query = query.where(SessionRow.sender_hash == sender_hash)
        if ended_before is not None:
            query = query.where(func.coalesce(SessionRow.ended_at, SessionRow.started_at) < ended_before)
        with Session(self.engine) as s, s.begin():
            ids = list(s.scalars(query))
            for table in (TurnRow, ExcuseRow, CommitmentRow, PracticeRoundRow, CorrectionRow, ReviewRow,
                          SessionRow):
                key = table.id if table is SessionRow else table.session_id
                s.execute(table.__table__.delete().where(key.in_(ids)))
        return len(ids)

    # -- reads ----------------------------------------------------------------------------
    def sessions(self, since: Optional[datetime] = None, until: Optional[datetime] = None,
                 training_code: Optional[str] = None) -> List[Dict[str, Any]]:
        """Sessions started in [since, until), optionally of one training code, by start time."""
        turn_count = (select(func.count(TurnRow.id)).where(TurnRow.session_id == SessionRow.id)
                      .correlate(SessionRow).scalar_subquery())
        query = (select(SessionRow, turn_count)
                 .options(selectinload(SessionRow.excuses), selectinload(SessionRow.commitments),
                          selectinload(SessionRow.corrections),
                          selectinload(SessionRow.practice_rounds))
                 .order_by(SessionRow.started_at, SessionRow.id))
        if since is not None:
            query = query.where(SessionRow.started_at >= since)
        if until is not None:
            query = query.where(SessionRow.started_at < until)
        if training_code is not None:
            query = query.where(SessionRow.training_code == training_code)
        with Session(self.engine) as s:
            return [session_dict(row, turns) for row, turns in s.execute(query)]

    def latest_session_id(self, sender_hash: str) -> Optional[str]:
        """The sender's most recent session (to continue it after a restart), or None."""
        with Session(self.engine) as s:
            return s.scalar(select(SessionRow.id).where(SessionRow.sender_hash == sender_hash)
                            .order_by(SessionRow.started_at.desc(), SessionRow.id.desc()).limit(1))

    def latest_position(self, sender_hash: str) -> Optional[Tuple[str, Optional[str]]]:
        """The sender's most recent session and the event key of its last logged turn (None
        before the first), or None without a session: where the log of this sender stands."""
        with Session(self.engine) as s:
            session_id = s.scalar(select(SessionRow.id).where(SessionRow.sender_hash == sender_hash)
                                  .order_by(SessionRow.started_at.desc(), SessionRow.id.desc()).limit(1))
            if session_id is None:
                return None
            last_key = s.scalar(select(TurnRow.event_key).where(TurnRow.session_id == session_id)
                                .order_by(TurnRow.seq.desc()).limit(1))
            return session_id, last_key

    def turns(self, session_id: str) -> List[Dict[str, Any]]:
        with Session(self.engine) as s:
            rows = s.scalars(select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.seq))
            return [{name: getattr(row, name) for name in (
                "seq", "event_key", "role", "text", "intent", "confidence", "intents", "action", "at")}
                for row in rows]

    def dispose(self) -> None:
        self.engine.dispose()

    # -- helpers --------------------------------------------------------------------------
    def _cap(self, text: Optional[str]) -> Optional[str]:
        if text is None:
            return None
        text = text.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL characters
        if len(text) <= self.max_text_length:
            return text
        return text[: self.max_text_length - len(TRUNCATION_MARK)] + TRUNCATION_MARK

    def _session_exists(self, session_id: str) -> bool:
        with Session(self.engine) as s:
            return s.get(SessionRow, session_id) is not None

    @staticmethod
    def _lock_session(s: Session, session_id: str) -> SessionRow:
        # FOR UPDATE serialises writers of one session on PostgreSQL; SQLite locks the whole
        # database at BEGIN IMMEDIATE anyway.
        row = s.scalar(select(SessionRow).where(SessionRow.id == session_id).with_for_update())
        if row is None:
            raise KeyError(f"unknown session {session_id!r}: call ensure_session first")
        return row

    @staticmethod
    def _turn_exists(s: Session, session_id: str, event_key: str) -> bool:
        return s.scalar(select(TurnRow.id).where(TurnRow.session_id == session_id,
                                                 TurnRow.event_key == event_key)) is not None


def _sync(s: Session, rows: list, wanted: Dict[Any, Dict[str, Any]], key_of, new_row) -> None:
    """Update, insert and delete child rows so they match `wanted` (key -> column values)."""
    existing = {key_of(row): row for row in rows}
    for key, row in existing.items():
        if key not in wanted:
            s.delete(row)
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            row = new_row(key)
            s.add(row)
        for name, value in values.items():
            setattr(row, name, value)
