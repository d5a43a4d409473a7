"""Human reviews beside automatic evaluations: the reviewer's overall comment and submission
time, and a comment per criterion.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add evaluations.comment, evaluations.submitted_at and criterion_scores.comment."""
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("criterion_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the review columns."""
    with op.batch_alter_table("criterion_scores", schema=None) as batch_op:
        batch_op.drop_column("comment")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("comment")
