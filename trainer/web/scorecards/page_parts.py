"""Pieces of the scorecard page: the filter bar, the download buttons, an agent's criteria and
the conversations behind one criterion."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import score_badge, testid
from trainer.web.scorecards import viewmodels as svm
from trainer.web.scorecards.state import ALL_TEAMS
from trainer.web.scorecards.state import ScorecardState as S


def filters_bar() -> rx.Component:
    """Date range, quick ranges, team selector and search."""
    return rx.flex(
        rx.vstack(
            rx.text("From", size="1", color_scheme="gray"),
            rx.input(
                type="date",
                value=S.since,
                on_change=S.set_since,
                custom_attrs=testid("since"),
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("To", size="1", color_scheme="gray"),
            rx.input(
                type="date",
                value=S.until,
                on_change=S.set_until,
                custom_attrs=testid("until"),
            ),
            spacing="1",
        ),
        rx.button(
            "Last 7 days", variant="soft", on_click=S.last_days(7), custom_attrs=testid("last-7")
        ),
        rx.button(
            "Last 30 days", variant="soft", on_click=S.last_days(30), custom_attrs=testid("last-30")
        ),
        rx.vstack(
            rx.text("Team", size="1", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(placeholder="All teams", custom_attrs=testid("team-select")),
                rx.select.content(
                    rx.select.item("All teams", value=ALL_TEAMS),
                    rx.foreach(S.team_names, lambda t: rx.select.item(t, value=t)),
                ),
                value=S.team_choice,
                on_change=S.choose_team,
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("Search", size="1", color_scheme="gray"),
            rx.input(
                placeholder="Name or team",
                value=S.search,
                on_change=S.set_search,
                custom_attrs=testid("search"),
            ),
            spacing="1",
        ),
        spacing="3",
        align="end",
        wrap="wrap",
        margin_bottom="0.75rem",
    )


def download_menu(kind: str) -> rx.Component:
    """CSV and Excel downloads of a table (`teams`, `agents`), or the agent's own scorecard
    (`person`: PDF as well)."""
    formats = [("csv", "CSV"), ("xlsx", "Excel")] + ([("pdf", "PDF")] if kind == "person" else [])
    return rx.hstack(
        *[
            rx.button(
                rx.icon("download", size=14),
                label,
                variant="outline",
                size="1",
                on_click=S.download(kind, fmt),
                custom_attrs={"data-testid": "download", "data-format": fmt, "data-kind": kind},
            )
            for fmt, label in formats
        ],
        spacing="2",
    )


def _criterion_row(row: rx.Var[svm.CriterionRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.section, size="2", color_scheme="gray")),
        rx.table.row_header_cell(
            rx.button(
                row.title,
                variant="ghost",
                size="2",
                white_space="normal",
                text_align="left",
                height="auto",
                on_click=S.open_criterion(row.id),
                custom_attrs=testid("criterion-link"),
            )
        ),
        rx.table.cell(score_badge(row.cell.text, row.cell.tone), text_align="center"),
        rx.table.cell(row.cell.n, text_align="center", custom_attrs=testid("criterion-n")),
        custom_attrs={"data-testid": "criterion-row", "data-criterion": row.id},
    )


def agent_detail() -> rx.Component:
    """The open agent: their row, then every criterion with n, each a drill-down link."""
    return rx.vstack(
        rx.hstack(
            rx.heading(S.agent, size="5"),
            rx.spacer(),
            rx.cond(
                S.coach_href != "",
                rx.link(
                    rx.button(rx.icon("handshake", size=14), "Coach", size="2", variant="soft"),
                    href=S.coach_href,
                    custom_attrs=testid("scorecard-coach"),
                ),
            ),
            download_menu("person"),
        ),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Section"),
                        rx.table.column_header_cell("Criterion"),
                        rx.table.column_header_cell("Score", text_align="center"),
                        rx.table.column_header_cell("n", text_align="center"),
                    )
                ),
                rx.table.body(rx.foreach(S.criteria, _criterion_row)),
                variant="ghost",
                width="100%",
                id="criteria-table",
            ),
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def _drill_row(row: rx.Var[svm.DrillRow]) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.link(
                row.conversation,
                href=row.href,
                weight="medium",
                custom_attrs=testid("conversation-link"),
            ),
            score_badge(row.value.text, row.value.tone),
            rx.badge(row.kind, color_scheme="gray", variant="soft"),
            rx.spacer(),
            rx.text(row.date, size="1", color_scheme="gray"),
            align="center",
            width="100%",
        ),
        rx.text(row.explanation, size="2", margin_top="0.25rem"),
        rx.foreach(
            row.evidence,
            lambda e: rx.text(
                "Turn ",
                e.turn,
                ": “",
                rx.el.mark(e.quote),
                "”",
                size="2",
                color_scheme="gray",
                custom_attrs=testid("evidence"),
            ),
        ),
        width="100%",
        custom_attrs={"data-testid": "drill-row", "data-conversation": row.conversation},
    )


def drill_list() -> rx.Component:
    """The conversations behind the agent's figure for the open criterion, worst first."""
    return rx.vstack(
        rx.heading(S.criterion_title, size="5"),
        rx.text(
            S.agent,
            ": the conversations behind this figure, lowest first. Open one for its review.",
            size="2",
            color_scheme="gray",
        ),
        rx.foreach(S.drill, _drill_row),
        rx.cond(
            S.loaded & (S.drill.length() == 0),
            rx.text("No conversation scored this criterion in the range.", color_scheme="gray"),
        ),
        width="100%",
        spacing="2",
    )
