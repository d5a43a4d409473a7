"""Score chips, processing-status badges and message callouts."""

from __future__ import annotations

import reflex as rx

TONE_SCHEMES = (("green", "grass"), ("amber", "amber"), ("red", "tomato"), ("blue", "blue"))


def _testid(name: str) -> dict:
    return {"data-testid": name}


def scheme(tone: rx.Var | str) -> rx.Var:
    """The Radix colour scheme of a tone (green, amber, red, blue; anything else gray)."""
    return rx.match(tone, *TONE_SCHEMES, "gray")


def score_badge(text: rx.Var | str, tone: rx.Var | str, size: str = "2", **props) -> rx.Component:
    """A score ("87", "N/A", "—") as a badge coloured by its tone (green, amber, red, gray)."""
    return rx.badge(
        text,
        color_scheme=scheme(tone),
        variant="soft",
        size=size,
        radius="full",
        min_width="2.75em",
        justify_content="center",
        **props,
    )


def error_callout(message: rx.Var) -> rx.Component:
    """A red callout shown when the state has an error message."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            custom_attrs=_testid("error"),
            margin_bottom="1rem",
        ),
    )


def notice_callout(message: rx.Var, name: str = "notice") -> rx.Component:
    """A green callout shown when the state has a confirmation to show."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="circle-check",
            color_scheme="grass",
            role="status",
            custom_attrs=_testid(name),
            margin_bottom="1rem",
        ),
    )


def status_badge(status: rx.Var, **props) -> rx.Component:
    """A processing status (`formatting.StatusView`): "Queued", "Processing 45%" with a spinner,
    or "Failed" (its reason as the tooltip)."""
    return rx.badge(
        rx.cond(status.pending & (status.status == "processing"), rx.spinner(size="1")),
        rx.cond(status.failed, rx.icon("circle-alert", size=12)),
        status.label,
        color_scheme=rx.match(status.tone, ("blue", "blue"), ("red", "tomato"), "gray"),
        variant="soft",
        size="2",
        radius="full",
        title=rx.cond(status.failed, status.reason, status.stage),
        custom_attrs={
            "data-testid": "status-badge",
            "data-status": status.status,
            "data-percent": status.percent,
        },
        **props,
    )
