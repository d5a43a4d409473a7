"""The review's header (people, date, rubric, scores) and its criteria panel."""

from __future__ import annotations

import reflex as rx

from trainer.web import formatting as fmt
from trainer.web import routes
from trainer.web.components import score_badge, status_badge, testid
from trainer.web.conversations import viewmodels as cvm
from trainer.web.conversations.review_form import criterion_controls, legend
from trainer.web.conversations.review_state import ReviewState


def _criterion(criterion: rx.Var[cvm.CriterionView]) -> rx.Component:
    s = ReviewState
    selected = s.selected == criterion.id
    current = s.can_review & (s.current == criterion.id)
    has_evidence = criterion.evidence_count > 0
    return rx.box(
        rx.hstack(
            rx.vstack(
                score_badge(
                    criterion.score.text,
                    criterion.score.tone,
                    custom_attrs=testid("criterion-score"),
                    title="Automatic value",
                ),
                rx.cond(
                    criterion.final != "",
                    rx.badge(
                        criterion.final,
                        color_scheme="indigo",
                        variant="surface",
                        radius="full",
                        title="The submitted review's value (it counts)",
                        custom_attrs=testid("criterion-final"),
                    ),
                ),
                spacing="1",
                align="center",
            ),
            rx.vstack(
                rx.text(
                    criterion.title,
                    size="2",
                    weight="medium",
                    custom_attrs=testid("criterion-title"),
                ),
                rx.text(
                    criterion.explanation,
                    size="1",
                    color_scheme="gray",
                    custom_attrs=testid("criterion-explanation"),
                ),
                rx.cond(
                    criterion.na_note != "",
                    rx.text(
                        criterion.na_note,
                        size="1",
                        color_scheme="gray",
                        font_style="italic",
                        custom_attrs=testid("criterion-na-reason"),
                    ),
                ),
                rx.cond(
                    criterion.auto_fail != "",
                    rx.badge(
                        rx.icon("octagon-alert", size=11),
                        rx.cond(
                            criterion.auto_fail == "section",
                            "Auto-fail: a 0 fails the section",
                            "Auto-fail: a 0 fails the evaluation",
                        ),
                        color_scheme="tomato",
                        variant="soft",
                        size="1",
                        custom_attrs=testid("criterion-auto-fail"),
                    ),
                ),
                rx.cond(
                    has_evidence,
                    rx.hstack(
                        rx.icon("highlighter", size=12),
                        rx.text(
                            criterion.evidence_count,
                            rx.cond(
                                criterion.evidence_count == 1, " evidence span", " evidence spans"
                            ),
                            size="1",
                        ),
                        spacing="1",
                        align="center",
                        color=rx.color("accent", 11),
                    ),
                ),
                rx.cond(s.can_review, criterion_controls(criterion)),
                spacing="1",
                align="start",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        id=f"criterion-{criterion.id}",
        width="100%",
        on_click=s.select_criterion(criterion.id),
        cursor="pointer",
        padding="0.6rem 0.75rem",
        border_radius="8px",
        border=rx.cond(
            selected | current,
            f"2px solid {rx.color('accent', 9)}",
            f"1px solid {rx.color('gray', 4)}",
        ),
        background_color=rx.cond(selected, rx.color("accent", 2), rx.color("gray", 1)),
        _hover={"background_color": rx.color("accent", 2)},
        role="button",
        title=criterion.detector,
        tab_index=0,
        custom_attrs={
            "data-testid": "criterion",
            "data-criterion": criterion.id,
            "data-selected": rx.cond(selected, "true", "false"),
            "data-evidence": criterion.evidence_count,
            "data-current": rx.cond(current, "true", "false"),
        },
    )


def _group(group: rx.Var[cvm.SectionGroup]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(group.title, size="3"),
            score_badge(group.score.text, group.score.tone),
            align="center",
            spacing="2",
        ),
        rx.cond(
            group.auto_fail_note != "",
            rx.callout(
                group.auto_fail_note,
                icon="octagon-alert",
                color_scheme="tomato",
                size="1",
                width="100%",
                custom_attrs={"data-testid": "section-auto-fail", "data-section": group.id},
            ),
        ),
        rx.foreach(group.criteria, _criterion),
        spacing="2",
        width="100%",
        custom_attrs={"data-testid": "section", "data-section": group.id},
    )


def criteria_panel() -> rx.Component:
    """Criteria grouped by section; click one to see its evidence."""
    return rx.vstack(
        rx.text(
            "Select a criterion to highlight its evidence in the transcript.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(ReviewState.can_review & (ReviewState.groups.length() > 0), legend()),
        rx.foreach(ReviewState.groups, _group),
        rx.cond(
            ReviewState.groups.length() == 0,
            rx.callout(
                rx.cond(
                    ReviewState.progress.pending,
                    "Scores appear once the call is transcribed.",
                    rx.cond(
                        ReviewState.progress.failed,
                        "Not scored: this conversation failed before it could be scored.",
                        "This conversation has not been scored yet. "
                        "Run `trainer score` to score it.",
                    ),
                ),
                icon="info",
                color_scheme="gray",
                custom_attrs=testid("unscored"),
            ),
        ),
        spacing="4",
        width="100%",
        id="criteria",
    )


def _meta(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", custom_attrs=testid(f"review-{name}")),
        spacing="0",
    )


def header() -> rx.Component:
    """Id, people, channel, date, rubric, the overall score and section badges."""
    s = ReviewState
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.link(
                        rx.icon("arrow-left", size=16),
                        href=routes.CONVERSATIONS,
                        color_scheme="gray",
                        aria_label="Back to conversations",
                    ),
                    rx.heading(s.external_id, size="6", custom_attrs=testid("review-id")),
                    rx.cond(
                        s.progress.shown,
                        status_badge(s.progress),
                        rx.badge(
                            s.status,
                            variant="surface",
                            color_scheme="gray",
                            custom_attrs=testid("review-status"),
                        ),
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.hstack(
                    _meta("Agent", s.agent, "agent"),
                    _meta("Customer", s.customer, "customer"),
                    _meta("Channel", s.channel, "channel"),
                    _meta("Date", s.date, "date"),
                    _meta("Rubric", rx.cond(s.rubric != "", s.rubric, fmt.MISSING), "rubric"),
                    spacing="6",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.foreach(
                        s.sections,
                        lambda cell: rx.badge(
                            cell.label,
                            rx.text.strong(cell.text),
                            color_scheme=rx.match(
                                cell.tone,
                                ("green", "grass"),
                                ("amber", "amber"),
                                ("red", "tomato"),
                                "gray",
                            ),
                            variant="soft",
                            size="2",
                            custom_attrs={"data-testid": "section-badge", "data-section": cell.key},
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="3",
                align="start",
            ),
            rx.spacer(),
            rx.vstack(
                rx.text("Automatic", size="1", color_scheme="gray"),
                score_badge(
                    s.score.text, s.score.tone, size="3", custom_attrs=testid("review-score")
                ),
                align="center",
                spacing="1",
            ),
            rx.vstack(
                rx.text("Final", size="1", color_scheme="gray"),
                score_badge(
                    s.final_score.text,
                    s.final_score.tone,
                    size="3",
                    custom_attrs={
                        "data-testid": "final-score",
                        "data-kind": rx.cond(s.human_final, "human", "auto"),
                    },
                ),
                rx.text(
                    s.final_label, size="1", color_scheme="gray", custom_attrs=testid("final-kind")
                ),
                align="center",
                spacing="1",
                max_width="12rem",
            ),
            gap="1rem",
            width="100%",
        ),
        rx.cond(
            s.overall_note != "",
            rx.callout(
                s.overall_note,
                icon="octagon-alert",
                color_scheme="tomato",
                margin_top="0.75rem",
                custom_attrs=testid("overall-auto-fail"),
            ),
        ),
        rx.cond(
            s.human_final & (s.final_note != ""),
            rx.callout(
                s.final_note,
                icon="octagon-alert",
                color_scheme="tomato",
                margin_top="0.75rem",
                custom_attrs=testid("final-auto-fail"),
            ),
        ),
        rx.cond(
            s.status_reason != "",
            rx.callout(
                s.status_reason,
                icon="triangle-alert",
                color_scheme=rx.cond(s.progress.failed, "red", "amber"),
                margin_top="0.75rem",
                custom_attrs=testid("status-reason"),
            ),
        ),
        width="100%",
        margin_bottom="1rem",
        id="review-header",
    )


def not_found() -> rx.Component:
    """What an unknown id shows."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("search-x")),
        rx.callout.text(
            rx.text.strong("Conversation not found. "),
            "There is no conversation ",
            rx.code(ReviewState.external_id),
            " to show: it may not exist, or it is not one you may see. ",
            rx.link("Back to the conversations list", href=routes.CONVERSATIONS),
        ),
        color_scheme="orange",
        size="2",
        custom_attrs=testid("not-found"),
    )
