"""Engines and sessions. SQLite under var/ by default (WAL, busy timeout); any URL via env.

Every entry point calls `get_sessionmaker()`, which applies migrations on first use, so each command
works on a new empty database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from trainer.errors import DatabaseError

DEFAULT_SQLITE_PATH = Path("var") / "trainer.db"
_lock = threading.Lock()
_makers: dict[str, sessionmaker[Session]] = {}


def database_url() -> str:
    """$TRAINER_DATABASE_URL, else a SQLite file at var/trainer.db under the working directory."""
    url = os.environ.get("TRAINER_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL + busy timeout let the web app and a worker share the file; FKs make cascades real.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created and its pragmas on each connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to a migrated database (migrations run once per process and URL)."""
    from trainer.db.migrate import upgrade  # late: migrate imports this module

    url = url or database_url()
    with _lock:
        maker = _makers.get(url)
        if maker is None:
            engine = make_engine(url)
            try:
                upgrade(engine)
            except OperationalError as exc:
                raise DatabaseError(
                    f"cannot open the database: {exc.orig}",
                    where=make_url(url).render_as_string(hide_password=True),
                    fix="check TRAINER_DATABASE_URL and that the server is running",
                ) from None
            maker = sessionmaker(engine, expire_on_commit=False)
            _makers[url] = maker
    return maker


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = get_sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def reset_cache() -> None:
    """Forget engines (tests switch databases between cases)."""
    with _lock:
        for maker in _makers.values():
            maker.kw["bind"].dispose()
        _makers.clear()
