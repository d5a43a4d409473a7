"""`trainer calibration ...`: open a calibration session, score it blind, read its results."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from trainer.cli.common import _print_table, acting_actor, app, out, user_errors
from trainer.cli.reviews import parse_setting

calibration_app = typer.Typer(
    help="Calibration sessions: reviewers score the same conversations blind.",
    no_args_is_help=True,
)
app.add_typer(calibration_app, name="calibration")


class ResultsFormat(StrEnum):
    table = "table"
    json = "json"


@calibration_app.command("open")
@user_errors
def calibration_open(
    title: Annotated[str, typer.Argument(help="What the session is about.")],
    conversation: Annotated[
        list[str], typer.Option("--conversation", "-c", help="External id (repeatable).")
    ],
    reviewer: Annotated[
        list[str], typer.Option("--reviewer", "-r", help="Participant name or email (repeatable).")
    ],
    baseline: Annotated[
        str | None, typer.Option(help="The expert whose scores the others are measured against.")
    ] = None,
) -> None:
    """Open a session (leads and admins: `trainer --as LEAD calibration open ...`)."""
    from trainer.db.session import session_scope
    from trainer.services.calibration import open_session

    with session_scope() as session:
        view = open_session(session, acting_actor(session), title, conversation, reviewer, baseline)
    out.print(
        f"session {view['id']} opened: {view['title']} — {len(view['conversations'])} "
        f"conversation(s), participants {', '.join(view['participants'])}"
        + (f", baseline {view['baseline']}" if view["baseline"] else ""),
        highlight=False,
    )


@calibration_app.command("list")
@user_errors
def calibration_list() -> None:
    """The sessions you run or take part in."""
    from rich.table import Table

    from trainer.db.session import session_scope
    from trainer.services.calibration import list_sessions

    with session_scope() as session:
        rows = list_sessions(session, acting_actor(session))
    if not rows:
        out.print("no calibration sessions yet ('trainer calibration open ...')")
        return
    table = Table("id", "title", "status", "lead", "baseline", "conversations", "participants")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["title"],
            row["status"],
            row["lead"] or "—",
            row["baseline"] or "—",
            ", ".join(row["conversations"]),
            ", ".join(row["participants"]),
        )
    _print_table(table)


@calibration_app.command("score")
@user_errors
def calibration_score(
    session_id: Annotated[int, typer.Argument(metavar="SESSION", help="The session's id.")],
    conversation: Annotated[str, typer.Argument(help="External id of the conversation.")],
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="CRITERION=VALUE, VALUE 0..1 or na (repeatable)."),
    ] = None,
    submit: Annotated[bool, typer.Option(help="Submit (final) instead of saving a draft.")] = False,
) -> None:
    """Save (or --submit) your blind scores of one conversation of a session."""
    from trainer.db.session import session_scope
    from trainer.services.calibration import save_calibration_score

    judgements = dict(parse_setting(s) for s in setting or [])
    with session_scope() as session:
        view = save_calibration_score(
            session, acting_actor(session), session_id, conversation, judgements, submit
        )
    out.print(
        f"calibration scores of {conversation} in session {session_id} {view['status']} "
        f"({len(view['values'])} criteria)",
        highlight=False,
    )


def _cell(value) -> str:
    return "—" if value is None else f"{value:.4g}"


@calibration_app.command("results")
@user_errors
def calibration_results_command(
    session_id: Annotated[int, typer.Argument(metavar="SESSION", help="The session's id.")],
    format: Annotated[ResultsFormat, typer.Option("--format", "-f")] = ResultsFormat.table,
) -> None:
    """Per criterion each reviewer's value, the baseline, deviation and spread; Krippendorff's
    alpha without and with the automatic scorer; each reviewer's alignment with the baseline."""
    from rich.table import Table

    from trainer.db.session import session_scope
    from trainer.services.calibration import calibration_results

    with session_scope() as session:
        results = calibration_results(session, acting_actor(session), session_id)
    if format is ResultsFormat.json:
        print(json.dumps(results, indent=2))
        return
    if not results["items"]:
        out.print("no results to show yet: submit your scores ('calibration score ... --submit')")
        return
    reviewers = results["reviewers"]
    table = Table("conversation", "criterion", *reviewers, "automatic", "sd", "range")
    for row in results["items"]:
        spread = row["spread"] or {}

        def shown(name: str, row=row) -> str:
            if name not in row["values"]:
                return "—"
            value = row["values"][name]
            return "N/A" if value is None else f"{value:g}"

        table.add_row(
            row["conversation"],
            row["criterion"],
            *[shown(r) for r in reviewers],
            "N/A" if row["has_automatic"] and row["automatic"] is None else _cell(row["automatic"]),
            _cell(spread.get("sd")),
            f"{spread['min']:g}–{spread['max']:g}" if spread else "—",
        )
    _print_table(table)
    alphas = Table("criterion", "weight", "alpha", "alpha with automatic", "units")
    for c in results["criteria"]:
        alphas.add_row(
            c["criterion"], f"{c['weight']:g}", _cell(c["alpha"]),
            _cell(c["alpha_with_automatic"]), str(c["units"]),
        )  # fmt: skip
    overall = results["overall"]
    alphas.add_row(
        "overall", "", _cell(overall["alpha"]), _cell(overall["alpha_with_automatic"]),
        str(overall["units"]),
    )  # fmt: skip
    _print_table(alphas)
    if results["baseline"]:
        out.print(f"alignment with the baseline ({results['baseline']}):", highlight=False)
        for name, value in results["alignment"].items():
            out.print(f"  {name}: {_cell(value)}", highlight=False)


@calibration_app.command("close")
@user_errors
def calibration_close(
    session_id: Annotated[int, typer.Argument(metavar="SESSION", help="The session's id.")],
) -> None:
    """Close a session: scoring stops and everyone in it sees all of its results."""
    from trainer.db.session import session_scope
    from trainer.services.calibration import close_session

    with session_scope() as session:
        view = close_session(session, acting_actor(session), session_id)
    out.print(f"session {view['id']} closed", highlight=False)
