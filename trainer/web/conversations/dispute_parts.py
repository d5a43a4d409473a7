"""The submitted reviews of a conversation on its review page: each reviewer's values, reasons
and comments; the agent's Acknowledge and Dispute; a resolver's answer to an open dispute; and
the history of disputes both sides see."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import score_badge, testid
from trainer.web.conversations import review_history as rh
from trainer.web.conversations.review_form import FIELD
from trainer.web.conversations.review_model import Level
from trainer.web.conversations.review_state import ReviewState

OUTCOME_LABELS = (
    ("accepted", "Accept"),
    ("partly_accepted", "Partly accept"),
    ("rejected", "Reject"),
)


# The dashed box around the dispute and resolution forms.
PANEL = {
    "spacing": "2",
    "width": "100%",
    "padding": "0.5rem",
    "border": f"1px dashed {rx.color('gray', 7)}",
    "border_radius": "8px",
}


def _send_or_cancel(label: str, send, cancel, send_testid) -> rx.Component:
    """A form's send button (with its test id) and a quiet Cancel."""
    return rx.hstack(
        rx.button(label, size="1", type="button", on_click=send, custom_attrs=testid(send_testid)),
        rx.button(
            "Cancel", size="1", variant="soft", color_scheme="gray", type="button", on_click=cancel
        ),
        spacing="2",
    )


def _row(row: rx.Var[rh.ReviewRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.title, size="1")),
        rx.table.cell(
            rx.text(row.value, size="1", weight="bold"),
            rx.cond(
                row.changed,
                rx.text(" (automatic ", row.automatic, ")", size="1", color_scheme="gray"),
            ),
        ),
        rx.table.cell(rx.text(row.reason, size="1")),
        rx.table.cell(rx.text(row.comment, size="1", color_scheme="gray")),
        custom_attrs={
            "data-testid": "review-row",
            "data-criterion": row.id,
            "data-changed": rx.cond(row.changed, "true", "false"),
        },
    )


def _dispute_form(review: rx.Var[rh.ReviewCard]) -> rx.Component:
    s = ReviewState
    return rx.vstack(
        rx.text("Which criteria do you dispute?", size="2", weight="medium"),
        rx.foreach(
            review.rows,
            lambda row: rx.el.label(
                rx.el.input(
                    type="checkbox",
                    checked=s.dispute_picks.contains(row.id),
                    on_change=lambda checked: s.toggle_disputed(row.id, checked),
                    custom_attrs=testid(f"dispute-criterion-{review.id}-{row.id}"),
                ),
                rx.text.span(" ", row.title, " — ", row.value, font_size="var(--font-size-1)"),
                display="flex",
                align_items="center",
                gap="4px",
            ),
        ),
        rx.el.textarea(
            value=s.dispute_comment,
            on_change=s.set_dispute_comment,
            placeholder="Why do you disagree?",
            rows=3,
            width="100%",
            custom_attrs=testid(f"dispute-comment-{review.id}"),
            **FIELD,
        ),
        _send_or_cancel(
            "Send dispute", s.send_dispute, s.cancel_dispute, f"dispute-send-{review.id}"
        ),
        **PANEL,
        custom_attrs=testid(f"dispute-form-{review.id}"),
    )


