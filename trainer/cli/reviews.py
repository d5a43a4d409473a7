"""`trainer review ...`: a reviewer's human review of a conversation from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from trainer.cli.common import acting_actor, app, out, user_errors
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
