"""Retention: `trainer purge --older-than 365d [--audio-only]` and `trainer erase --customer
EMAIL` (admins; each run is one audit row)."""

from __future__ import annotations

from typing import Annotated

import typer

from trainer.cli.common import acting_actor, app, err, out, user_errors


def _report(verb: str, result) -> None:
    counts = result.as_dict()
    prefix = "would " if result.dry_run else ""
    out.print(
        f"{prefix}{verb} {counts['conversations']} conversation(s), "
        f"{prefix}remove {counts['audio_files']} audio file(s)",
        highlight=False,
    )
    if counts["sources_kept"]:
        err.print(
            f"{counts['sources_kept']} source recording(s) lie outside Trainer's var/ folder "
            "(the organisation's own files): delete them there as your policy says",
            highlight=False,
        )
    if counts["audit_rows_kept"]:
        err.print(
            f"{counts['audit_rows_kept']} audit row(s) about these conversations stay "
            "(the audit log is append-only)",
            highlight=False,
        )


def _confirm(yes: bool, dry_run: bool, question: str) -> None:
    if yes or dry_run:
        return
    if not typer.confirm(question, default=False, err=True):
        err.print("nothing changed")
        raise typer.Exit(1)


@app.command()
@user_errors
def purge(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age to keep: 365d, 12w, 6m (months) or 2y.")
    ],
    audio_only: Annotated[
        bool,
        typer.Option("--audio-only", help="Remove only call audio; keep transcripts and scores."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete customer conversations (chats, calls) older than a period, with their scores,
    reviews and audio; or, with --audio-only, only their audio."""
    from trainer.db.session import session_scope
    from trainer.services.retention import cutoff_for
    from trainer.services.retention import purge as purge_service

    cutoff = cutoff_for(older_than)  # a bad period fails before the question
    what = "the audio of calls" if audio_only else "conversations"
    _confirm(yes, dry_run, f"Delete {what} from before {cutoff:%Y-%m-%d %H:%M} UTC?")
    with session_scope() as session:
        result = purge_service(
            session, acting_actor(session), older_than, audio_only=audio_only, dry_run=dry_run
        )
    _report("strip the audio of" if audio_only else "delete", result)


@app.command()
@user_errors
def erase(
    customer: Annotated[str, typer.Option("--customer", help="The customer's email address.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a data subject: every conversation of the customer with this address, with its
    audio and everything derived from it. The audit log keeps a hash of the address only."""
    from trainer.db.session import session_scope
    from trainer.services.retention import erase_customer

    _confirm(yes, dry_run, "Erase every conversation of this customer?")
    with session_scope() as session:
        result = erase_customer(session, acting_actor(session), customer, dry_run=dry_run)
    _report("delete", result)
