"""practice rounds: per-round results of the practice mode

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

One row per round of the role play: which excuse, 0–3 points, the key points the trainee
covered (labels from the knowledge base), an excerpt of the first answer and the hints used.
`attempt` counts the practice runs within one session (a trainee may practise again).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "coach_practice_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("excuse_id", sa.String(128), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("covered", sa.JSON(), nullable=False),
        sa.Column("answer_excerpt", sa.Text()),
        sa.Column("hints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coach_practice_rounds"),
        sa.ForeignKeyConstraint(["session_id"], ["coach_sessions.id"],
                                name="fk_coach_practice_rounds_session_id_coach_sessions"),
        sa.UniqueConstraint("session_id", "attempt", "round",
                            name="uq_coach_practice_rounds_session_id_attempt_round"),
        sa.CheckConstraint("score BETWEEN 0 AND 3", name="ck_coach_practice_rounds_score"),
    )


def downgrade() -> None:
    op.drop_table("coach_practice_rounds")
