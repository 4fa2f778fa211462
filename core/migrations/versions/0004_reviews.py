"""reviews: what a reviewer decided about a user message in the review inbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10

The review inbox (core/review.py) lists user turns the coach was unsure about, fell back on or
that the user corrected. A reviewed turn leaves the inbox: one row per turn with the intent the
reviewer confirmed, or "ignore". No text: the example itself goes to the NLU file.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "coach_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("decision", sa.String(128), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_reviews"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_reviews_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "event_key", name="uq_coach_reviews_session_id_event_key"),
    )


def downgrade() -> None:
    op.drop_table("coach_reviews")
