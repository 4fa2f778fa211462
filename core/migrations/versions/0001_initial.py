"""initial: sessions, turns, excuses, commitments

Revision ID: 0001
Revises:
Create Date: 2025-11-28

Written out in full instead of importing the models: a migration must keep creating exactly
this schema after the models have moved on.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "coach_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("training_code", sa.String(64)),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("rating", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_coach_sessions"),
        sa.CheckConstraint("mode IN ('coaching', 'practice')", name="ck_coach_sessions_mode"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_coach_sessions_rating"),
    )
    for column in ("sender_hash", "training_code", "started_at"):
        op.create_index(f"ix_coach_sessions_{column}", "coach_sessions", [column])

    op.create_table(
        "coach_turns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("intent", sa.String(128)),
        sa.Column("confidence", sa.Float()),
        sa.Column("intents", sa.JSON()),
        sa.Column("action", sa.String(128)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_turns"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_turns_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "event_key", name="uq_coach_turns_session_id_event_key"),
        sa.UniqueConstraint("session_id", "seq", name="uq_coach_turns_session_id_seq"),
        sa.CheckConstraint("role IN ('user', 'bot')", name="ck_coach_turns_role"),
    )

    op.create_table(
        "coach_excuses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("excuse_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("arguments_shown", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_excuses"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_excuses_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "excuse_id", name="uq_coach_excuses_session_id_excuse_id"),
        sa.CheckConstraint("outcome IN ('convinced', 'not_convinced', 'open')",
                           name="ck_coach_excuses_outcome"),
    )

    op.create_table(
        "coach_commitments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("excuse_id", sa.String(128), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("step_text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_commitments"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_commitments_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "excuse_id", "step_number",
                            name="uq_coach_commitments_session_id_excuse_id_step_number"),
    )


def downgrade() -> None:
    for table in ("coach_commitments", "coach_excuses", "coach_turns", "coach_sessions"):
        op.drop_table(table)
