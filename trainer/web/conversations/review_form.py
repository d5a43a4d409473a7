"""The review form's components: each criterion's scale buttons, N/A, reason and comment (inside
its card), the keyboard legend, and the bar with the overall comment, Save draft and Submit."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import testid
from trainer.web.conversations import viewmodels as cvm
from trainer.web.conversations.review_form_state import KEYS_SCRIPT
from trainer.web.conversations.review_model import REASON_LABELS, Level
from trainer.web.conversations.review_state import ReviewState

FIELD = {
    "font_size": "var(--font-size-2)",
    "padding": "4px 8px",
    "border_radius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background_color": rx.color("gray", 1),
    "color": "inherit",
}


def _level(criterion: rx.Var[cvm.CriterionView], level: rx.Var[Level]) -> rx.Component:
    s = ReviewState
    picked = s.choices[criterion.id] == level.value
    accepted = (s.choices[criterion.id] == "") & level.automatic
    return rx.button(
        level.label,
        rx.cond(
            level.shortcut != "",
            rx.text.span(level.shortcut, font_size="0.7em", opacity="0.6", margin_left="4px"),
        ),
        size="1",
        type="button",
        variant=rx.cond(picked | accepted, "solid", "soft"),
        color_scheme=rx.cond(picked, "indigo", "gray"),
        on_click=s.pick(criterion.id, level.value).stop_propagation,
        title=rx.cond(level.automatic, "The automatic value", "Pick this level"),
        custom_attrs={
            "data-testid": f"review-level-{criterion.id}-{level.value}",
            "data-shortcut": level.shortcut,
            "data-picked": rx.cond(picked, "true", "false"),
            "data-automatic": rx.cond(level.automatic, "true", "false"),
        },
    )


def _na_button(criterion: rx.Var[cvm.CriterionView]) -> rx.Component:
    s = ReviewState
    picked = s.choices[criterion.id] == "na"
    accepted = (s.choices[criterion.id] == "") & (criterion.automatic == "na")
    return rx.button(
        "N/A",
        rx.text.span("0", font_size="0.7em", opacity="0.6", margin_left="4px"),
        size="1",
        type="button",
        variant=rx.cond(picked | accepted, "solid", "soft"),
        color_scheme=rx.cond(picked, "indigo", "gray"),
        on_click=s.pick(criterion.id, "na").stop_propagation,
        title="Not applicable to this conversation",
        custom_attrs={
            "data-testid": f"review-na-{criterion.id}",
            "data-shortcut": "na",
            "data-picked": rx.cond(picked, "true", "false"),
        },
    )


def _reason(criterion: rx.Var[cvm.CriterionView]) -> rx.Component:
    s = ReviewState
    return rx.el.select(
        rx.el.option("Why does it differ? (required)", value=""),
        *[rx.el.option(label, value=code) for code, label in REASON_LABELS.items()],
        value=s.reasons[criterion.id],
        on_change=lambda value: s.set_reason(criterion.id, value),
        on_click=rx.stop_propagation,
        aria_label="Reason for the change",
        custom_attrs=testid(f"review-reason-{criterion.id}"),
        **FIELD,
    )


def criterion_controls(criterion: rx.Var[cvm.CriterionView]) -> rx.Component:
    """The scoring controls inside a criterion's card (clicks here do not select evidence)."""
    s = ReviewState
    changed = s.changed[criterion.id]
    return rx.vstack(
        rx.hstack(
            rx.foreach(criterion.levels, lambda level: _level(criterion, level)),
            rx.cond(criterion.na_allowed, _na_button(criterion)),
            rx.cond(
                (s.comments[criterion.id] == "") & (s.commenting != criterion.id),
                rx.button(
                    rx.icon("message-square-plus", size=12),
                    "Comment",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    type="button",
                    on_click=s.open_comment(criterion.id).stop_propagation,
                    custom_attrs=testid(f"review-add-comment-{criterion.id}"),
                ),
            ),
            rx.cond(
                s.choices[criterion.id] != "",
                rx.button(
                    "Use automatic",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    type="button",
                    on_click=s.accept_automatic(criterion.id).stop_propagation,
                    custom_attrs=testid(f"review-accept-{criterion.id}"),
                ),
            ),
            spacing="1",
            wrap="wrap",
            align="center",
        ),
        rx.cond(changed, _reason(criterion)),
        rx.cond(
            (s.comments[criterion.id] != "") | (s.commenting == criterion.id),
            rx.el.textarea(
                value=s.comments[criterion.id],
                on_change=lambda text: s.set_criterion_comment(criterion.id, text),
                on_click=rx.stop_propagation,
                placeholder="Comment for the agent (optional)",
                rows=2,
                custom_attrs=testid(f"review-comment-{criterion.id}"),
                width="100%",
                resize="vertical",
                **FIELD,
            ),
        ),
        rx.cond(
            s.field_errors.contains(criterion.id),
            rx.text(
                s.field_errors[criterion.id],
                size="1",
                color_scheme="red",
                custom_attrs=testid(f"review-field-error-{criterion.id}"),
            ),
        ),
        spacing="2",
        width="100%",
        padding_top="0.5rem",
    )


