"""The `/scorecard` page: filters (date range, team), the overall figure, the weekly trend and
the score distribution, team and agent tables (searchable, sortable, n and 95% interval shown,
few-conversation figures marked uncertain), and the drill-down team → agent → criterion → the
conversations and evidence behind it, with CSV, Excel and PDF downloads."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import error_callout, page, score_badge, testid
from trainer.web.scorecards import viewmodels as svm
from trainer.web.scorecards.fcr_panel import fcr_panel
from trainer.web.scorecards.page_parts import (
    agent_detail,
    download_menu,
    drill_list,
    filters_bar,
)
from trainer.web.scorecards.state import ScorecardState as S


def _sort_header(label: rx.Var | str, key: rx.Var | str, **props) -> rx.Component:
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.cond(
                S.sort_key == key, rx.icon(rx.cond(S.sort_desc, "arrow-down", "arrow-up"), size=12)
            ),
            variant="ghost",
            size="1",
            on_click=S.sort_by(key),
            custom_attrs={"data-testid": "sort", "data-key": key},
        ),
        **props,
    )


def _interval(row: rx.Var[svm.ScorecardRow]) -> rx.Component:
    return rx.cond(
        row.uncertain,
        rx.tooltip(
            rx.badge(
                row.interval,
                " ?",
                color_scheme="gray",
                variant="outline",
                custom_attrs=testid("interval"),
                data_uncertain="true",
            ),
            content="Few conversations: this figure is uncertain (wide 95% interval).",
        ),
        rx.text(row.interval, size="1", color_scheme="gray", custom_attrs=testid("interval")),
    )


def _row(row: rx.Var[svm.ScorecardRow], drill) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            # an in-page drill-down: a button that reads as a link (no navigation)
            rx.button(
                row.name,
                variant="ghost",
                size="2",
                white_space="normal",
                text_align="left",
                height="auto",
                on_click=drill(row.name),
                custom_attrs=testid(rx.cond(row.kind == "team", "team-link", "agent-link")),
            ),
            rx.cond(row.teams != "", rx.text(row.teams, size="1", color_scheme="gray")),
        ),
        rx.table.cell(row.conversations, text_align="center", custom_attrs=testid("conversations")),
        rx.table.cell(
            rx.vstack(
                score_badge(
                    row.score.text, row.score.tone, size="2", custom_attrs=testid("overall")
                ),
                _interval(row),
                align="center",
                spacing="1",
            ),
            text_align="center",
            opacity=rx.cond(row.uncertain, "0.6", "1"),
        ),
        rx.foreach(
            row.sections,
            lambda cell: rx.table.cell(
                score_badge(cell.text, cell.tone),
                rx.text("n=", cell.n, size="1", color_scheme="gray"),
                text_align="center",
                custom_attrs={"data-testid": "section-score", "data-section": cell.key},
            ),
        ),
        rx.foreach(
            row.extra,
            lambda cell: rx.table.cell(
                rx.text(cell.text), text_align="center", custom_attrs={"data-extra": cell.key}
            ),
        ),
        custom_attrs={
            "data-testid": "scorecard-row",
            "data-kind": row.kind,
            "data-agent": row.name,
            "data-uncertain": rx.cond(row.uncertain, "true", "false"),
        },
    )


def group_table(rows: rx.Var, kind: str, drill) -> rx.Component:
    """The team or agent table with sortable headers."""
    return rx.card(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        _sort_header(kind.title(), "name"),
                        _sort_header("Conversations", "conversations", text_align="center"),
                        _sort_header("Score (95%)", "score", text_align="center"),
                        rx.foreach(
                            S.columns,
                            lambda c: _sort_header(c.label, c.key, text_align="center"),
                        ),
                        rx.foreach(
                            S.extra_columns,
                            lambda c: rx.table.column_header_cell(c.label, text_align="center"),
                        ),
                    )
                ),
                rx.table.body(rx.foreach(rows, lambda r: _row(r, drill))),
                variant="ghost",
                width="100%",
                id=f"{kind}-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            S.loaded & (rows.length() == 0),
            rx.center(
                rx.text("No scored conversations in this range.", color_scheme="gray"),
                padding="1.5rem",
                custom_attrs=testid("empty"),
            ),
        ),
        width="100%",
    )


def _charts() -> rx.Component:
    return rx.grid(
        rx.card(
            rx.text("Weekly trend", weight="medium", size="2"),
            rx.recharts.line_chart(
                rx.recharts.line(
                    data_key="score",
                    name="Mean score",
                    stroke="#2563eb",
                    stroke_width=2,
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="period"),
                rx.recharts.y_axis(domain=[0, 100], width=40),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.graphing_tooltip(),
                data=S.trend,
                width="100%",
                height=220,
            ),
            custom_attrs=testid("trend-chart"),
        ),
        rx.card(
            rx.text("Score distribution", weight="medium", size="2"),
            rx.recharts.bar_chart(
                rx.recharts.bar(
                    data_key="count",
                    name="Conversations",
                    fill="#64748b",
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="band"),
                rx.recharts.y_axis(allow_decimals=False, width=40),
                rx.recharts.graphing_tooltip(),
                data=S.distribution,
                width="100%",
                height=220,
            ),
            custom_attrs=testid("distribution-chart"),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _breadcrumb() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.level != "all",
            rx.button(
                rx.icon("arrow-left", size=14),
                "Back",
                variant="soft",
                size="1",
                on_click=S.back,
                custom_attrs=testid("back"),
            ),
        ),
        rx.text(
            "Everyone",
            rx.cond(S.team != "", " › " + S.team, ""),
            rx.cond(S.agent != "", " › " + S.agent, ""),
            rx.cond(S.criterion_title != "", " › " + S.criterion_title, ""),
            size="2",
            color_scheme="gray",
            custom_attrs=testid("breadcrumb"),
        ),
        align="center",
        spacing="2",
    )


def scorecard_page() -> rx.Component:
    """The `/scorecard` page."""
    return page(
        rx.hstack(
            rx.heading("Scorecards", size="7"),
            rx.spacer(),
            rx.hstack(
                rx.text("Overall", size="2", color_scheme="gray"),
                score_badge(
                    S.overall.text, S.overall.tone, size="3", custom_attrs=testid("overall-score")
                ),
                rx.text(
                    "95% ", S.overall_interval, " · n=", S.overall_n, size="1", color_scheme="gray"
                ),
                align="center",
                spacing="2",
            ),
            align="end",
            margin_bottom="0.5rem",
            width="100%",
        ),
        rx.text(
            "Final scores (a submitted review, else the automatic score) of conversations in the "
            "range; role-play practice is not counted. n is the number of conversations behind "
            "a figure; a faded score with '?' has few behind it.",
            size="2",
            color_scheme="gray",
            margin_bottom="0.75rem",
        ),
        filters_bar(),
        error_callout(S.error),
        rx.cond(
            S.latest_day != "",
            rx.callout(
                rx.hstack(
                    rx.text(
                        "Nothing in this range; the newest conversation is from ", S.latest_day, "."
                    ),
                    rx.button(
                        "Show the 30 days up to it",
                        size="1",
                        variant="soft",
                        on_click=S.show_latest,
                        custom_attrs=testid("show-latest"),
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                icon="info",
                margin_bottom="0.75rem",
                custom_attrs=testid("empty-range"),
            ),
        ),
        _breadcrumb(),
        _charts(),
        rx.cond(
            S.level == "criterion",
            drill_list(),
            rx.cond(
                S.level == "agent",
                agent_detail(),
                rx.vstack(
                    rx.cond(
                        S.level == "all",
                        rx.vstack(
                            rx.hstack(
                                rx.heading("Teams", size="4"), rx.spacer(), download_menu("teams")
                            ),
                            group_table(S.team_rows, "team", S.choose_team),
                            width="100%",
                        ),
                    ),
                    rx.hstack(rx.heading("Agents", size="4"), rx.spacer(), download_menu("agents")),
                    group_table(S.agent_rows, "agent", S.open_agent),
                    fcr_panel(),
                    width="100%",
                    spacing="3",
                ),
            ),
        ),
        testid_name="scorecard-page",
    )
