"""`/calibration`: the sessions I run or take part in, and (for leads and admins) the form that
opens one: title, conversation ids, who takes part, the baseline (expert) reviewer."""

from __future__ import annotations

import reflex as rx

from trainer.web.calibration.state import CalibrationListState
from trainer.web.calibration.viewmodels import SessionRow
from trainer.web.components import data_table, empty_state, error_callout, labelled, page, testid


def _row(row: rx.Var[SessionRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.title, href=row.href, weight="medium", custom_attrs=testid("calib-link"))
        ),
        rx.table.cell(rx.badge(row.status, variant="soft", color_scheme="gray")),
        rx.table.cell(row.role),
        rx.table.cell(row.lead),
        rx.table.cell(row.baseline),
        rx.table.cell(row.participants),
        rx.table.cell(row.conversations),
        custom_attrs={"data-testid": "calib-session-row", "data-session": row.id},
    )


def _person(name: rx.Var[str]) -> rx.Component:
    s = CalibrationListState
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=s.invited.contains(name),
                on_change=lambda _checked: s.toggle(name),
                custom_attrs={"data-testid": "calib-invite", "data-person": name},
            ),
            rx.text(name, size="2"),
            spacing="2",
            align="center",
        ),
    )


def open_form() -> rx.Component:
    """The form a lead or admin opens a session with."""
    s = CalibrationListState
    return rx.card(
        rx.heading("Open a calibration session", size="4", margin_bottom="0.75rem"),
        rx.form(
            rx.vstack(
                rx.flex(
                    labelled(
                        "Title",
                        rx.input(
                            name="title",
                            required=True,
                            width="20rem",
                            custom_attrs=testid("calib-title"),
                        ),
                    ),
                    labelled(
                        "Conversations (ids, comma separated)",
                        rx.input(
                            name="conversations",
                            required=True,
                            width="20rem",
                            placeholder="b-1, b-2",
                            custom_attrs=testid("calib-conversations"),
                        ),
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                labelled(
                    "Participants",
                    rx.flex(rx.foreach(s.people, _person), spacing="4", wrap="wrap"),
                ),
                labelled(
                    "Baseline (expert) reviewer",
                    rx.select(
                        s.baseline_options,
                        value=s.baseline,
                        on_change=s.set_baseline,
                        custom_attrs=testid("calib-baseline"),
                    ),
                ),
                rx.button("Open session", type="submit", custom_attrs=testid("calib-open")),
                spacing="3",
                align="start",
            ),
            on_submit=s.open_session,
        ),
        margin_bottom="1rem",
    )


def calibration_page() -> rx.Component:
    """The `/calibration` page."""
    s = CalibrationListState
    return page(
        rx.heading("Calibration", size="7", margin_bottom="0.25rem"),
        rx.text(
            "Reviewers score the same conversations blind, then compare: with each other, with "
            "the automatic scorer and with the baseline reviewer.",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        rx.cond(s.can_run, open_form()),
        data_table(
            ["Session", "Status", "You", "Lead", "Baseline", "Participants", "Conversations"],
            rx.foreach(s.rows, _row),
            table_id="calib-sessions",
            empty=rx.cond(
                s.loaded & (s.rows.length() == 0),
                empty_state("No calibration sessions yet.", name="calib-empty"),
            ),
        ),
        testid_name="calibration-page",
    )
