"""Query parameters holding a NUL character are refused with 422 before any handler runs.

PostgreSQL text cannot hold NUL (0x00): a parameter such as `?agent=%00` reached the database in
a query and came back as a server error (found by the schemathesis run); SQLite stores it and
finds nothing. No name, id or date a client may send holds one, so it is an input error for
every route, on both databases alike.
"""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from trainer.api.errors import problem_response
from trainer.errors import TrainerError


class RefuseNulParameters:
    """ASGI middleware: 422, naming the parameter, for a query holding a NUL character (plain
    ASGI: Starlette's BaseHTTPMiddleware would wrap the request body and hide the body limit's
    413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the request here when its query holds NUL; else hand it on."""
        if scope["type"] == "http":
            error = nul_parameter_error(QueryParams(scope.get("query_string", b"")))
            if error is not None:
                await problem_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def nul_parameter_error(params: QueryParams) -> TrainerError | None:
    """The error for the first parameter holding NUL (in its name or value), or None."""
    for name, value in params.multi_items():
        if "\x00" in name or "\x00" in value:
            shown = name if "\x00" not in name else "(a parameter name)"
            return TrainerError(
                "holds a NUL character (0x00), which no value may contain",
                where=f"query parameter {shown}",
            )
    return None
