"""`/calibration/<id>`: per conversation the transcript beside a blind scoring form (the
rubric's criteria, scale buttons, N/A where allowed, a comment; save a draft or submit), and,
once I have submitted (or I run the session), the results: per criterion the reviewers' values
with their deviation from the baseline, the automatic value and the spread; Krippendorff's alpha
without and with the automatic scorer; each reviewer's alignment with the baseline."""

from __future__ import annotations

import reflex as rx

from trainer.web import routes
from trainer.web.calibration import viewmodels as vm
from trainer.web.calibration.state import CalibrationSessionState
from trainer.web.components import (
    empty_state,
    error_callout,
    notice_callout,
    page,
    scheme,
    score_badge,
    testid,
)
from trainer.web.components.transcript import transcript_turn

S = CalibrationSessionState
NO_AUDIO = rx.Var.create(False)


def _no_seek(_index) -> rx.EventSpec:
    """Calibration transcripts have no player: a click on a turn does nothing."""
    return rx.noop()


def _level(level: rx.Var[vm.Level], editable: rx.Var) -> rx.Component:
    return rx.button(
        rx.cond(level.chosen, rx.icon("check", size=12)),
        level.label,
        size="1",
        variant=rx.cond(level.chosen, "solid", "outline"),
        color_scheme=rx.cond(level.value == vm.NA, "gray", "indigo"),
        disabled=~editable,
        on_click=S.choose(level.conversation, level.criterion, level.value),
        type="button",
        custom_attrs={
            "data-testid": level.testid,
            "data-chosen": rx.cond(level.chosen, "true", "false"),
        },
    )


def _criterion(criterion: rx.Var[vm.CriterionForm], editable: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(criterion.title, size="2", weight="medium"),
        rx.text(criterion.guidance, size="1", color_scheme="gray"),
        rx.hstack(
            rx.foreach(criterion.levels, lambda level: _level(level, editable)),
            spacing="2",
            margin_top="0.35rem",
            wrap="wrap",
        ),
        rx.input(
            default_value=criterion.comment,
            placeholder="Comment (optional)",
            size="1",
            disabled=~editable,
            on_blur=lambda text: S.set_comment(criterion.conversation, criterion.id, text),
            margin_top="0.35rem",
            custom_attrs={"data-testid": "calib-comment", "data-criterion": criterion.id},
        ),
        padding_y="0.5rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": "calib-criterion", "data-criterion": criterion.id},
    )


def _form(panel: rx.Var[vm.Panel]) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.heading("Your blind scores", size="3"),
            rx.spacer(),
            rx.badge(panel.status, variant="soft", custom_attrs=testid("calib-status")),
            rx.text(panel.scored, " of ", panel.total, " scored", size="1", color_scheme="gray"),
            align="center",
            width="100%",
        ),
        rx.cond(
            ~panel.revealed,
            rx.text(
                "Nobody's scores and no automatic score are shown until you submit yours.",
                size="1",
                color_scheme="gray",
                custom_attrs=testid("calib-blind"),
            ),
        ),
        rx.vstack(
            rx.foreach(panel.criteria, lambda c: _criterion(c, panel.editable)),
            spacing="0",
            width="100%",
        ),
        rx.cond(
            panel.editable,
            rx.hstack(
                rx.button(
                    "Save draft",
                    variant="soft",
                    on_click=S.save(panel.conversation, False),
                    custom_attrs=testid("calib-save"),
                ),
                rx.button(
                    "Submit",
                    on_click=S.save(panel.conversation, True),
                    custom_attrs=testid("calib-submit"),
                ),
                spacing="3",
                margin_top="0.75rem",
            ),
        ),
        width="100%",
    )


def _cell(cell: rx.Var[vm.Cell]) -> rx.Component:
    return rx.table.cell(
        rx.hstack(
            rx.text(cell.text, size="2", weight="medium"),
            rx.cond(
                cell.deviation != "",
                rx.badge(cell.deviation, color_scheme=scheme(cell.tone), variant="soft", size="1"),
            ),
            spacing="1",
            align="center",
        ),
        custom_attrs={"data-testid": "calib-value", "data-reviewer": cell.reviewer},
    )


def _result_row(row: rx.Var[vm.ResultRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.title, size="2"), title=row.criterion),
        rx.foreach(row.cells, _cell),
        rx.table.cell(row.baseline, custom_attrs=testid("calib-baseline-value")),
        rx.table.cell(row.automatic, custom_attrs=testid("calib-automatic")),
        rx.table.cell(row.spread),
        rx.table.cell(row.sd, custom_attrs=testid("calib-sd")),
        custom_attrs={"data-testid": "calib-row", "data-criterion": row.criterion},
    )


def _results_table(conversation: rx.Var[str]) -> rx.Component:
    return rx.foreach(
        S.tables,
        lambda table: rx.cond(
            table.conversation == conversation,
            rx.card(
                rx.heading("Results", size="3", margin_bottom="0.5rem"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Criterion"),
                                rx.foreach(
                                    S.reviewers,
                                    lambda name: rx.table.column_header_cell(name),
                                ),
                                rx.table.column_header_cell("Baseline"),
                                rx.table.column_header_cell("Automatic"),
                                rx.table.column_header_cell("Range"),
                                rx.table.column_header_cell("SD"),
                            )
                        ),
                        rx.table.body(rx.foreach(table.rows, _result_row)),
                        variant="ghost",
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                ),
                width="100%",
                custom_attrs={"data-testid": "calib-results", "data-conversation": conversation},
            ),
        ),
    )


