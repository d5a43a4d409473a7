"""The standalone API app (as `trainer api` serves it) as a factory, so the load test can run it
under uvicorn with several worker processes: `uvicorn --factory load_app:app --workers 4`.

Each process builds its redaction and scoring engines before it serves (the load test measures
serving, and a warm-up request from outside reaches only the process that accepted its
connection: the others paid seconds of loading on their first posted chat under load)."""

from __future__ import annotations

from fastapi import FastAPI


def _warm() -> None:
    from trainer.conversation import Conversation, Turn
    from trainer.privacy import redact_conversation
    from trainer.scoring.engine import score_conversation
    from trainer.scoring.rubric import find_rubric

    chat = Conversation(
        external_id="warm-up",
        turns=[Turn("customer", "My card 4111 was charged twice."), Turn("agent", "I'm sorry.")],
    )
    score_conversation(redact_conversation(chat)[0], find_rubric("customer_service"))


def app() -> FastAPI:
    """`create_api(standalone=True)`: CORS, size limit and security headers included."""
    from trainer.api.app import create_api

    _warm()
    return create_api(standalone=True)
