"""`trainer transcript correct`: a reviewer's fix of one transcript turn (the original is kept,
the conversation re-scored)."""

from __future__ import annotations

from typing import Annotated

import typer

from trainer.cli.common import acting_actor, app, out, user_errors

transcript_app = typer.Typer(help="Correct a transcript (the original is kept).")
app.add_typer(transcript_app, name="transcript")


@transcript_app.command("correct")
@user_errors
def correct(
    conversation: Annotated[str, typer.Argument(help="External id of the conversation.")],
    turn: Annotated[int, typer.Option(help="The turn's position, from 0.")],
    text: Annotated[str | None, typer.Option(help="The corrected text.")] = None,
    speaker: Annotated[str | None, typer.Option(help="agent, customer or system.")] = None,
) -> None:
    """Correct one turn's text or speaker; the conversation is re-scored."""
    from trainer.db.session import session_scope
    from trainer.services.corrections import correct_turn

    with session_scope() as session:
        done = correct_turn(
            session, acting_actor(session), conversation, turn, text=text, speaker=speaker
        )
    out.print(
        f"turn {turn} of {conversation} corrected ({done['speaker']}): {done['text']}; "
        f"new score {done['score']}",
        highlight=False,
    )
