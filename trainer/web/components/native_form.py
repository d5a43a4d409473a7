"""A plain HTML form the browser submits itself (no Reflex submit handler): sign-in and sign-out
post to the server, which answers with a redirect that sets or clears the HttpOnly cookie.

`rx.el.form` always adds a handler that prevents the native submit (`prevent_default` when no
`on_submit` is given), so it is taken off here."""

from __future__ import annotations

import reflex as rx
from reflex.constants import EventTriggers


def native_form(*children: rx.Component, action: str, method: str = "post", **props):
    """A `<form action method>` posted by the browser itself."""
    form = rx.el.form(
        *children, action=action, method=method, handle_submit_unique_name="native", **props
    )
    form.event_triggers.pop(EventTriggers.ON_SUBMIT, None)
    return form
