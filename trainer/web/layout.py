"""The shared page shell (top bar with navigation) and small components the pages reuse."""

from __future__ import annotations

import reflex as rx

from trainer.web import routes


def testid(name: str | rx.Var) -> dict:
    """The `custom_attrs` that give a component a stable `data-testid` for browser tests."""
    return {"data-testid": name}


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    """A top-bar link."""
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="3", weight="medium"), spacing="2"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        custom_attrs=testid(f"nav-{label.lower()}"),
    )


def navbar() -> rx.Component:
    """The top bar: product name and the main sections."""
    return rx.box(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("headset", size=22, color=rx.color("accent", 9)),
                    rx.heading("Trainer", size="5", weight="bold"),
                    rx.text("QA", size="2", color_scheme="gray"),
                    spacing="2",
                    align="center",
                ),
                href=routes.HOME,
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            rx.spacer(),
            nav_link("Conversations", routes.CONVERSATIONS, "messages-square"),
            nav_link("Scorecard", routes.SCORECARD, "bar-chart-3"),
            nav_link("Practice", routes.PRACTICE, "graduation-cap"),
            spacing="6",
            align="center",
            max_width="1400px",
            margin_x="auto",
            padding_x="1.5rem",
            height="56px",
        ),
        as_="nav",
        id="navbar",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def page(*children: rx.Component, testid_name: str) -> rx.Component:
    """A page: the top bar, then the content in a centred column."""
    return rx.box(
        navbar(),
        rx.box(
            *children,
            as_="main",
            max_width="1400px",
            margin_x="auto",
            padding_x="1.5rem",
            padding_y="1.5rem",
            custom_attrs=testid(testid_name),
        ),
        min_height="100vh",
        background_color=rx.color("gray", 2),
    )


def score_badge(text: rx.Var, tone: rx.Var, size: str = "2", **props) -> rx.Component:
    """A score ("87", "N/A", "—") as a badge coloured by its tone (green, amber, red, gray)."""
    return rx.badge(
        text,
        color_scheme=rx.match(
            tone, ("green", "grass"), ("amber", "amber"), ("red", "tomato"), "gray"
        ),
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
            custom_attrs=testid("error"),
            margin_bottom="1rem",
        ),
    )


def status_badge(status: rx.Var, **props) -> rx.Component:
    """A processing status (`vm.StatusView`): "Queued", "Processing 45%" with a spinner, or
    "Failed" (its reason as the tooltip)."""
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
