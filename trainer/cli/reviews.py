"""`trainer review ...`: a reviewer's human review of a conversation from the command line."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trainer.cli.common import TextOrJson, acting_actor, app, err, out, user_errors
from trainer.errors import ReviewError

review_app = typer.Typer(help="Human reviews beside the automatic scores.", no_args_is_help=True)
app.add_typer(review_app, name="review")


def parse_setting(text: str) -> tuple[str, dict]:
    """`criterion=VALUE[:REASON]` -> (criterion, {"value", "reason"}); VALUE is 0..1 or na."""
    criterion, sep, rest = text.partition("=")
    if not sep or not criterion.strip() or not rest.strip():
        raise ReviewError(
            f"bad setting {text!r}", where="--set", fix="write CRITERION=VALUE[:REASON]"
        )
    value, _, reason = rest.partition(":")
    return criterion.strip(), {"value": value.strip(), "reason": reason.strip() or None}


@review_app.command("save")
@user_errors
def review_save(
    conversation: Annotated[str, typer.Argument(help="External id of the conversation.")],
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="CRITERION=VALUE[:REASON], VALUE 0..1 or na (repeatable); others accepted.",
        ),
    ] = None,
    comment: Annotated[str, typer.Option(help="Overall comment.")] = "",
    submit: Annotated[bool, typer.Option(help="Submit (final) instead of saving a draft.")] = False,
) -> None:
    """Save (or --submit) the acting reviewer's review (`trainer --as REVIEWER review save ...`)."""
    from trainer.db.session import session_scope
    from trainer.services.reviews import save_review

    judgements = dict(parse_setting(s) for s in setting or [])
    with session_scope() as session:
        view = save_review(
            session, acting_actor(session), conversation, judgements, comment=comment, submit=submit
        )
    out.print(f"review of {conversation} {view['status']}: score {view['score']}", highlight=False)
    changed = {c["id"]: c["value"] for c in view["criteria"] if c["reason"]}
    if changed:
        out.print(json.dumps(changed), highlight=False)


def line_ranges(lines: tuple[int, ...] | list[int]) -> str:
    """Line numbers as short ranges: (2, 3, 4, 9) -> "2-4,9"."""
    parts: list[str] = []
    for n in sorted(set(lines)):
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ",".join(parts)


@review_app.command("import")
@user_errors
def review_import(
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="CSV: conversation_id, reviewer, criterion, score (0..1 or N/A), comment."
        ),
    ],
    format: Annotated[TextOrJson, typer.Option("--format", "-f")] = TextOrJson.text,
) -> None:
    """Import past reviews (admins): one submitted review per conversation and reviewer;
    unknown reviewers become deactivated reviewer accounts; importing again replaces changed
    reviews and leaves unchanged ones. Refused lines are listed and the exit code is 1."""
    from trainer.db.session import session_scope
    from trainer.services.review_import import import_reviews

    try:
        data = csv_file.read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read the file: {exc.strerror}", where=str(csv_file)) from None
    with session_scope() as session:
        summary = import_reviews(session, acting_actor(session), data, csv_file.name)
    if format is TextOrJson.json:
        print(json.dumps(summary.as_dict(), indent=2))
    else:
        counts = summary.counts()
        out.print(
            f"{csv_file.name}: {counts['rows']} rows; reviews stored {counts['stored']}, "
            f"replaced {counts['replaced']}, unchanged {counts['unchanged']}; "
            f"reviewer accounts created (deactivated) {counts['users_created']}; "
            f"conversations refused {counts['conversations_refused']}",
            highlight=False,
            soft_wrap=True,
        )
        for name in summary.users_created:
            out.print(f"  new deactivated reviewer: {name}", highlight=False, markup=False)
    for error in summary.errors:
        err.print(
            f"{csv_file.name}:{line_ranges(error.lines)}: {error.message}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if summary.errors:
        raise typer.Exit(1)


class AgreementFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("agreement")
@user_errors
def agreement(
    since: Annotated[
        str | None, typer.Option(help="Only reviews submitted since this date (YYYY-MM-DD).")
    ] = None,
    format: Annotated[AgreementFormat, typer.Option("--format", "-f")] = AgreementFormat.table,
) -> None:
    """Per criterion: automatic vs final human score (n, exact, mean absolute difference,
    Cohen's kappa) and reviewers vs each other (n, Krippendorff's alpha, interval)."""
    from datetime import UTC, datetime

    from rich.table import Table

    from trainer.cli.common import _print_table
    from trainer.db.session import session_scope
    from trainer.services.agreement import agreement_report

    start = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            raise ReviewError(
                f"{since!r} is not a date", where="--since", fix="use YYYY-MM-DD"
            ) from None
    with session_scope() as session:
        rows = agreement_report(session, acting_actor(session), start)
    if format is AgreementFormat.json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        out.print("no submitted reviews yet ('trainer review save ... --submit')")
        return

    def cell(part: dict | None, key: str) -> str:
        value = (part or {}).get(key)
        return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    table = Table("criterion", "n", "exact", "MAD", "kappa", "reviewer units", "alpha")
    for row in rows:
        pair, between = row["auto_vs_human"], row["between_reviewers"]
        table.add_row(
            row["criterion"],
            cell(pair, "n"),
            cell(pair, "exact"),
            cell(pair, "mad"),
            cell(pair, "kappa"),
            cell(between, "n"),
            cell(between, "alpha"),
        )
    _print_table(table)
