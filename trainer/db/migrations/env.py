"""Alembic environment: runs against the engine Trainer hands over, or sqlalchemy.url."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from trainer.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations online; SQLite uses batch mode so ALTERs work."""
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
