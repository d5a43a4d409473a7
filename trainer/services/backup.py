"""Backups of the embedded SQLite database: an online copy (SQLite's backup API, safe while the
web app and workers write) and a restore that first checks the file is a Trainer database at a
migration revision this version knows, and keeps the replaced database aside.

PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore`; see docs/deploy.md):
these functions say so instead of guessing at a server's layout.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from trainer.access import Action, Actor, authorize
from trainer.db.session import database_url, reset_cache, session_scope
from trainer.errors import DatabaseError

# Tables every Trainer database has since the first migration; a file without them is not one.
REQUIRED_TABLES = frozenset({"alembic_version", "conversations", "turns", "evaluations"})


@dataclass(frozen=True)
class BackupResult:
    """What a backup or restore did: the file written or read, its revision and size, and
    (restore only) where the replaced database was kept."""

    path: Path
    revision: str
    size: int
    kept_aside: Path | None = None


def sqlite_path(url: str | None = None) -> Path:
    """The file behind a SQLite URL; a coded error for any other database (use pg_dump)."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise DatabaseError(
            f"'trainer db backup/restore' copies SQLite files; this database is "
            f"{parsed.get_backend_name()}",
            where=parsed.render_as_string(hide_password=True),
            fix="use pg_dump -Fc / pg_restore for PostgreSQL (docs/deploy.md, 'Backups')",
        )
    if not parsed.database or parsed.database == ":memory:":
        raise DatabaseError(
            "an in-memory database has no file to copy", where="TRAINER_DATABASE_URL"
        )
    return Path(parsed.database).resolve()


def known_revisions() -> set[str]:
    """Every migration revision this version of Trainer ships."""
    from alembic.script import ScriptDirectory

    from trainer.db.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def inspect_backup(path: Path) -> str:
    """The migration revision of a Trainer database file; a coded error naming the file when it
    is missing, not SQLite, damaged, not Trainer's, or from a newer Trainer."""
    if not path.is_file():
        raise DatabaseError("no such backup file", where=str(path), fix="check the path")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise DatabaseError(
                "not a SQLite database",
                where=str(path),
                fix="restore a file 'trainer db backup' made",
            )
    # Read-only: checking a file must never change it (nor create a -wal beside it).
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        status = connection.execute("PRAGMA quick_check").fetchone()[0]
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = REQUIRED_TABLES - tables
        if status != "ok":
            raise DatabaseError(f"the file is damaged ({status})", where=str(path))
        if missing:
            raise DatabaseError(
                f"not a Trainer database (no {', '.join(sorted(missing))} table)",
                where=str(path),
                fix="restore a file 'trainer db backup' made",
            )
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot read the file: {exc}", where=str(path)) from None
    finally:
        connection.close()
    revision = row[0] if row else None
    if revision not in known_revisions():
        raise DatabaseError(
            f"the backup is at migration revision {revision!r}, which this Trainer does not know",
            where=str(path),
            fix="restore it with the Trainer version that made it (or a newer one)",
        )
    return revision


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """An online copy to a new file, made self-contained: the copy inherits WAL mode, and a
    backup must be one file (no -wal or -shm beside it)."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def backup_database(actor: Actor, destination: Path, url: str | None = None) -> BackupResult:
    """Copy the live SQLite database to `destination` (a new file) while others keep using it;
    the copy is checked and the backup is in the audit log. Admins only."""
    authorize(actor, Action.ADMINISTER)
    source_path = sqlite_path(url)
    destination = Path(destination).resolve()
    if destination == source_path:
        raise DatabaseError(
            "the backup would overwrite the database itself", where=str(destination)
        )
    if destination.exists():
        raise DatabaseError(
            "the backup file exists already", where=str(destination), fix="name a new file"
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    with session_scope(url):
        pass  # migrate first, so even a brand-new database backs up as a Trainer database
    source = sqlite3.connect(source_path, timeout=30)
    try:
        _copy(source, destination)
    finally:
        source.close()
    revision = inspect_backup(destination)
    with session_scope(url) as session:
        from trainer.services.audit import record_event

        record_event(
            session,
            actor,
            "database.backup",
            object_type="database",
            after={"file": destination.name, "revision": revision},
        )
    return BackupResult(destination, revision, destination.stat().st_size)


def restore_database(actor: Actor, backup: Path, url: str | None = None) -> BackupResult:
    """Replace the SQLite database's content with a checked backup. The database as it was is
    first copied aside (`<name>.before-restore-<UTC time>.db` beside it); a backup from an
    older revision is migrated forward. The restore is in the (restored) audit log."""
    authorize(actor, Action.ADMINISTER)
    target_path = sqlite_path(url)
    backup = Path(backup).resolve()
    if backup == target_path:
        raise DatabaseError("that file is the database itself", where=str(backup))
    revision = inspect_backup(backup)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    kept = target_path.with_name(f"{target_path.stem}.before-restore-{stamp}.db")
    reset_cache()  # our own pooled connections must not hold the file during the copy
    if target_path.exists():
        live = sqlite3.connect(target_path, timeout=30)
        try:
            _copy(live, kept)
        finally:
            live.close()
    else:
        kept = None
        target_path.parent.mkdir(parents=True, exist_ok=True)
    # The backup API writes page by page into the live file under SQLite's own locks, so a
    # WAL database is replaced consistently (copying the file over it would not be).
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    with session_scope(url) as session:  # migrates an older backup forward
        from trainer.services.audit import record_event

        record_event(
            session,
            actor,
            "database.restore",
            object_type="database",
            after={
                "file": backup.name,
                "revision": revision,
                "kept_aside": kept.name if kept else None,
            },
        )
    return BackupResult(backup, revision, backup.stat().st_size, kept)