def _panel(panel: rx.Var[vm.Panel]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.heading("Conversation ", panel.conversation, size="5"),
            rx.text("Agent: ", panel.agent, " · ", panel.channel, size="2", color_scheme="gray"),
            rx.link(
                "Open the full review",
                href=routes.CONVERSATIONS + "/" + panel.conversation,
                size="2",
                display=rx.cond(panel.revealed, "inline", "none"),
            ),
            align="baseline",
            spacing="3",
            wrap="wrap",
            margin_bottom="0.75rem",
        ),
        rx.grid(
            rx.card(
                rx.heading("Transcript", size="3", margin_bottom="0.5rem"),
                rx.vstack(
                    rx.foreach(panel.turns, lambda t: transcript_turn(t, NO_AUDIO, _no_seek)),
                    spacing="2",
                    width="100%",
                    max_height="70vh",
                    overflow_y="auto",
                ),
            ),
            rx.vstack(
                # once revealed, the results come first: that is what the page is for now
                rx.cond(panel.revealed, _results_table(panel.conversation)),
                rx.cond(S.takes_part, _form(panel)),
                spacing="4",
                width="100%",
            ),
            grid_template_columns=rx.breakpoints(initial="1fr", md="minmax(0, 1fr) minmax(0, 1fr)"),
            gap="1.25rem",
            align_items="start",
            width="100%",
        ),
        margin_bottom="2rem",
        custom_attrs={"data-testid": "calib-conversation", "data-conversation": panel.conversation},
    )


def _alpha_row(row: rx.Var[vm.AlphaRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.title, title=row.criterion),
        rx.table.cell(row.weight),
        rx.table.cell(row.alpha),
        rx.table.cell(row.with_automatic),
        rx.table.cell(row.units),
        custom_attrs={"data-testid": "calib-alpha-row", "data-criterion": row.criterion},
    )


def _alignment(row: rx.Var[vm.Alignment]) -> rx.Component:
    return rx.hstack(
        rx.text(row.reviewer, size="2"),
        score_badge(row.text, row.tone, custom_attrs={"data-testid": row.testid}),
        spacing="2",
        align="center",
    )


def summary() -> rx.Component:
    """Agreement of the whole session: alpha overall and per criterion, alignment per reviewer."""
    return rx.card(
        rx.heading("Agreement", size="4", margin_bottom="0.5rem"),
        rx.hstack(
            rx.vstack(
                rx.text("Krippendorff's alpha, reviewers", size="1", color_scheme="gray"),
                rx.heading(
                    S.alpha,
                    size="6",
                    custom_attrs={"data-testid": "calib-alpha", "data-value": S.alpha_value},
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("with the automatic scorer", size="1", color_scheme="gray"),
                rx.heading(
                    S.alpha_auto,
                    size="6",
                    custom_attrs={
                        "data-testid": "calib-alpha-auto",
                        "data-value": S.alpha_auto_value,
                    },
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text(
                    "Alignment with the baseline (", S.baseline, ")", size="1", color_scheme="gray"
                ),
                rx.hstack(rx.foreach(S.alignment, _alignment), spacing="5", wrap="wrap"),
                spacing="1",
            ),
            spacing="8",
            wrap="wrap",
            margin_bottom="0.75rem",
        ),
        rx.text(
            "Interval alpha over every criterion of every conversation shown (",
            S.alpha_units,
            " rated by two or more); 1 is perfect agreement, 0 no better than chance.",
            size="1",
            color_scheme="gray",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Criterion", "Weight", "Alpha", "With automatic", "Units")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.alphas, _alpha_row)),
                variant="ghost",
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            margin_top="0.5rem",
        ),
        width="100%",
        margin_bottom="1.5rem",
        custom_attrs=testid("calib-summary"),
    )


def header() -> rx.Component:
    """Title, status, who runs it, the baseline and participants; Close for its lead."""
    return rx.box(
        rx.hstack(
            rx.link("← Calibration", href=routes.CALIBRATION, size="2"),
            rx.spacer(),
            rx.cond(
                S.runs & S.is_open,
                rx.button(
                    "Close session",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.close,
                    custom_attrs=testid("calib-close"),
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.heading(S.title, size="7", margin_y="0.5rem", custom_attrs=testid("calib-title")),
        rx.text(
            rx.badge(S.status, variant="soft", custom_attrs=testid("calib-session-status")),
            " Lead: ",
            S.lead,
            " · Baseline: ",
            S.baseline,
            " · Participants: ",
            S.participants,
            size="2",
            color_scheme="gray",
        ),
        margin_bottom="1rem",
    )


def calibration_session_page() -> rx.Component:
    """The `/calibration/[session_id]` page."""
    return page(
        error_callout(S.error),
        notice_callout(S.notice),
        rx.cond(
            S.found,
            rx.box(
                header(),
                rx.cond(S.has_results, summary()),
                rx.foreach(S.panels, _panel),
            ),
            rx.cond(
                S.loaded,
                empty_state(
                    "No such calibration session, or you are not in it.", name="calib-not-found"
                ),
                rx.center(rx.spinner(size="3"), padding="3rem"),
            ),
        ),
        testid_name="calibration-session-page",
    )
