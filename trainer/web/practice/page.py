"""The `/practice` page: the scenario library with the user's results, their attempt history
and their progress by skill."""

from __future__ import annotations

import reflex as rx

from trainer.roleplay.progress import PROGRESS_SKILLS
from trainer.web.components import error_callout, page, scheme, score_badge, testid
from trainer.web.practice import viewmodels as pvm
from trainer.web.practice.state import PracticeState


def _stat(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.heading(value, size="6", custom_attrs=testid(name)),
            spacing="1",
        ),
        min_width="150px",
    )


def _card(card: rx.Var[pvm.ScenarioCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(card.title, size="4", weight="bold"),
                rx.spacer(),
                rx.badge(
                    card.difficulty,
                    color_scheme=scheme(card.difficulty_tone),
                    variant="soft",
                    custom_attrs=testid("difficulty"),
                ),
                width="100%",
                align="start",
            ),
            rx.text(
                rx.text.strong(card.customer),
                " · ",
                card.temperament,
                size="2",
                color_scheme="gray",
                custom_attrs=testid("persona"),
            ),
            rx.text(card.persona, size="2", color_scheme="gray", font_style="italic"),
            rx.text(card.summary, size="2", custom_attrs=testid("summary")),
            rx.flex(
                rx.foreach(
                    card.skills,
                    lambda skill: rx.badge(skill, variant="outline", color_scheme="gray"),
                ),
                wrap="wrap",
                gap="2",
                custom_attrs=testid("skills"),
            ),
            rx.spacer(),
            rx.hstack(
                rx.text("Pass mark ", rx.text.strong(card.pass_mark), size="2"),
                rx.spacer(),
                rx.text("Best", size="1", color_scheme="gray"),
                score_badge(card.best.text, card.best.tone, custom_attrs=testid("best")),
                rx.text("Latest", size="1", color_scheme="gray"),
                score_badge(card.latest.text, card.latest.tone, custom_attrs=testid("latest")),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.cond(
                    card.passed,
                    rx.badge(
                        rx.icon("circle-check", size=14),
                        "Passed",
                        color_scheme="grass",
                        custom_attrs=testid("passed-badge"),
                    ),
                    rx.cond(
                        card.attempts > 0,
                        rx.badge("Not passed yet", color_scheme="gray", variant="soft"),
                    ),
                ),
                rx.text(card.attempts, " attempts", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("play", size=14), "Practise", size="2"),
                    href=card.href,
                    custom_attrs=testid("practise"),
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            height="100%",
        ),
        custom_attrs={"data-testid": "scenario-card", "data-scenario": card.id},
    )


def _history_row(row: rx.Var[pvm.AttemptRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date, white_space="nowrap"),
        rx.table.row_header_cell(rx.link(row.title, href=row.href)),
        rx.table.cell(
            rx.badge(
                row.outcome_label,
                color_scheme=scheme(row.outcome_tone),
                variant="soft",
                custom_attrs=testid("outcome"),
            )
        ),
        rx.table.cell(
            score_badge(row.score.text, row.score.tone, custom_attrs=testid("score")),
            text_align="center",
        ),
        rx.table.cell(
            rx.cond(
                row.passed,
                rx.badge("Passed", color_scheme="grass", custom_attrs=testid("passed")),
                rx.badge("Not passed", color_scheme="gray", custom_attrs=testid("passed")),
            ),
        ),
        custom_attrs={
            "data-testid": "history-row",
            "data-scenario": row.scenario,
            "data-outcome": row.outcome,
        },
    )


def _progress_chart(s: type[PracticeState]) -> rx.Component:
    return rx.recharts.line_chart(
        *[
            rx.recharts.line(
                data_key=skill,
                name=pvm.skill_title(skill),
                stroke=pvm.SKILL_COLOURS[skill],
                stroke_width=2,
                connect_nulls=True,
                is_animation_active=False,
            )
            for skill in PROGRESS_SKILLS
        ],
        rx.recharts.x_axis(data_key="label"),
        rx.recharts.y_axis(domain=[0, 100], width=40),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=s.chart,
        width="100%",
        height=280,
    )


def practice_page() -> rx.Component:
    """The `/practice` page: library, history, progress."""
    s = PracticeState
    return page(
        rx.hstack(
            rx.heading("Role-play practice", size="7"),
            rx.spacer(),
            rx.text(
                "Your results, ",
                rx.text.strong(s.user_name, custom_attrs={"data-testid": "trainee"}),
                size="2",
                color_scheme="gray",
            ),
            align="center",
            margin_bottom="0.5rem",
        ),
        rx.text(
            "Practise conversations with a simulated customer. Pick a scenario; the customer's "
            "mood reacts to every reply, and the attempt is scored with the QA rubric.",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        rx.hstack(
            _stat("Attempts", s.attempts, "stat-attempts"),
            _stat("Passed attempts", s.passed_attempts, "stat-passed"),
            _stat("Scenarios passed", s.scenarios_passed, "stat-scenarios"),
            spacing="3",
            margin_bottom="1.25rem",
            wrap="wrap",
        ),
        rx.heading("Scenarios", size="5", margin_bottom="0.75rem"),
        rx.grid(
            rx.foreach(s.cards, _card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="4",
            width="100%",
            id="scenario-library",
        ),
        rx.grid(
            rx.card(
                rx.heading("Attempt history", size="4", margin_bottom="0.5rem"),
                rx.cond(
                    s.history.length() > 0,
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Date"),
                                rx.table.column_header_cell("Scenario"),
                                rx.table.column_header_cell("Outcome"),
                                rx.table.column_header_cell("Score", text_align="center"),
                                rx.table.column_header_cell("Result"),
                            )
                        ),
                        rx.table.body(rx.foreach(s.history, _history_row)),
                        variant="ghost",
                        width="100%",
                    ),
                    rx.text(
                        "No finished attempts yet.",
                        color_scheme="gray",
                        size="2",
                        custom_attrs=testid("history-empty"),
                    ),
                ),
                id="attempt-history",
                overflow_x="auto",
            ),
            rx.card(
                rx.heading("Progress by skill", size="4", margin_bottom="0.5rem"),
                rx.cond(
                    s.chart.length() > 0,
                    _progress_chart(s),
                    rx.text(
                        "Scores per skill appear here after the first attempt.",
                        color_scheme="gray",
                        size="2",
                    ),
                ),
                id="progress-chart",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            margin_top="1.5rem",
            width="100%",
        ),
        testid_name="practice-page",
    )


# --- the attempt page ------------------------------------------------------------------------
