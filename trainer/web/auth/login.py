"""The `/login` page: a plain HTML form posted to `/auth/login` (no Reflex event), so the browser
receives the HttpOnly session cookie from the server's answer and goes on to `next`. Errors come
back as `?error=` codes, each explained here."""

from __future__ import annotations

import reflex as rx

from trainer.api.web_login import safe_next
from trainer.web import routes
from trainer.web.components import testid
from trainer.web.components.native_form import native_form

ERRORS = {
    "credentials": "Wrong email or password. Check both and try again.",
    "deactivated": "This account is deactivated. Ask an admin if it should be active again.",
    "origin": (
        "The sign-in form was sent from another site, so it was refused. Open this page "
        "directly and sign in again."
    ),
}


def error_text(code: str, minutes: str = "") -> str:
    """The message of a login error code ("" for none)."""
    if not code:
        return ""
    if code == "locked":
        count = minutes if minutes.isdigit() and 0 < int(minutes) < 10_000 else "15"
        unit = "minute" if count == "1" else "minutes"
        return (
            f"Too many failed sign-ins: this account is locked for {count} {unit}. "
            "Try again later, or ask an admin to set a new password."
        )
    return ERRORS.get(code, "Signing in did not work. Try again.")


class LoginState(rx.State):
    """What the login page shows: the error of the last try, a signed-out note, and where to go
    afterwards. `ready` holds the submit button back until these are known."""

    error: str = ""
    notice: str = ""
    next_path: str = "/"
    ready: bool = False

    @rx.event
    def on_load(self):
        """Read `?error=`, `?minutes=`, `?signed_out=`, `?ended=` and `?next=` from the
        address."""
        params = self.router.url.query_parameters
        self.next_path = safe_next(params.get("next"))
        if self.next_path.startswith(routes.LOGIN):
            self.next_path = "/"
        self.error = error_text(params.get("error") or "", params.get("minutes") or "")
        if self.error:
            self.notice = ""
        elif params.get("signed_out"):
            self.notice = "You are signed out."
        elif params.get("ended"):
            self.notice = "Your session has ended (it expired or was closed). Sign in again."
        else:
            self.notice = ""
        self.ready = True


def _field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            name=name,
            id=name,
            type=kind,
            required=True,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            custom_attrs=testid(f"login-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def login_page() -> rx.Component:
    """The sign-in card."""
    s = LoginState
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("headset", size=26, color=rx.color("accent", 9)),
                    rx.heading("Trainer", size="6", weight="bold"),
                    align="center",
                    spacing="2",
                ),
                rx.text("Sign in to continue.", size="2", color_scheme="gray"),
                rx.cond(
                    s.error != "",
                    rx.callout(
                        s.error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                        custom_attrs=testid("login-error"),
                    ),
                ),
                rx.cond(
                    s.notice != "",
                    rx.callout(
                        s.notice,
                        icon="circle-check",
                        color_scheme="grass",
                        width="100%",
                        custom_attrs=testid("login-notice"),
                    ),
                ),
                native_form(
                    rx.vstack(
                        _field("Email", "email", "email", "username"),
                        _field("Password", "password", "password", "current-password"),
                        rx.el.input(type="hidden", name="next", value=s.next_path),
                        rx.button(
                            "Sign in",
                            type="submit",
                            size="3",
                            width="100%",
                            disabled=~s.ready,
                            custom_attrs=testid("login-submit"),
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    action=routes.LOGIN_POST,
                    width="100%",
                    id="login-form",
                ),
                rx.text(
                    "Forgot your password? Ask an admin to set a new one.",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="min(26rem, 100%)",
        ),
        min_height="100vh",
        padding="1rem",
        background_color=rx.color("gray", 2),
        custom_attrs=testid("login-page"),
    )
