"""Storage: SQLAlchemy 2.0 models, sessions, Alembic migrations and repository functions."""
