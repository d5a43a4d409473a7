"""The 404 page: what any address that is not a page shows (with the navigation, when signed
in)."""

from __future__ import annotations

import reflex as rx

from trainer.web import routes
from trainer.web.components.layout import navbar, testid


def not_found_page() -> rx.Component:
    """A short explanation and a way back."""
    return rx.box(
        navbar(),
        rx.center(
            rx.card(
                rx.vstack(
                    rx.icon("map-pin-off", size=32, color=rx.color("gray", 9)),
                    rx.heading("Page not found", size="6"),
                    rx.text(
                        "There is no page at this address. The link may be old or mistyped.",
                        size="2",
                        color_scheme="gray",
                        text_align="center",
                    ),
                    rx.link(rx.button("Go to the start page"), href=routes.HOME),
                    align="center",
                    spacing="3",
                ),
                size="4",
                max_width="28rem",
            ),
            padding="3rem 1rem",
        ),
        min_height="100vh",
        background_color=rx.color("gray", 2),
        custom_attrs=testid("not-found-page"),
    )
