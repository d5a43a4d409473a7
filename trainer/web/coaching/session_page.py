"""`/coaching/<id>`: one coaching session: its notes (the private ones only for its coach: the
agent's view from the service holds none), action items with due dates and done checkboxes, the
linked conversations with the evidence of the criteria missed, the agent's scores on the
criterion before and since, and the assigned scenario with a link to practise it."""

from __future__ import annotations

import reflex as rx

from trainer.web.coaching import viewmodels as vm
from trainer.web.coaching.page import notes_field, select_field, text_field
from trainer.web.coaching.state import CoachingSessionState
from trainer.web.components import (
    empty_state,
    error_callout,
    notice_callout,
    page,
    score_badge,
    testid,
)

S = CoachingSessionState


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(
                "← Coaching", href=vm.LIST_HREF, size="2", custom_attrs=testid("coaching-back")
            ),
            spacing="2",
        ),
        rx.hstack(
            rx.heading(S.title, size="7", custom_attrs=testid("coaching-session-title")),
            rx.badge(S.status, variant="soft", custom_attrs=testid("coaching-status")),
            rx.spacer(),
            rx.cond(
                S.is_coach,
                rx.cond(
                    S.is_open,
                    rx.button(
                        "Close session",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.close,
                        custom_attrs=testid("coaching-close"),
                    ),
                    rx.button("Reopen", on_click=S.reopen, custom_attrs=testid("coaching-reopen")),
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.text(
            "Agent ",
            rx.text.strong(S.agent, custom_attrs=testid("coaching-agent-name")),
            " · coach ",
            S.coach,
            " · opened ",
            S.opened,
            rx.cond(S.follow_up != "", rx.fragment(" · follow-up on ", S.follow_up)),
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            S.criterion_title != "",
            rx.text(
                "Working on: ",
                rx.text.strong(S.criterion_title),
                size="2",
                custom_attrs=testid("coaching-criterion-title"),
            ),
        ),
        spacing="1",
        margin_bottom="1rem",
        width="100%",
    )


def _notes() -> rx.Component:
    """The notes: editable for the coach (with the private notes), read-only for the agent."""
    return rx.card(
        rx.heading("Notes", size="4", margin_bottom="0.5rem"),
        rx.cond(
            S.is_coach,
            rx.vstack(
                rx.text("Notes the agent sees", size="1", weight="medium", color_scheme="gray"),
                notes_field(S.shared_notes, S.set_shared_notes, "coaching-shared-notes", ""),
                rx.text(
                    "Private notes (never shown to the agent)",
                    size="1",
                    weight="medium",
                    color_scheme="gray",
                ),
                notes_field(S.private_notes, S.set_private_notes, "coaching-private-notes", ""),
                rx.flex(
                    rx.vstack(
                        rx.text("Practice scenario", size="1", color_scheme="gray"),
                        select_field(S.scenarios, S.scenario, S.set_scenario, "coaching-scenario"),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.text("Follow-up on", size="1", color_scheme="gray"),
                        text_field(
                            S.follow_up,
                            S.set_follow_up,
                            "coaching-follow-up",
                            width="11rem",
                            type="date",
                        ),
                        spacing="1",
                    ),
                    gap="3",
                    wrap="wrap",
                ),
                rx.button(
                    "Save changes",
                    on_click=S.save,
                    disabled=~S.is_open,
                    custom_attrs=testid("coaching-save"),
                ),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                S.shared_notes != "",
                rx.text(
                    S.shared_notes,
                    size="2",
                    white_space="pre-wrap",
                    custom_attrs=testid("coaching-shared-text"),
                ),
                rx.text("No notes yet.", size="2", color_scheme="gray"),
            ),
        ),
        width="100%",
    )


def _action(item: rx.Var[vm.ActionRow]) -> rx.Component:
    may_tick = (S.is_coach | S.is_agent) & S.is_open
    return rx.hstack(
        rx.checkbox(
            checked=item.done,
            disabled=~may_tick,
            on_change=lambda checked: S.toggle_action(item.id, checked),
            custom_attrs={"data-testid": "coaching-action-done", "data-action": item.id},
        ),
        rx.text(
            item.text,
            size="2",
            text_decoration=rx.cond(item.done, "line-through", "none"),
            custom_attrs=testid("coaching-action-text"),
        ),
        rx.cond(
            item.due != "",
            rx.badge(
                "due ",
                item.due,
                color_scheme=rx.cond(item.overdue, "tomato", "gray"),
                variant="soft",
                custom_attrs=testid("coaching-action-due"),
            ),
        ),
        rx.spacer(),
        rx.cond(
            S.is_coach & S.is_open,
            rx.icon_button(
                rx.icon("trash-2", size=12),
                size="1",
                variant="ghost",
                color_scheme="gray",
                aria_label="Remove this action item",
                on_click=S.delete_action(item.id),
                custom_attrs={"data-testid": "coaching-action-delete", "data-action": item.id},
            ),
        ),
        align="center",
        width="100%",
        custom_attrs={
            "data-testid": "coaching-action",
            "data-action": item.id,
            "data-done": rx.cond(item.done, "true", "false"),
        },
    )


def _actions() -> rx.Component:
    return rx.card(
        rx.heading("Action items", size="4", margin_bottom="0.5rem"),
        rx.vstack(rx.foreach(S.actions, _action), spacing="2", width="100%"),
        rx.cond(
            S.actions.length() == 0,
            empty_state("No action items.", name="coaching-actions-empty", icon="list-todo"),
        ),
        rx.cond(
            S.is_coach & S.is_open,
            rx.flex(
                text_field(
                    S.new_action,
                    S.set_new_action,
                    "coaching-action-new",
                    width="22rem",
                    placeholder="What the agent is to do",
                ),
                text_field(
                    S.new_due, S.set_new_due, "coaching-action-due-new", width="11rem", type="date"
                ),
                rx.button("Add", on_click=S.add_action, custom_attrs=testid("coaching-action-add")),
                gap="2",
                wrap="wrap",
                margin_top="0.75rem",
            ),
        ),
        width="100%",
    )


def _quote(q: rx.Var[vm.Quote]) -> rx.Component:
    return rx.text(
        rx.text.span(q.label, color_scheme="gray"),
        " “",
        q.text,
        "”",
        size="1",
        custom_attrs=testid("coaching-evidence"),
    )


def _criterion(c: rx.Var[vm.CriterionMiss]) -> rx.Component:
    return rx.box(
        rx.hstack(
            score_badge(c.value, c.tone, size="1"),
            rx.text(c.title, size="2", weight=rx.cond(c.focus, "bold", "regular")),
            spacing="2",
            align="center",
        ),
        rx.text(c.explanation, size="1", color_scheme="gray"),
        rx.foreach(c.quotes, _quote),
        custom_attrs={"data-testid": "coaching-conv-criterion", "data-criterion": c.id},
        padding_y="0.25rem",
    )


def _conversation(conv: rx.Var[vm.LinkedConversation]) -> rx.Component:
    return rx.box(
        rx.cond(
            conv.visible,
            rx.vstack(
                rx.hstack(
                    rx.link(
                        conv.conversation,
                        href=conv.href,
                        weight="medium",
                        custom_attrs=testid("coaching-conversation-link"),
                    ),
                    score_badge(conv.score, conv.tone),
                    rx.text(conv.kind, " · ", conv.date, size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                ),
                rx.foreach(conv.criteria, _criterion),
                rx.cond(
                    conv.criteria.length() == 0,
                    rx.text("No criterion missed.", size="1", color_scheme="gray"),
                ),
                spacing="1",
                width="100%",
            ),
            rx.text(conv.conversation, " (not visible to you)", size="2", color_scheme="gray"),
        ),
        custom_attrs={
            "data-testid": "coaching-conversation",
            "data-conversation": conv.conversation,
        },
        padding="0.5rem 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _conversations() -> rx.Component:
    return rx.card(
        rx.heading("Conversations", size="4", margin_bottom="0.5rem"),
        rx.foreach(S.conversations, _conversation),
        rx.cond(
            S.conversations.length() == 0,
            empty_state("No conversations linked.", name="coaching-conversations-empty"),
        ),
        width="100%",
    )


def _measure(m: rx.Var[vm.Measure]) -> rx.Component:
    return rx.vstack(
        rx.text(m.label, size="1", color_scheme="gray"),
        rx.heading(m.value, size="6"),
        rx.text("n = ", m.n, size="1", color_scheme="gray"),
        spacing="0",
        custom_attrs={"data-testid": "coaching-measure", "data-label": m.label, "data-n": m.n},
    )


def _progress() -> rx.Component:
    """The closed loop: the criterion before and since, and the practice assigned."""
    p = S.practice
    return rx.card(
        rx.heading("Progress", size="4", margin_bottom="0.5rem"),
        rx.cond(
            S.measures.length() > 0,
            rx.vstack(
                rx.text(S.criterion_title, size="2"),
                rx.hstack(rx.foreach(S.measures, _measure), spacing="6"),
                rx.text(
                    "Mean of the final scores (reviewed where reviewed) in conversations before "
                    "the session was opened and since.",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
            rx.text("No criterion set.", size="2", color_scheme="gray"),
        ),
        rx.separator(size="4", margin_y="0.75rem"),
        rx.cond(
            p.id != "",
            rx.vstack(
                rx.hstack(
                    rx.text("Practice: ", rx.text.strong(p.title), size="2"),
                    rx.link(
                        rx.button(rx.icon("graduation-cap", size=14), "Practise it", size="1"),
                        href=p.href,
                        custom_attrs={"data-testid": "coaching-practice-link", "data-href": p.href},
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.text(
                    p.attempts,
                    " attempts, ",
                    p.passed,
                    " passed, best ",
                    p.best,
                    " (",
                    p.since,
                    " since the session was opened)",
                    size="1",
                    color_scheme="gray",
                    custom_attrs=testid("coaching-practice-stats"),
                ),
                spacing="1",
                custom_attrs=testid("coaching-practice"),
            ),
            rx.text("No scenario assigned.", size="2", color_scheme="gray"),
        ),
        width="100%",
    )


def coaching_session_page() -> rx.Component:
    """The `/coaching/[session_id]` page."""
    return page(
        error_callout(S.error),
        notice_callout(S.notice),
        rx.cond(
            S.found,
            rx.box(
                _header(),
                rx.grid(
                    rx.vstack(_notes(), _actions(), _conversations(), spacing="4", width="100%"),
                    rx.vstack(_progress(), spacing="4", width="100%"),
                    gap="1.25rem",
                    width="100%",
                    grid_template_columns=rx.breakpoints(
                        initial="1fr", md="minmax(0, 3fr) minmax(0, 2fr)"
                    ),
                    align_items="start",
                ),
            ),
            rx.cond(
                S.loaded,
                rx.fragment(),
                rx.center(rx.spinner(size="3"), padding="3rem"),
            ),
        ),
        testid_name="coaching-session-page",
    )
