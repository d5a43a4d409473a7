"""Each conversation keeps its customer's name as first-contact resolution compares it
(`customer_key`, folded by `trainer.customer_keys.name_key`), indexed: a scorecard finds the
later contacts of the customers in its range by that index. Before, every contact in the
range with no reference was read and its name folded in Python, or matched by a regular
expression in SQL, which no index serves.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from trainer.customer_keys import name_key

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_conversations_customer_key"
BATCH = 5000


def upgrade() -> None:
    """Add and fill customer_key, then index it."""
    # A plain ADD COLUMN, not a batch copy of the table: on SQLite a copy would lose the
    # expression index of 0009 (SQLAlchemy cannot reflect it).
    op.add_column("conversations", sa.Column("customer_key", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    table = sa.table(
        "conversations",
        sa.column("id", sa.Integer),
        sa.column("customer_name", sa.String),
        sa.column("customer_key", sa.String),
    )
    last = 0
    while True:  # in batches by id: a large table is never held in memory at once
        rows = connection.execute(
            sa.select(table.c.id, table.c.customer_name)
            .where(table.c.id > last, table.c.customer_name.is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        keys = [(row_id, name_key(name)) for row_id, name in rows]
        keyed = [{"row_id": row_id, "key": key} for row_id, key in keys if key is not None]
        if keyed:
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(customer_key=sa.bindparam("key")),
                keyed,
            )
    op.create_index(INDEX, "conversations", ["customer_key"], unique=False)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index(INDEX, table_name="conversations")
    if op.get_bind().dialect.name == "sqlite":  # (SQLite 3.35+ drops a column in place)
        op.execute("ALTER TABLE conversations DROP COLUMN customer_key")
    else:
        op.drop_column("conversations", "customer_key")
