"""The `/queue` page: progress toward the goal, the overdue count, and the table of assigned
conversations with a replace form (reason required) on each open one. Elements carry
`data-testid`s (queue-row-<external id>, queue-progress, queue-replace-<id>, ...) for browser
tests."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import (
    data_table,
    empty_state,
    error_callout,
    notice_callout,
    page,
    testid,
)
from trainer.web.queue import viewmodels as qvm
from trainer.web.queue.state import QueueState


def _progress_bar() -> rx.Component:
    s = QueueState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Progress", size="3"),
                rx.spacer(),
                rx.text(
                    s.done, " of ", s.total, " done", size="2", custom_attrs=testid("queue-count")
                ),
                rx.cond(
                    s.overdue > 0,
                    rx.badge(
                        s.overdue,
                        " overdue",
                        color_scheme="tomato",
                        variant="solid",
                        custom_attrs=testid("queue-overdue"),
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.progress(
                value=s.percent,
                max=100,
                width="100%",
                custom_attrs={
                    "data-testid": "queue-progress",
                    "data-done": s.done,
                    "data-total": s.total,
                },
            ),
            rx.foreach(s.progress, _goal),
            width="100%",
            spacing="2",
        ),
        width="100%",
        margin_bottom="1rem",
    )


def _goal(goal: rx.Var[qvm.ProgressRow]) -> rx.Component:
    return rx.hstack(
        rx.text(goal.rule, " · ", goal.period, size="1", color_scheme="gray", min_width="14rem"),
        rx.progress(value=goal.percent, max=100, size="1", flex="1"),
        rx.text(goal.label, size="1"),
        width="100%",
        align="center",
        custom_attrs={"data-testid": "queue-goal", "data-rule": goal.rule},
    )


def _status(row: rx.Var[qvm.QueueRow]) -> rx.Component:
    return rx.hstack(
        rx.badge(
            row.status_label,
            color_scheme=rx.match(row.status, ("done", "grass"), ("replaced", "gray"), "blue"),
            variant="soft",
            custom_attrs=testid(f"queue-status-{row.id}"),
        ),
        rx.cond(
            row.overdue,
            rx.badge("Overdue", color_scheme="tomato", custom_attrs=testid(f"queue-late-{row.id}")),
        ),
        rx.cond(row.reason != "", rx.text(row.reason, size="1", color_scheme="gray")),
        spacing="2",
        align="center",
    )


def _replace_form(row: rx.Var[qvm.QueueRow]) -> rx.Component:
    return rx.cond(
        row.can_replace,
        rx.form(
            rx.hstack(
                rx.el.input(type="hidden", name="assignment", value=row.id),
                rx.input(
                    name="reason",
                    placeholder="Why replace it?",
                    required=True,
                    size="1",
                    width="12rem",
                    aria_label="Reason for replacing",
                    custom_attrs=testid(f"queue-reason-{row.id}"),
                ),
                rx.button(
                    "Replace",
                    type="submit",
                    size="1",
                    variant="soft",
                    custom_attrs=testid(f"queue-replace-{row.id}"),
                ),
                spacing="2",
            ),
            on_submit=QueueState.replace,
            reset_on_submit=True,
        ),
    )


def _row(row: rx.Var[qvm.QueueRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row.conversation, href=row.href, custom_attrs=testid("queue-link")),
        ),
        rx.table.cell(row.agent),
        rx.table.cell(row.rule, " · ", row.period),
        rx.table.cell(row.due, white_space="nowrap"),
        rx.table.cell(_status(row)),
        rx.table.cell(_replace_form(row)),
        custom_attrs={
            "data-testid": f"queue-row-{row.conversation}",
            "data-status": row.status,
            "data-id": row.id,
        },
    )


def _reviewer_picker() -> rx.Component:
    s = QueueState
    return rx.cond(
        s.reviewers.length() > 1,
        rx.select.root(
            rx.select.trigger(min_width="12rem", custom_attrs=testid("queue-reviewer")),
            rx.select.content(rx.foreach(s.reviewers, lambda n: rx.select.item(n, value=n))),
            value=s.reviewer,
            on_change=s.show_reviewer,
        ),
    )


def _dispute_row(row: rx.Var[qvm.DisputeRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row.conversation, href=row.href, custom_attrs=testid("dispute-link"))
        ),
        rx.table.cell(row.agent),
        rx.table.cell(row.reviewer),
        rx.table.cell(row.criteria),
        rx.table.cell(rx.text(row.comment, size="2")),
        rx.table.cell(row.opened, white_space="nowrap"),
        custom_attrs={
            "data-testid": f"dispute-row-{row.id}",
            "data-conversation": row.conversation,
        },
    )


def _disputes() -> rx.Component:
    """Open disputes the user may answer (never those of their own reviews)."""
    s = QueueState
    return rx.cond(
        s.disputes.length() > 0,
        rx.box(
            rx.heading("Disputes to answer", size="4", margin_top="1.5rem", margin_bottom="0.5rem"),
            data_table(
                ["Conversation", "Agent", "Reviewer", "Criteria", "Agent's comment", "Opened"],
                rx.foreach(s.disputes, _dispute_row),
                table_id="queue-disputes",
            ),
        ),
    )


def queue_page() -> rx.Component:
    """The `/queue` page."""
    s = QueueState
    return page(
        rx.hstack(
            rx.heading("Review queue", size="6"),
            rx.text(s.reviewer, color_scheme="gray", size="2"),
            rx.spacer(),
            _reviewer_picker(),
            align="center",
            width="100%",
            margin_bottom="1rem",
        ),
        error_callout(s.error),
        notice_callout(s.notice, name="queue-notice"),
        _progress_bar(),
        data_table(
            ["Conversation", "Agent", "Rule", "Due", "Status", ""],
            rx.foreach(s.rows, _row),
            table_id="queue-table",
            empty=rx.cond(
                s.loaded & (s.rows.length() == 0),
                empty_state("Nothing assigned to you yet.", name="queue-empty"),
            ),
        ),
        _disputes(),
        testid_name="queue-page",
    )
