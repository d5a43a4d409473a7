"""Engines and sessions. SQLite under var/ by default (WAL, busy timeout); any URL via env.

Every entry point calls `get_sessionmaker()`, which applies migrations on first use, so each command
works on a new empty database.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from trainer.db.retry import retry_locked
from trainer.errors import DatabaseError

T = TypeVar("T")
# Any fixed number: PostgreSQL's advisory lock that lets one process at a time migrate.
_MIGRATION_LOCK_KEY = 7_311_942

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


def safe_url(url: str) -> str:
    """`url` with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def _unreachable(url: str, exc: BaseException) -> DatabaseError:
    # Drivers put the host, port and cause on several lines; one line is enough to act on.
    cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return DatabaseError(
        f"cannot open the database: {cause}",
        where=safe_url(url),
        fix="check TRAINER_DATABASE_URL and that the server is running",
    )


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created and its pragmas on each connection."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            "not a database URL",
            where="TRAINER_DATABASE_URL",
            fix="use sqlite:///path/to/trainer.db or postgresql://user@host/db",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    size, overflow = pool_sizes()
    engine = create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=overflow)
    event.listen(engine, "connect", _postgres_settings)
    return engine


POOL_SIZE_ENV = "TRAINER_DB_POOL_SIZE"
DEFAULT_POOL_SIZE = 10


def pool_sizes() -> tuple[int, int]:
    """(kept, extra) PostgreSQL connections per process: $TRAINER_DB_POOL_SIZE (default 10)
    kept open, as many again opened at a peak and closed after. A busy API process runs up
    to 40 requests at once in its thread pool; with SQLAlchemy's default 5 kept, each request
    beyond them paid for a new server connection, and the server for a new backend."""
    raw = os.environ.get(POOL_SIZE_ENV, "").strip()
    try:
        size = int(raw) if raw else DEFAULT_POOL_SIZE
    except ValueError:
        size = 0
    if size < 1:
        raise DatabaseError(
            f"{raw!r} is not a pool size", where=POOL_SIZE_ENV, fix="a whole number, e.g. 10"
        )
    return size, size


def _postgres_settings(dbapi_connection, _record) -> None:
    """No JIT: Trainer's queries are small, and compiling them cost more than running them
    (a 20 ms page of the conversations list took 1.3 s with JIT, on 100,000 conversations)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()  # a rolled-back SET would be undone


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One process at a time applies migrations (four commands started at once on a new
    database would otherwise all create the same tables)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            key = {"k": _MIGRATION_LOCK_KEY}
            connection.execute(text("SELECT pg_advisory_lock(:k)"), key)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), key)
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}-migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# The newest committed migration (a test checks it against Alembic's own reading of the
# migrations folder): a database already there is recognised without importing Alembic and
# walking that folder, a quarter of a second of every command's start-up.
HEAD_REVISION = "0010"


def _stored_revision(engine: Engine) -> str | None:
    """alembic_version's row, or None where there is no such table (yet) or no row."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except ProgrammingError:  # PostgreSQL: no such table
        return None
    except OperationalError as exc:
        if "no such table" in str(exc.orig).lower():  # SQLite
            return None
        raise


def _migrate(engine: Engine) -> None:
    if _stored_revision(engine) == HEAD_REVISION:
        return  # the common case: no lock, no file, no Alembic
    from trainer.db.migrate import upgrade  # late: a cycle, and Alembic loads in 0.2 s

    with _migration_lock(engine):
        upgrade(engine)


def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    """A sessionmaker bound to a migrated database (migrations run once per process and URL)."""
    url = url or database_url()
    with _lock:
        maker = _makers.get(url)
        if maker is None:
            try:
                engine = make_engine(url)
                retry_locked(lambda: _migrate(engine))
            except (OperationalError, NoSuchModuleError, OSError) as exc:
                raise _unreachable(url, exc) from None
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


def transaction(work: Callable[[Session], T], url: str | None = None) -> T:
    """Run `work(session)` in its own transaction, committed; run it again from the start when
    SQLite reports the database locked (see trainer.db.retry)."""

    def attempt() -> T:
        with session_scope(url) as session:
            return work(session)

    return retry_locked(attempt)


def reset_cache() -> None:
    """Forget engines (tests switch databases between cases)."""
    with _lock:
        for maker in _makers.values():
            maker.kw["bind"].dispose()
        _makers.clear()
