"""`AppState`: the signed-in user, the login check and the role's navigation. Every page state
subclasses it.

Who is signed in comes from the `trainer_session` cookie that the login form's POST set
(HttpOnly: page scripts never see it). The browser sends it with the websocket upgrade, so the
backend reads it from `self.router.headers.cookie` and resolves it to an `Actor` on every event
(`self.actor()`): a session that expired, was revoked or whose user was deactivated stops
working at the next click, not at the next login.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import reflex as rx

from trainer.access import Action, Actor, can, scope_of
from trainer.access.policy import Scope
from trainer.api.identity import SESSION_COOKIE
from trainer.api.web_login import safe_next
from trainer.db.session import session_scope
from trainer.errors import TrainerError, without_paths
from trainer.services.auth import resolve_session, resolve_trusted_email, trusted_header_name
from trainer.web import routes

log = logging.getLogger(__name__)

ROLE_LABELS = {
    "trainee": "Trainee",
    "agent": "Agent",
    "reviewer": "QA reviewer",
    "lead": "Team lead",
    "hr": "HR",
    "admin": "Admin",
}
UNEXPECTED = (
    "Something went wrong on the server. Try again; if it keeps happening, tell an admin "
    "what you were doing."
)


def user_message(exc: BaseException) -> str:
    """What a page shows for an error: a coded error's message (what, where, how to fix) with
    any server path cut to its file name; anything unexpected as a plain apology (logged)."""
    if isinstance(exc, TrainerError):
        return without_paths(exc.format()) or ""
    log.exception("unexpected error in a page", exc_info=exc)
    return UNEXPECTED


def cookie_value(header: str, name: str) -> str | None:
    """The value of cookie `name` in a Cookie header ("a=1; b=2"), or None."""
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"') or None
    return None


def login_href(target: str = "", *, ended: bool = False) -> str:
    """The login page, coming back to `target` (a path on this site) afterwards; `ended` says
    the browser had a session that no longer works (expired, revoked, deactivated)."""
    target = safe_next(target)
    query = {"ended": "1"} if ended else {}
    if target != routes.HOME and target.rstrip("/") != routes.LOGIN:
        query["next"] = target
    return f"{routes.LOGIN}?{urlencode(query)}" if query else routes.LOGIN


class AppState(rx.State):
    """The signed-in user as the pages show them, and what their role's navigation holds.

    These vars only decide what is shown; every action still goes through a service, which
    authorizes the actor itself."""

    signed_in: bool = False
    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    role_label: str = ""
    nav_conversations: bool = False
    nav_scorecards: bool = False
    nav_admin: bool = False
    nav_audit: bool = False
    nav_queue: bool = False
    nav_agreement: bool = False
    nav_calibration: bool = False
    nav_coaching: bool = False
    nav_onboarding: bool = False
    is_admin: bool = False

    def session_token(self) -> str | None:
        """The session cookie the browser sent with this page's websocket."""
        return cookie_value(self.router.headers.cookie, SESSION_COOKIE)

    def actor(self) -> Actor | None:
        """The signed-in user, resolved now; None when not signed in (or the session ended)."""
        token = self.session_token()
        header = trusted_header_name()
        if not token and not header:
            return None
        try:
            with session_scope() as session:
                actor = resolve_session(session, token)
                if actor is None and header:
                    # Behind a trusted SSO proxy (TRAINER_AUTH_HEADER, off by default).
                    raw = {k.lower(): v for k, v in self.router.headers.raw_headers.items()}
                    client = self.router.session.client_ip or None
                    actor = resolve_trusted_email(session, raw.get(header.lower()), client)
                return actor
        except TrainerError:
            log.exception("could not resolve the session")
            return None

    def current_path(self) -> str:
        """The page's path and query as the browser shows them."""
        url = self.router.url
        path = (url.path or routes.HOME).rstrip("/") or routes.HOME
        return f"{path}?{url.query}" if url.query else path

    def to_login(self):
        """The redirect to the login page, back here afterwards (saying so when the browser's
        session has ended rather than never begun)."""
        self._clear_user()
        return rx.redirect(login_href(self.current_path(), ended=bool(self.session_token())))

    def _clear_user(self) -> None:
        self.signed_in = False
        self.user_name = self.user_email = self.user_role = self.role_label = ""
        self.nav_conversations = self.nav_scorecards = self.nav_admin = self.nav_audit = False
        self.nav_queue = self.nav_agreement = self.nav_calibration = False
        self.nav_coaching = False
        self.nav_onboarding = False
        self.is_admin = False

    def _show_user(self, actor: Actor) -> None:
        self.signed_in = True
        self.user_name, self.user_email = actor.name, actor.email or ""
        self.user_role, self.role_label = actor.role, ROLE_LABELS.get(actor.role, actor.role)
        self.nav_conversations = can(actor, Action.VIEW_CONVERSATION)
        self.nav_scorecards = can(actor, Action.VIEW_SCORECARDS)
        self.nav_admin = can(actor, Action.ADMINISTER) or can(actor, Action.ADD_USERS)
        self.nav_audit = can(actor, Action.VIEW_AUDIT)
        self.nav_queue = can(actor, Action.REVIEW_SCORE)
        # agreement is about other people's scores: roles whose scorecards reach beyond their own
        self.nav_agreement = scope_of(actor, Action.VIEW_SCORECARDS) in (Scope.TEAM, Scope.ALL)
        self.nav_calibration = can(actor, Action.RUN_CALIBRATION) or can(
            actor, Action.JOIN_CALIBRATION
        )
        self.nav_coaching = can(actor, Action.COACHING)
        self.nav_onboarding = can(actor, Action.ONBOARDING)
        self.is_admin = can(actor, Action.ADMINISTER)

    @rx.event
    def check_login(self):
        """First on_load handler of every page: to the login page unless signed in."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self._show_user(actor)
        return None

    @rx.event
    def load_user(self):
        """Show who is signed in, if anyone, without asking to sign in (the 404 page)."""
        actor = self.actor()
        if actor is None:
            self._clear_user()
        else:
            self._show_user(actor)

    @rx.event
    def go_home(self):
        """`/`: the first page the role has (conversations, else practice)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        if can(actor, Action.VIEW_CONVERSATION):
            return rx.redirect(routes.CONVERSATIONS, replace=True)
        return rx.redirect(routes.PRACTICE, replace=True)
