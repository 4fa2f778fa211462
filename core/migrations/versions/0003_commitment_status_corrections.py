"""commitment status and corrections

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

A returning user is asked about an open commitment; the answer (done / not_done / rescheduled,
with the new date) is kept on the commitment. Corrections ("Sie haben mich falsch verstanden")
keep the excuse the coach had answered and the one the user meant, for later review.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("coach_commitments") as table:
        table.add_column(sa.Column("status", sa.String(16)))
        table.add_column(sa.Column("status_at", sa.DateTime()))
        table.add_column(sa.Column("new_due_date", sa.Date()))
    op.create_table(
        "coach_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("misread_intent", sa.String(128)),
        sa.Column("corrected_intent", sa.String(128)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_corrections"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_corrections_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "event_key", name="uq_coach_corrections_session_id_event_key"),
    )


def downgrade() -> None:
    op.drop_table("coach_corrections")
    with op.batch_alter_table("coach_commitments") as table:
        table.drop_column("new_due_date")
        table.drop_column("status_at")
        table.drop_column("status")
