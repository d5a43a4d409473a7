"""The `/scorecard` page: one row per agent with their section averages."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import error_callout, page, score_badge, testid
from trainer.web.scorecards import viewmodels as svm
from trainer.web.scorecards.state import ScorecardState
from trainer.web.state import AppState


def _row(row: rx.Var[svm.ScorecardRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.cond(
                AppState.nav_conversations,
                rx.link(
                    row.agent, href=row.href, weight="medium", custom_attrs=testid("agent-link")
                ),
                rx.text(row.agent, weight="medium", custom_attrs=testid("agent-name")),
            ),
        ),
        rx.table.cell(row.conversations, text_align="center", custom_attrs=testid("conversations")),
        rx.table.cell(
            score_badge(row.score.text, row.score.tone, size="2", custom_attrs=testid("overall")),
            text_align="center",
        ),
        rx.foreach(
            row.sections,
            lambda cell: rx.table.cell(
                score_badge(cell.text, cell.tone),
                text_align="center",
                custom_attrs={"data-testid": "section-score", "data-section": cell.key},
            ),
        ),
        custom_attrs={"data-testid": "scorecard-row", "data-agent": row.agent},
    )


def scorecard_page() -> rx.Component:
    """The `/scorecard` page."""
    s = ScorecardState
    return page(
        rx.hstack(
            rx.heading("Agent scorecard", size="7"),
            rx.spacer(),
            rx.text(
                s.rows.length(),
                " agents",
                size="2",
                color_scheme="gray",
                custom_attrs=testid("agent-count"),
            ),
            align="end",
            margin_bottom="0.5rem",
        ),
        rx.text(
            "Mean scores (0-100) of each agent's current evaluations. "
            "Click an agent to see their conversations (where your role shows them).",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Agent"),
                        rx.table.column_header_cell("Conversations", text_align="center"),
                        rx.table.column_header_cell("Overall", text_align="center"),
                        rx.foreach(
                            s.columns,
                            lambda c: rx.table.column_header_cell(c.label, text_align="center"),
                        ),
                    )
                ),
                rx.table.body(rx.foreach(s.rows, _row)),
                variant="ghost",
                width="100%",
                id="scorecard-table",
            ),
            rx.cond(
                s.loaded & (s.rows.length() == 0),
                rx.center(
                    rx.text("No scored conversations yet.", color_scheme="gray"),
                    padding="2rem",
                    custom_attrs=testid("empty"),
                ),
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.hstack(
            rx.text("Colour scale:", size="1", color_scheme="gray"),
            score_badge("80+", "green", size="1"),
            score_badge("60-79", "amber", size="1"),
            score_badge("<60", "red", size="1"),
            spacing="2",
            margin_top="0.75rem",
            align="center",
        ),
        testid_name="scorecard-page",
    )
