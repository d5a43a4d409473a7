"""`trainer db backup` / `db restore` on SQLite: an online copy made while a writer holds the
database, a restore that checks the file first and keeps the replaced database aside, and
clear refusals (not SQLite, not Trainer's, an unknown revision, PostgreSQL: use pg_dump)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.migrate import upgrade
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.repository import store_conversation
from trainer.db.session import reset_cache, session_scope
from trainer.errors import DatabaseError, ForbiddenError
from trainer.services.backup import backup_database, inspect_backup, restore_database

from ..conftest import GOOD_CHAT, make_conversation

ADMIN = Actor.local_admin()


def _store(external_id: str) -> None:
    with session_scope() as session:
        store_conversation(session, make_conversation(GOOD_CHAT, external_id=external_id))


def _ids() -> set[str]:
    with session_scope() as session:
        return set(session.scalars(select(ConversationRecord.external_id)))


def test_backup_copies_online_and_restore_brings_it_back(sqlite_url, tmp_path):
    _store("before-backup")
    database = tmp_path / "trainer.db"
    writer = sqlite3.connect(database)  # another process in the middle of a read transaction
    writer.execute("BEGIN")
    writer.execute("SELECT count(*) FROM conversations").fetchone()
    try:
        result = backup_database(ADMIN, tmp_path / "backups" / "b1.db")
    finally:
        writer.rollback()
        writer.close()
    assert result.path.is_file() and result.size > 0
    assert not (tmp_path / "backups" / "b1.db-wal").exists()  # one self-contained file
    assert inspect_backup(result.path) == result.revision
    _store("after-backup")
    assert _ids() == {"before-backup", "after-backup"}
    restored = restore_database(ADMIN, result.path)
    assert _ids() == {"before-backup"}
    assert restored.kept_aside is not None and restored.kept_aside.parent == tmp_path
    kept = sqlite3.connect(restored.kept_aside)
    try:
        kept_ids = {row[0] for row in kept.execute("SELECT external_id FROM conversations")}
        kept_actions = {row[0] for row in kept.execute("SELECT action FROM audit_events")}
    finally:
        kept.close()
    assert kept_ids == {"before-backup", "after-backup"}
    assert "database.backup" in kept_actions  # logged once the copy was made
    with session_scope() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert "database.restore" in actions


def test_backup_restore_of_an_older_revision_migrates_it_forward(sqlite_url, tmp_path):
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, "0007")
    engine.dispose()
    assert inspect_backup(old) == "0007"
    restore_database(ADMIN, old)
    with session_scope() as session:
        from trainer.db.migrate import current_revision

        assert current_revision(session.get_bind()) != "0007"
        assert session.scalar(select(func.count()).select_from(ConversationRecord)) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,text\n1,hello\n", "not a SQLite database"),
        (None, "not a Trainer database"),
        ("unknown-revision", "which this Trainer does not know"),
    ],
)
def test_backup_restore_refuses_a_file_that_is_not_a_trainer_backup(
    sqlite_url, tmp_path, content, message
):
    _store("live")
    bad = tmp_path / "bad.db"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is None:
        other = sqlite3.connect(bad)
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        other.commit()
        other.close()
    else:
        backup_database(ADMIN, bad)
        copy = sqlite3.connect(bad)
        copy.execute("UPDATE alembic_version SET version_num = ?", (content,))
        copy.commit()
        copy.close()
    with pytest.raises(DatabaseError, match=message) as caught:
        restore_database(ADMIN, bad)
    assert str(bad) in caught.value.format()
    assert _ids() == {"live"}  # nothing was replaced
    assert not list(tmp_path.glob("trainer.before-restore-*"))


def test_backup_refuses_to_overwrite_and_is_for_admins(sqlite_url, tmp_path):
    target = tmp_path / "exists.db"
    target.write_bytes(b"keep")
    with pytest.raises(DatabaseError, match="exists already"):
        backup_database(ADMIN, target)
    assert target.read_bytes() == b"keep"
    with pytest.raises(ForbiddenError):
        backup_database(Actor(None, "Morgan", "lead"), tmp_path / "new.db")


def test_backup_of_postgresql_points_at_pg_dump(monkeypatch, tmp_path):
    url = "postgresql+psycopg://trainer:secret@db.example:5432/trainer"
    with pytest.raises(DatabaseError, match="postgresql") as caught:
        backup_database(ADMIN, tmp_path / "x.db", url=url)
    assert "pg_dump" in caught.value.format() and "secret" not in caught.value.format()


def test_backup_cli_round_trip(sqlite_url, tmp_path):
    set_acting(None)
    _store("one")
    runner = CliRunner()
    made = runner.invoke(app, ["db", "backup", str(tmp_path / "b.db")])
    assert made.exit_code == 0 and "backed up to" in made.output
    _store("two")
    reset_cache()
    bad = runner.invoke(app, ["db", "restore", str(tmp_path / "missing.db"), "--yes"])
    assert bad.exit_code == 2 and "E400" in bad.output
    done = runner.invoke(app, ["db", "restore", str(tmp_path / "b.db"), "--yes"])
    assert done.exit_code == 0 and "kept at" in done.output
    assert _ids() == {"one"}
