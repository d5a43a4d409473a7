"""TrainerError -> HTTP: each coded error becomes a status and a JSON `detail` a client can show
(never a traceback or a server path)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from trainer.errors import (
    AccountError,
    AuthenticationError,
    DatabaseError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    TrainerError,
)

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[TrainerError], int], ...] = (
    (RateLimitedError, 429),
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (AccountError, 422),
    (DatabaseError, 503),
    (TrainerError, 422),
)


def status_for(exc: TrainerError) -> int:
    """The HTTP status of a coded error."""
    return next(status for cls, status in STATUS if isinstance(exc, cls))


def problem_response(exc: TrainerError) -> JSONResponse:
    """The answer to a coded error: its status, with its message and code as JSON."""
    return JSONResponse({"detail": exc.format(), "code": exc.code}, status_code=status_for(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Answer TrainerErrors with their status, code and message."""

    @app.exception_handler(TrainerError)
    async def _trainer_error(_request: Request, exc: TrainerError) -> JSONResponse:
        return problem_response(exc)
