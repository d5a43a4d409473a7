"""The `/account` page: who the user is, and changing their own password."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.auth import change_password
from trainer.web.components import error_callout, notice_callout, page, testid
from trainer.web.state import AppState, user_message


class AccountState(AppState):
    """The change-password form's outcome."""

    error: str = ""
    notice: str = ""

    @rx.event
    def on_load(self):
        """Start with a clean form."""
        self.error = self.notice = ""

    @rx.event
    def change(self, form: dict):
        """Check the current password and set the new one (typed twice)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        current = str(form.get("current") or "")
        new = str(form.get("new") or "")
        if new != str(form.get("confirm") or ""):
            self.error = "The new password and its repetition differ. Type them again."
            return None
        try:
            with session_scope() as session:
                # Every other session of theirs ends; this browser stays signed in.
                change_password(session, actor, current, new, keep_token=self.session_token())
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            return None
        self.notice = "Your password is changed."
        return rx.set_value("current", "")


def _password(label: str, name: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            name=name,
            id=name,
            type="password",
            required=True,
            auto_complete=autocomplete,
            width="100%",
            custom_attrs=testid(f"password-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def account_page() -> rx.Component:
    """Name, email, role; the change-password form."""
    s = AccountState
    return page(
        rx.heading("Your account", size="7", margin_bottom="1rem"),
        rx.card(
            rx.vstack(
                rx.text(rx.text.strong(s.user_name), " · ", s.user_email, size="3"),
                rx.badge(s.role_label, variant="soft"),
                spacing="2",
            ),
            margin_bottom="1rem",
            max_width="32rem",
        ),
        rx.card(
            rx.heading("Change your password", size="4", margin_bottom="0.75rem"),
            error_callout(s.error),
            notice_callout(s.notice, "password-changed"),
            rx.form(
                rx.vstack(
                    _password("Current password", "current", "current-password"),
                    _password("New password (10 characters or more)", "new", "new-password"),
                    _password("New password again", "confirm", "new-password"),
                    rx.button("Change password", type="submit", custom_attrs=testid("save")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AccountState.change,
                reset_on_submit=True,
                width="100%",
            ),
            max_width="32rem",
        ),
        testid_name="account-page",
    )
