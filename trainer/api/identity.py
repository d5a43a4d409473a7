"""Who is calling: a bearer token, the web app's session cookie, or (when configured) the email
a trusted reverse proxy puts in `TRAINER_AUTH_HEADER`."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.auth import (
    resolve_api_token,
    resolve_session,
    resolve_trusted_email,
    trusted_header_name,
)

SESSION_COOKIE = "trainer_session"


def db_session() -> Iterator[Session]:
    """A session per request: committed when the handler succeeds, rolled back otherwise."""
    with session_scope() as session:
        yield session


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def identify(session: Session, request: Request) -> Actor | None:
    """The actor behind the request, or None. A bearer token, when sent, must be valid: a bad
    one is never rescued by a cookie."""
    token = bearer_token(request)
    if token is not None or request.headers.get("authorization"):
        return resolve_api_token(session, token)
    actor = resolve_session(session, request.cookies.get(SESSION_COOKIE))
    if actor is None and (header := trusted_header_name()):
        client = request.client.host if request.client else None
        actor = resolve_trusted_email(session, request.headers.get(header), client)
    return actor


def unauthorized(message: str = "log in, or send a valid bearer token") -> HTTPException:
    """401 with the challenge clients expect."""
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})
