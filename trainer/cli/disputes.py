"""`trainer dispute ...`: an agent's answers to a submitted review (acknowledge, dispute, flag a
conversation for review) and their resolution by another reviewer or a lead."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from trainer.cli.common import acting_actor, app, out, user_errors
from trainer.errors import ReviewError

dispute_app = typer.Typer(
    help="Agents acknowledge or dispute reviews; another reviewer or a lead resolves.",
    no_args_is_help=True,
)
app.add_typer(dispute_app, name="dispute")


@dispute_app.command("acknowledge")
@user_errors
def acknowledge(review: Annotated[int, typer.Argument(help="The review's id.")]) -> None:
    """Acknowledge a submitted review of your conversation (`trainer --as AGENT ...`)."""
    from trainer.db.session import session_scope
    from trainer.services.disputes import acknowledge_review

    with session_scope() as session:
        done = acknowledge_review(session, acting_actor(session), review)
    out.print(f"review {review} acknowledged at {done['acknowledged_at']}", highlight=False)


@dispute_app.command("open")
@user_errors
def dispute_open(
    review: Annotated[int, typer.Argument(help="The review's id.")],
    criterion: Annotated[
        list[str], typer.Option("--criterion", "-c", help="A disputed criterion (repeatable).")
    ],
    comment: Annotated[str, typer.Option(help="Why you disagree.")],
) -> None:
    """Dispute chosen criteria of a submitted review of your conversation."""
    from trainer.db.session import session_scope
    from trainer.services.disputes import open_dispute

    with session_scope() as session:
        dispute = open_dispute(session, acting_actor(session), review, criterion, comment)
    out.print(
        f"dispute {dispute['id']} opened on review {review}: {', '.join(dispute['criteria'])}",
        highlight=False,
    )


def parse_value(text: str) -> tuple[str, str]:
    """`criterion=VALUE` (VALUE 0..1 or na) -> (criterion, VALUE)."""
    criterion, sep, value = text.partition("=")
    if not sep or not criterion.strip() or not value.strip():
        raise ReviewError(f"bad setting {text!r}", where="--set", fix="write CRITERION=VALUE")
    return criterion.strip(), value.strip()


@dispute_app.command("resolve")
@user_errors
def dispute_resolve(
    dispute: Annotated[int, typer.Argument(help="The dispute's id.")],
    outcome: Annotated[str, typer.Option(help="accepted, partly_accepted or rejected.")],
    reason: Annotated[str, typer.Option(help="The reason the agent will read.")],
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="CRITERION=VALUE for each accepted criterion (0..1 or na)."),
    ] = None,
) -> None:
    """Resolve an open dispute (a reviewer other than the scorer, a lead, or an admin)."""
    from trainer.db.session import session_scope
    from trainer.services.disputes import resolve_dispute

    values = dict(parse_value(s) for s in setting or [])
    with session_scope() as session:
        done = resolve_dispute(session, acting_actor(session), dispute, outcome, reason, values)
    out.print(f"dispute {dispute} {done['status']}", highlight=False)
    if done["changes"]:
        out.print(json.dumps(done["changes"]), highlight=False)


@dispute_app.command("list")
@user_errors
def dispute_list(
    mine: Annotated[
        bool, typer.Option(help="The disputes you opened, not those to resolve.")
    ] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Open disputes you may resolve (or, with --mine, the disputes you opened)."""
    from rich.table import Table

    from trainer.cli.common import _print_table
    from trainer.db.session import session_scope
    from trainer.services.disputes import disputes_inbox, my_disputes

    with session_scope() as session:
        actor = acting_actor(session)
        rows = my_disputes(session, actor) if mine else disputes_inbox(session, actor)
    if format == "json":
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        out.print("no disputes")
        return
    table = Table("id", "conversation", "review", "agent", "criteria", "status", "comment")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["conversation"],
            str(row["review_id"]),
            row["agent"] or "—",
            ", ".join(row["criteria"]),
            row["status"],
            row["comment"],
        )
    _print_table(table)


@dispute_app.command("flag")
@user_errors
def flag(
    conversation: Annotated[str, typer.Argument(help="External id of your conversation.")],
    clear: Annotated[bool, typer.Option(help="Withdraw the flag.")] = False,
) -> None:
    """Ask for one of your conversations to be reviewed."""
    from trainer.db.session import session_scope
    from trainer.services.disputes import flag_for_review

    with session_scope() as session:
        flag_for_review(session, acting_actor(session), conversation, flagged=not clear)
    out.print(f"{conversation} {'unflagged' if clear else 'flagged for review'}")