def legend() -> rx.Component:
    """The keyboard shortcuts, with the next/previous buttons that j and k press."""
    s = ReviewState
    key = {"font_family": "var(--code-font-family)", "font_size": "0.75em"}
    return rx.hstack(
        rx.icon("keyboard", size=14),
        rx.text(
            rx.el.kbd("1", **key),
            "…",
            rx.el.kbd("9", **key),
            " level · ",
            rx.el.kbd("0", **key),
            "/",
            rx.el.kbd("n", **key),
            " N/A · ",
            rx.el.kbd("j", **key),
            "/",
            rx.el.kbd("k", **key),
            " next / previous",
            size="1",
            color_scheme="gray",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-up", size=12),
            size="1",
            variant="ghost",
            type="button",
            on_click=s.previous_criterion,
            aria_label="Previous criterion (k)",
            custom_attrs=testid("review-prev"),
        ),
        rx.button(
            rx.icon("chevron-down", size=12),
            size="1",
            variant="ghost",
            type="button",
            on_click=s.next_criterion,
            aria_label="Next criterion (j)",
            custom_attrs=testid("review-next"),
        ),
        align="center",
        spacing="2",
        width="100%",
        custom_attrs=testid("review-legend"),
    )


def review_bar() -> rx.Component:
    """Above the criteria: the keyboard legend; below them: the overall comment, the form's
    messages, Save draft and Submit. Shown only while the actor may review."""
    s = ReviewState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Your review", size="3"),
                rx.cond(
                    s.my_status == "draft",
                    rx.badge("Draft saved", color_scheme="amber", variant="soft"),
                ),
                spacing="2",
                align="center",
            ),
            rx.el.textarea(
                value=s.review_comment,
                on_change=s.set_review_comment,
                placeholder="Overall comment for the agent",
                rows=3,
                width="100%",
                custom_attrs=testid("review-comment"),
                **FIELD,
            ),
            rx.cond(
                s.form_error != "",
                rx.callout(
                    s.form_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    role="alert",
                    custom_attrs=testid("review-error"),
                ),
            ),
            rx.hstack(
                rx.button(
                    "Save draft",
                    variant="soft",
                    type="button",
                    loading=s.saving,
                    on_click=s.save_draft,
                    custom_attrs=testid("review-save-draft"),
                ),
                rx.button(
                    "Submit review",
                    type="button",
                    loading=s.saving,
                    on_click=s.submit_review,
                    custom_attrs=testid("review-submit"),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        on_mount=rx.call_script(KEYS_SCRIPT),
        id="review-form",
    )


def review_status() -> rx.Component:
    """The form's confirmation, and the read-only note once the actor's review is submitted."""
    s = ReviewState
    return rx.fragment(
        rx.cond(
            s.form_notice != "",
            rx.callout(
                s.form_notice,
                icon="circle-check",
                color_scheme="grass",
                size="1",
                role="status",
                custom_attrs=testid("review-notice"),
            ),
        ),
        rx.cond(
            s.my_status == "submitted",
            rx.callout(
                rx.text.span(
                    "You submitted your review of this conversation (score ",
                    s.my_score,
                    "). It is final; it changes only through a dispute.",
                ),
                icon="lock",
                color_scheme="gray",
                size="1",
                custom_attrs=testid("review-submitted"),
            ),
        ),
    )