def _agent_actions(review: rx.Var[rh.ReviewCard]) -> rx.Component:
    s = ReviewState
    return rx.cond(
        review.can_respond,
        rx.vstack(
            rx.hstack(
                rx.cond(
                    review.acknowledged == "",
                    rx.button(
                        rx.icon("check", size=12),
                        "Acknowledge",
                        size="1",
                        variant="soft",
                        type="button",
                        on_click=s.acknowledge(review.id),
                        custom_attrs=testid(f"review-acknowledge-{review.id}"),
                    ),
                ),
                rx.button(
                    rx.icon("message-square-warning", size=12),
                    "Dispute",
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    type="button",
                    on_click=s.start_dispute(review.id),
                    custom_attrs=testid(f"dispute-open-{review.id}"),
                ),
                rx.text(
                    "You may dispute it until ",
                    review.respond_until,
                    size="1",
                    color_scheme="gray",
                    custom_attrs=testid(f"respond-until-{review.id}"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(s.disputing == review.id, _dispute_form(review)),
            spacing="2",
            width="100%",
        ),
    )


def _value_button(
    dispute: rx.Var[rh.DisputeCard], criterion: rx.Var[rh.DisputeCriterion], level: rx.Var[Level]
) -> rx.Component:
    s = ReviewState
    picked = s.resolve_values[criterion.id] == level.value
    return rx.button(
        level.label,
        size="1",
        type="button",
        variant=rx.cond(picked, "solid", "soft"),
        color_scheme=rx.cond(picked, "indigo", "gray"),
        on_click=s.pick_resolve_value(criterion.id, level.value),
        custom_attrs={
            "data-testid": f"dispute-value-{dispute.id}-{criterion.id}-{level.value}",
            "data-picked": rx.cond(picked, "true", "false"),
        },
    )


def _resolve_form(dispute: rx.Var[rh.DisputeCard]) -> rx.Component:
    s = ReviewState
    return rx.vstack(
        rx.el.select(
            *[rx.el.option(label, value=value) for value, label in OUTCOME_LABELS],
            value=s.resolve_outcome,
            on_change=s.set_resolve_outcome,
            aria_label="Outcome",
            custom_attrs=testid(f"dispute-outcome-{dispute.id}"),
            **FIELD,
        ),
        rx.cond(
            s.resolve_outcome != "rejected",
            rx.vstack(
                rx.text("New values of the criteria you accept:", size="1"),
                rx.foreach(
                    dispute.criteria,
                    lambda criterion: rx.hstack(
                        rx.text(criterion.title, " (now ", criterion.current, ")", size="1"),
                        rx.foreach(
                            criterion.levels,
                            lambda level: _value_button(dispute, criterion, level),
                        ),
                        rx.cond(
                            criterion.na_allowed,
                            rx.button(
                                "N/A",
                                size="1",
                                type="button",
                                variant=rx.cond(
                                    s.resolve_values[criterion.id] == "na", "solid", "soft"
                                ),
                                color_scheme="gray",
                                on_click=s.pick_resolve_value(criterion.id, "na"),
                                custom_attrs=testid(
                                    f"dispute-value-{dispute.id}-{criterion.id}-na"
                                ),
                            ),
                        ),
                        spacing="1",
                        align="center",
                        wrap="wrap",
                    ),
                ),
                spacing="1",
            ),
        ),
        rx.el.textarea(
            value=s.resolve_reason,
            on_change=s.set_resolve_reason,
            placeholder="Your reason (the agent reads it)",
            rows=2,
            width="100%",
            custom_attrs=testid(f"dispute-reason-{dispute.id}"),
            **FIELD,
        ),
        _send_or_cancel(
            "Resolve", s.send_resolution, s.cancel_resolve, f"dispute-send-resolution-{dispute.id}"
        ),
        **PANEL,
    )


def _dispute(review: rx.Var[rh.ReviewCard], dispute: rx.Var[rh.DisputeCard]) -> rx.Component:
    s = ReviewState
    return rx.vstack(
        rx.hstack(
            rx.badge(
                dispute.status_label,
                color_scheme=rx.cond(dispute.is_open, "amber", "gray"),
                variant="soft",
                custom_attrs=testid("dispute-status"),
            ),
            rx.text(
                dispute.agent,
                " disputed ",
                dispute.criteria_text,
                " on ",
                dispute.created,
                size="1",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text("“", dispute.comment, "”", size="1", font_style="italic"),
        rx.cond(
            dispute.resolver != "",
            rx.text(
                dispute.resolver,
                " answered on ",
                dispute.resolved,
                ": ",
                dispute.resolution,
                size="1",
                custom_attrs=testid("dispute-resolution"),
            ),
        ),
        rx.foreach(
            dispute.changes,
            lambda change: rx.text(
                "Changed ", change, size="1", weight="medium", custom_attrs=testid("dispute-change")
            ),
        ),
        rx.cond(
            dispute.is_open & review.can_resolve,
            rx.cond(
                s.resolving == dispute.id,
                _resolve_form(dispute),
                rx.button(
                    "Answer this dispute",
                    size="1",
                    type="button",
                    on_click=s.start_resolve(dispute.id),
                    custom_attrs=testid(f"dispute-resolve-{dispute.id}"),
                ),
            ),
        ),
        spacing="1",
        width="100%",
        padding="0.5rem",
        background_color=rx.color("amber", 2),
        border_radius="8px",
        custom_attrs={
            "data-testid": "dispute",
            "data-dispute": dispute.id,
            "data-status": dispute.status,
        },
    )


def _review(review: rx.Var[rh.ReviewCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                score_badge(
                    review.score.text, review.score.tone, custom_attrs=testid("review-card-score")
                ),
                rx.text(review.reviewer, weight="bold", size="2"),
                rx.text("submitted ", review.submitted, size="1", color_scheme="gray"),
                rx.cond(
                    review.acknowledged != "",
                    rx.badge(
                        "Acknowledged ",
                        review.acknowledged,
                        color_scheme="grass",
                        variant="soft",
                        custom_attrs=testid("review-acknowledged"),
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(review.comment != "", rx.text(review.comment, size="2")),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Criterion"),
                        rx.table.column_header_cell("Value"),
                        rx.table.column_header_cell("Reason"),
                        rx.table.column_header_cell("Comment"),
                    )
                ),
                rx.table.body(rx.foreach(review.rows, _row)),
                size="1",
                width="100%",
            ),
            rx.foreach(review.disputes, lambda dispute: _dispute(review, dispute)),
            _agent_actions(review),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "review-card", "data-review": review.id},
    )


def reviews_panel() -> rx.Component:
    """The submitted reviews, newest first, with the dispute messages."""
    s = ReviewState
    return rx.cond(
        (s.reviews.length() > 0) | (s.dispute_error != "") | (s.dispute_notice != ""),
        rx.vstack(
            rx.heading("Reviews", size="4"),
            rx.cond(
                s.dispute_error != "",
                rx.callout(
                    s.dispute_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    role="alert",
                    custom_attrs=testid("dispute-error"),
                ),
            ),
            rx.cond(
                s.dispute_notice != "",
                rx.callout(
                    s.dispute_notice,
                    icon="circle-check",
                    color_scheme="grass",
                    size="1",
                    role="status",
                    custom_attrs=testid("dispute-notice"),
                ),
            ),
            rx.foreach(s.reviews, _review),
            spacing="3",
            width="100%",
            id="reviews",
        ),
    )
