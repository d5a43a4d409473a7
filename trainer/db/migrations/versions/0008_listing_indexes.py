"""Indexes for lists at scale (100,000s of conversations): the conversations list newest
first, one agent's conversations by time, and the few pending or failed conversations.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_conversations_started_at_external_id", ["started_at", "external_id"]),
    ("ix_conversations_agent_id_started_at", ["agent_id", "started_at"]),
    ("ix_conversations_status", ["status"]),
)


def upgrade() -> None:
    """Create the listing indexes."""
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    """Drop the listing indexes."""
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
