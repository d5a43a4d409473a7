"""The agent scorecard: per agent, how many conversations, the overall mean, section averages."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.services.views import scorecard
from trainer.web import viewmodels as vm
from trainer.web.layout import error_callout, page, score_badge, testid


class ScorecardState(rx.State):
    """The scorecard rows (one per agent) and their section columns."""

    columns: list[vm.Column] = []
    rows: list[vm.ScorecardRow] = []
    error: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Compute the scorecard from the stored evaluations."""
        self.error = ""
        try:
            with session_scope() as session:
                rows = scorecard(session)
        except TrainerError as exc:
            self.error, self.rows, self.loaded = exc.format(), [], True
            return
        keys = vm.section_keys(rows, vm.SCORECARD_FIELDS)
        self.columns = vm.columns(keys)
        self.rows = vm.scorecard_rows(rows, keys)
        self.loaded = True


def _row(row: rx.Var[vm.ScorecardRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.agent, href=row.href, weight="medium", custom_attrs=testid("agent-link")),
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
            "Click an agent to see their conversations.",
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
