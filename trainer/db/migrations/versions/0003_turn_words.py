"""Word timestamps on turns (transcribed calls).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add turns.words."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("words", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop turns.words."""
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_column("words")
