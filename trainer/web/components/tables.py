"""Tables, labelled form fields and empty states."""

from __future__ import annotations

import reflex as rx


def empty_state(text: rx.Var | str, name: str = "empty", icon: str = "inbox") -> rx.Component:
    """A quiet centred message where a list has nothing to show."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=22, color=rx.color("gray", 9)),
            rx.text(text, color_scheme="gray", size="2", text_align="center"),
            align="center",
            spacing="2",
        ),
        padding="2rem",
        width="100%",
        custom_attrs={"data-testid": name},
    )


def data_table(
    headers: list[str],
    body: rx.Component,
    *,
    table_id: str,
    empty: rx.Component | None = None,
) -> rx.Component:
    """A card holding a table (scrolls sideways on a small screen) and what shows when empty."""
    return rx.card(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(body),
                variant="ghost",
                size="2",
                width="100%",
                id=table_id,
            ),
            overflow_x="auto",
            width="100%",
        ),
        *([empty] if empty is not None else []),
        width="100%",
    )


def labelled(label: str, control: rx.Component, html_for: str | None = None) -> rx.Component:
    """A small label above a form control."""
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="1", weight="medium", color_scheme="gray"),
            html_for=html_for,
        ),
        control,
        spacing="1",
    )
