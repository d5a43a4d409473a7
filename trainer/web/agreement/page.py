"""The `/agreement` page: one row per criterion, auto vs human and between reviewers."""

from __future__ import annotations

import reflex as rx

from trainer.web.agreement import viewmodels as avm
from trainer.web.agreement.state import AgreementState
from trainer.web.components import data_table, error_callout, labelled, page, score_badge, testid

HEADERS = [
    "Criterion",
    "Auto vs human: n",
    "Exact",
    "MAD",
    "Kappa",
    "Between reviewers: n",
    "Alpha",
    "Reading",
]


def _row(row: rx.Var[avm.AgreementRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(row.criterion)),
        rx.table.cell(row.pair_n, text_align="center"),
        rx.table.cell(row.exact, text_align="center"),
        rx.table.cell(row.mad, text_align="center"),
        rx.table.cell(
            score_badge(row.kappa, row.kappa_tone, custom_attrs={"data-testid": row.kappa_id}),
            text_align="center",
        ),
        rx.table.cell(row.between_n, text_align="center"),
        rx.table.cell(
            score_badge(row.alpha, row.alpha_tone, custom_attrs={"data-testid": row.alpha_id}),
            text_align="center",
        ),
        rx.table.cell(rx.text(row.verdict, size="2", color_scheme="gray")),
        custom_attrs={"data-testid": row.row_id, "data-criterion": row.criterion},
    )


def _filter() -> rx.Component:
    s = AgreementState
    return rx.card(
        rx.form(
            rx.flex(
                labelled(
                    "Reviews submitted since",
                    rx.input(
                        name="since",
                        type="date",
                        default_value=s.since,
                        custom_attrs=testid("agreement-since"),
                    ),
                ),
                rx.button("Apply", type="submit", custom_attrs=testid("agreement-apply")),
                rx.button(
                    "All time",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=s.clear,
                    custom_attrs=testid("agreement-clear"),
                ),
                gap="3",
                align="end",
                wrap="wrap",
            ),
            on_submit=s.apply,
        ),
        margin_bottom="1rem",
    )


def agreement_page() -> rx.Component:
    """The `/agreement` page."""
    s = AgreementState
    return page(
        rx.heading("Agreement", size="7", margin_bottom="0.5rem"),
        rx.text(
            avm.EXPLANATION,
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
            max_width="60rem",
            custom_attrs=testid("agreement-explanation"),
        ),
        _filter(),
        error_callout(s.error),
        rx.text(
            s.summary, size="2", margin_bottom="0.5rem", custom_attrs=testid("agreement-summary")
        ),
        data_table(
            HEADERS,
            rx.foreach(s.rows, _row),
            table_id="agreement-table",
            empty=rx.cond(
                s.loaded & (s.rows.length() == 0),
                rx.center(
                    rx.text("No submitted reviews in this period.", color_scheme="gray"),
                    padding="2rem",
                    custom_attrs=testid("empty"),
                ),
            ),
        ),
        rx.hstack(
            rx.text("Kappa and alpha:", size="1", color_scheme="gray"),
            score_badge("0.80+ reliable", "green", size="1"),
            score_badge("0.67-0.80 tentative", "amber", size="1"),
            score_badge("below 0.67", "red", size="1"),
            spacing="2",
            margin_top="0.75rem",
            align="center",
        ),
        testid_name="agreement-page",
    )
