"""Running Trainer: the database schema, the demo data, queue workers, speech models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trainer.cli.common import app, err, out, user_errors

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
models_app = typer.Typer(
    help="Speech models (local only: nothing is downloaded).", no_args_is_help=True
)
app.add_typer(models_app, name="models")


@app.command()
@user_errors
def worker(
    workers: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run queue consumers (start one per machine; they share TRAINER_QUEUE_URL). On start,
    and every five minutes, jobs left behind by a worker that died are queued again."""
    from trainer.db.session import database_url, get_sessionmaker, safe_url
    from trainer.jobs.queue import check_queue, default_queue, queue_url
    from trainer.jobs.recovery import recover_stale

    get_sessionmaker()  # an unreachable database is one clear line now, not a loop of errors
    check_queue()
    queue = default_queue()
    recovered = recover_stale(queue)
    if recovered["calls"] or recovered["jobs"]:
        err.print(
            f"queued again after a worker stopped: {len(recovered['calls'])} call(s) "
            f"{', '.join(recovered['calls'])}; {len(recovered['jobs'])} scoring job(s)",
            highlight=False,
            soft_wrap=True,
        )
    err.print(
        f"worker consuming {safe_url(queue_url())} with {workers} thread(s), "
        f"database {safe_url(database_url())}",
        highlight=False,
    )
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread")
    consumer.run()


@db_app.command("upgrade")
@user_errors
def db_upgrade() -> None:
    """Apply migrations to the configured database (commands also do this on their own)."""
    from trainer.db.migrate import current_revision
    from trainer.db.session import database_url, get_sessionmaker

    maker = get_sessionmaker()
    engine = maker.kw["bind"]
    out.print(
        f"database at revision {current_revision(engine)} ({_safe_url(database_url())})",
        highlight=False,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("backup")
@user_errors
def db_backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
) -> None:
    """Copy the SQLite database online, while the app and workers run (PostgreSQL: pg_dump)."""
    from trainer.services.backup import backup_database

    result = backup_database(_actor(), path)
    out.print(
        f"backed up to {result.path} ({result.size / 1e6:.1f} MB, revision {result.revision})",
        highlight=False,
    )


@db_app.command("restore")
@user_errors
def db_restore(
    path: Annotated[Path, typer.Argument(help="A file 'trainer db backup' wrote.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the SQLite database with a checked backup; the old one is kept beside it."""
    from trainer.services.backup import inspect_backup, restore_database

    revision = inspect_backup(path)  # a bad file fails before the question
    if not yes and not typer.confirm(
        f"Replace the database with {path} (revision {revision})?", default=False, err=True
    ):
        err.print("nothing changed")
        raise typer.Exit(1)
    result = restore_database(_actor(), path)
    out.print(f"restored {result.path} (revision {result.revision})", highlight=False)
    if result.kept_aside:
        out.print(f"the database as it was is kept at {result.kept_aside}", highlight=False)


def _actor():
    from trainer.cli.common import acting_actor
    from trainer.db.session import session_scope

    with session_scope() as session:
        return acting_actor(session)


@app.command()
@user_errors
def demo() -> None:
    """Seed the demo data: sample chats, people and teams, scored with the default rubric."""
    from trainer.services.demo import DEMO_PASSWORD, demo_logins, seed_demo

    result = seed_demo(progress=lambda msg: err.print(f"[dim]{msg}[/]", highlight=False))
    out.print(
        f"demo ready: {result['conversations']} conversations ({result.get('calls', 0)} calls), "
        f"{result['scored']} scored, {result['agents']} agents, "
        f"{result.get('reviews_submitted', 0)} human reviews submitted"
    )
    if result.get("accounts_created"):
        out.print(
            f"demo accounts created, all with the password [bold]{DEMO_PASSWORD}[/] "
            "(demo only: change or deactivate them before real use):"
        )
        for role, email in demo_logins():
            out.print(f"  {role:9} {email}", highlight=False)
    else:
        out.print("demo accounts already exist (logins in the README)")


@models_app.command("convert")
@user_errors
def models_convert(
    out: Annotated[Path | None, typer.Option(help="Where to write the .pt checkpoint.")] = None,
) -> None:
    """Build openai-whisper's PyTorch checkpoint from the packaged CTranslate2 tiny.en weights."""
    from trainer.speech.models import convert_packaged

    path = Path(convert_packaged(out))
    err.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", highlight=False)
