"""The web app's login and logout: plain HTML form posts, so the session cookie is set by the
server as HttpOnly + SameSite (page scripts never see it). The Reflex pages read the same cookie
from their websocket's headers (`trainer.web.state.AppState`)."""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from trainer.api.identity import SESSION_COOKIE
from trainer.db.session import session_scope
from trainer.errors import AuthenticationError, RateLimitedError
from trainer.services.auth import login, logout, session_lifetime

router = APIRouter(include_in_schema=False)
LOGIN_PAGE = "/login"


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (never `//other.site` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """False when a browser says the form came from another site (login CSRF)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _secure(request: Request) -> bool:
    flag = os.environ.get("TRAINER_COOKIE_SECURE", "").strip().lower()
    if flag in {"1", "true", "yes"}:
        return True
    if flag in {"0", "false", "no"}:
        return False
    return request.url.scheme == "https"


def _back_to_login(error: str, target: str, **extra: str) -> RedirectResponse:
    query = {"error": error, **extra}
    if target != "/":
        query["next"] = target
    return RedirectResponse(f"{LOGIN_PAGE}?{urlencode(query)}", status_code=303)


@router.post("/auth/login")
async def login_form(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),  # noqa: A002 - the form field's name
) -> Response:
    """Check the credentials; on success set the session cookie and go on to `next`, else back
    to the login page with an error code the page explains."""
    target = safe_next(next)
    if not _same_origin(request):
        return _back_to_login("origin", target)

    def attempt():
        with session_scope() as session:
            return login(session, email, password)

    try:
        result = await run_in_threadpool(attempt)
    except RateLimitedError as exc:
        minutes = "".join(ch for ch in exc.message.split("in ")[-1] if ch.isdigit()) or "15"
        return _back_to_login("locked", target, minutes=minutes)
    except AuthenticationError as exc:
        code = "deactivated" if "deactivated" in exc.message else "credentials"
        return _back_to_login(code, target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=int(session_lifetime().total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


@router.post("/auth/logout")
async def logout_form(request: Request) -> Response:
    """End the session and clear the cookie; back to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if not _same_origin(request):
        # Another site cannot sign anyone out: neither the session nor the cookie changes.
        return RedirectResponse("/", status_code=303)
    if token:

        def end() -> None:
            with session_scope() as session:
                logout(session, token)

        await run_in_threadpool(end)
    response = RedirectResponse(f"{LOGIN_PAGE}?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
