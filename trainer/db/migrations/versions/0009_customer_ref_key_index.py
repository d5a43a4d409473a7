"""An index on the customer reference as first-contact resolution compares it (trimmed, lower
case): finding a customer's later contacts among 100,000s of conversations reads the index, not
every conversation of the range.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_conversations_customer_ref_key"


def upgrade() -> None:
    """Create the index on lower(trim(customer_ref))."""
    op.create_index(NAME, "conversations", [sa.text("lower(trim(customer_ref))")], unique=False)


def downgrade() -> None:
    """Drop it."""
    op.drop_index(NAME, table_name="conversations")
