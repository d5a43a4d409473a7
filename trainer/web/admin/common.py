"""What the admin pages share: their state's messages and the way it calls a service as the
signed-in user, their tabs (HR sees Users and Import only) and role choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import reflex as rx
from sqlalchemy.orm import Session

from trainer.access import Actor
from trainer.access.policy import ROLE_ORDER, STAFF_ROLES
from trainer.db.session import session_scope
from trainer.web import routes
from trainer.web.components import error_callout, notice_callout, page
from trainer.web.state import ROLE_LABELS, AppState, user_message

T = TypeVar("T")

# (label, route, admins only)
TABS = (
    ("Users", routes.ADMIN_USERS, False),
    ("Teams", routes.ADMIN_TEAMS, True),
    ("Staff import", routes.ADMIN_IMPORT, False),
    ("Unmatched agents", routes.ADMIN_AGENTS, True),
    ("API tokens", routes.ADMIN_TOKENS, True),
    ("Audit log", routes.ADMIN_AUDIT, True),
)
ALL_ROLES = list(ROLE_ORDER)
STAFF = [r for r in ROLE_ORDER if r in STAFF_ROLES]


class AdminState(AppState):
    """An admin page's state: its error and notice, and the two ways its handlers reach the
    services as the signed-in user (the services authorize; the page only shows the outcome)."""

    error: str = ""
    notice: str = ""

    def _reload(self, actor: Actor) -> None:
        """Load the page's rows as `actor` (each page defines it)."""
        raise NotImplementedError

    def _empty(self) -> None:
        """Forget the rows when loading failed (pages with rows define it)."""

    def _open(self):
        """An on_load: to the login page unless signed in, else the rows (or the error)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        try:
            self._reload(actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self._empty()
            self.error = user_message(exc)
        return None

    def _act(self, work: Callable[[Session, Actor], T], done: Callable[[T], str]):
        """Run `work(session, actor)` in one transaction, reload the rows and show `done(result)`
        as the notice; any error is shown instead and nothing is stored."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        try:
            with session_scope() as session:
                result = work(session, actor)
            self._reload(actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            return None
        self.notice = done(result)
        return None


def role_label(role: str) -> str:
    """ "lead" -> "Team lead"."""
    return ROLE_LABELS.get(role, role)


def split_names(text: str) -> list[str]:
    """Team names typed as "Tier 1, Voice; Billing" -> ["Tier 1", "Voice", "Billing"]."""
    return [n.strip() for n in text.replace(";", ",").split(",") if n.strip()]


def _tab(label: str, route: str, active: str) -> rx.Component:
    chosen = label == active
    return rx.link(
        rx.button(
            label,
            variant="solid" if chosen else "soft",
            color_scheme="indigo" if chosen else "gray",
            size="2",
        ),
        href=route,
        custom_attrs={"data-testid": f"admin-tab-{route.rsplit('/', 1)[-1]}"},
    )


def admin_tabs(active: str) -> rx.Component:
    """The admin sections the role has (HR: Users and Staff import)."""
    return rx.flex(
        *[
            rx.cond(AppState.is_admin, _tab(label, route, active))
            if admins_only
            else _tab(label, route, active)
            for label, route, admins_only in TABS
        ],
        gap="2",
        wrap="wrap",
        margin_bottom="1.25rem",
    )


def admin_page(
    title: str,
    active: str,
    *children: rx.Component,
    error: rx.Var,
    notice: rx.Var,
    testid_name: str,
) -> rx.Component:
    """An admin page: heading, tabs, messages, then the content."""
    return page(
        rx.heading(title, size="7", margin_bottom="0.75rem"),
        admin_tabs(active),
        error_callout(error),
        notice_callout(notice),
        *children,
        testid_name=testid_name,
    )
