"""The tables of the session log (SQLAlchemy models): sessions, turns, excuses discussed,
commitments, corrections and practice rounds, and how a session row reads as a plain dict.

Datetimes are stored as naive UTC and returned timezone-aware UTC. The schema is versioned with
Alembic (`core/migrations/`): a change here needs a migration there.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict

from sqlalchemy import (
    JSON, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String,
    Text, TypeDecorator, UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base(metadata=MetaData(naming_convention={
    # Fixed constraint names, so later migrations can address them on every backend.
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC (SQLite has no time zones), returned timezone-aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return to_utc(value).replace(tzinfo=None) if value is not None else None

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class SessionRow(Base):
    __tablename__ = "coach_sessions"
    __table_args__ = (
        CheckConstraint("mode IN ('coaching', 'practice')", name="mode"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )
    id = Column(String(64), primary_key=True)
    sender_hash = Column(String(64), nullable=False, index=True)
    channel = Column(String(64))
    mode = Column(String(16), nullable=False, default="coaching")
    training_code = Column(String(64), index=True)
    started_at = Column(UTCDateTime, nullable=False, index=True)
    ended_at = Column(UTCDateTime)
    rating = Column(Integer)
    excuses = relationship("ExcuseRow", order_by="ExcuseRow.position")
    commitments = relationship("CommitmentRow", order_by="CommitmentRow.id")
    corrections = relationship("CorrectionRow", order_by="CorrectionRow.id")
    practice_rounds = relationship("PracticeRoundRow",
                                   order_by="(PracticeRoundRow.attempt, PracticeRoundRow.round)")


class TurnRow(Base):
    __tablename__ = "coach_turns"
    __table_args__ = (
        UniqueConstraint("session_id", "event_key"),
        UniqueConstraint("session_id", "seq"),
        CheckConstraint("role IN ('user', 'bot')", name="role"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    seq = Column(Integer, nullable=False)
    event_key = Column(String(128), nullable=False)
    role = Column(String(8), nullable=False)
    text = Column(Text)
    intent = Column(String(128))
    confidence = Column(Float)
    intents = Column(JSON)
    action = Column(String(128))
    at = Column(UTCDateTime, nullable=False)


class ExcuseRow(Base):
    __tablename__ = "coach_excuses"
    __table_args__ = (
        UniqueConstraint("session_id", "excuse_id"),
        CheckConstraint("outcome IN ('convinced', 'not_convinced', 'open')", name="outcome"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    excuse_id = Column(String(128), nullable=False)
    position = Column(Integer, nullable=False)
    arguments_shown = Column(JSON, nullable=False)
    outcome = Column(String(16), nullable=False)


class CommitmentRow(Base):
    __tablename__ = "coach_commitments"
    __table_args__ = (UniqueConstraint("session_id", "excuse_id", "step_number"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    excuse_id = Column(String(128), nullable=False)
    step_number = Column(Integer, nullable=False)
    step_text = Column(Text, nullable=False)
    due_date = Column(Date)
    created_at = Column(UTCDateTime, nullable=False)
    # What the user said when asked in a later session: done / not_done / rescheduled.
    status = Column(String(16))
    status_at = Column(UTCDateTime)
    new_due_date = Column(Date)


class CorrectionRow(Base):
    """A message the coach misread and the user corrected ("falsch verstanden, es geht um …"):
    the excuse the coach had answered and the one the user meant (None when it had to ask)."""
    __tablename__ = "coach_corrections"
    __table_args__ = (UniqueConstraint("session_id", "event_key"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    event_key = Column(String(128), nullable=False)
    misread_intent = Column(String(128))
    corrected_intent = Column(String(128))
    at = Column(UTCDateTime, nullable=False)


class PracticeRoundRow(Base):
    """One round of the practice mode (migration 0002)."""
    __tablename__ = "coach_practice_rounds"
    __table_args__ = (
        UniqueConstraint("session_id", "attempt", "round"),
        CheckConstraint("score BETWEEN 0 AND 3", name="score"),
    )
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    attempt = Column(Integer, nullable=False)
    round = Column(Integer, nullable=False)
    excuse_id = Column(String(128), nullable=False)
    score = Column(Integer, nullable=False)
    covered = Column(JSON, nullable=False)
    answer_excerpt = Column(Text)
    hints = Column(Integer, nullable=False, default=0)


class ReviewRow(Base):
    """The review inbox's decision about one user turn (migration 0004): the confirmed intent
    or "ignore". Keyed like the turn (session and event key); the text stays in the turn."""
    __tablename__ = "coach_reviews"
    __table_args__ = (UniqueConstraint("session_id", "event_key"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    session_id = Column(String(64), ForeignKey("coach_sessions.id"), nullable=False)
    event_key = Column(String(128), nullable=False)
    decision = Column(String(128), nullable=False)
    reviewed_at = Column(UTCDateTime, nullable=False)


def to_utc(value: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones are taken as UTC already."""
    return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


def session_dict(row: SessionRow, turns: int) -> Dict[str, Any]:
    return {
        "id": row.id, "sender_hash": row.sender_hash, "channel": row.channel, "mode": row.mode,
        "training_code": row.training_code, "started_at": row.started_at,
        "ended_at": row.ended_at, "rating": row.rating, "turns": turns,
        "excuses": [e.excuse_id for e in row.excuses],
        "excuse_details": [{"excuse_id": e.excuse_id, "arguments_shown": list(e.arguments_shown),
                            "outcome": e.outcome} for e in row.excuses],
        "commitments": [{"excuse_id": c.excuse_id, "step_number": c.step_number,
                         "step_text": c.step_text, "due_date": c.due_date, "status": c.status,
                         "new_due_date": c.new_due_date} for c in row.commitments],
        "corrections": [{"misread_intent": c.misread_intent, "corrected_intent": c.corrected_intent}
                        for c in row.corrections],
        "practice_rounds": [{"attempt": r.attempt, "round": r.round, "excuse_id": r.excuse_id,
                             "score": r.score, "covered": list(r.covered), "answer_excerpt": r.answer_excerpt,
                             "hints": r.hints} for r in row.practice_rounds],
    }
