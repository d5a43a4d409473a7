"""`/coaching`: the coaching sessions I may read (an agent their own, a lead their teams') and,
for leads and admins, the form that opens one: the agent (from their teams), title, criterion to
work on, linked conversations, a scenario to practise, notes the agent sees, private notes and a
follow-up date. Also the review page's "Coach this agent" link."""

from __future__ import annotations

import reflex as rx

from trainer.web.coaching.state import CoachingListState, CoachLinkState
from trainer.web.coaching.viewmodels import SessionRow
from trainer.web.components import data_table, empty_state, error_callout, labelled, page, testid

S = CoachingListState
# Plain form controls (not debounced): what is typed is in the state before the next click.
FIELD = {
    "font_size": "var(--font-size-2)",
    "padding": "6px 8px",
    "border_radius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background_color": rx.color("gray", 1),
    "color": "inherit",
}


def select_field(options, value, on_change, name: str, width: str = "20rem") -> rx.Component:
    """A native select over `Option`s (value, label)."""
    return rx.el.select(
        rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
        value=value,
        on_change=on_change,
        width=width,
        custom_attrs=testid(name),
        **FIELD,
    )


def text_field(value, on_change, name: str, *, width: str = "20rem", **props) -> rx.Component:
    """A native text input bound to the state."""
    return rx.el.input(
        value=value, on_change=on_change, width=width, custom_attrs=testid(name), **FIELD, **props
    )


def notes_field(value, on_change, name: str, placeholder: str) -> rx.Component:
    """A native textarea bound to the state."""
    return rx.el.textarea(
        value=value,
        on_change=on_change,
        rows=3,
        width="100%",
        placeholder=placeholder,
        custom_attrs=testid(name),
        **FIELD,
    )


def _agent_option(name: rx.Var[str]) -> rx.Component:
    return rx.el.option(name, value=name)


def new_form() -> rx.Component:
    """The form a lead or admin opens a session with."""
    return rx.card(
        rx.heading("New coaching session", size="4", margin_bottom="0.75rem"),
        rx.vstack(
            rx.flex(
                labelled(
                    "Agent",
                    rx.el.select(
                        rx.el.option("Choose an agent…", value=""),
                        rx.foreach(S.agents, _agent_option),
                        value=S.agent,
                        on_change=S.set_agent,
                        width="16rem",
                        custom_attrs=testid("coaching-agent"),
                        **FIELD,
                    ),
                ),
                labelled("Title", text_field(S.title, S.set_title, "coaching-title")),
                labelled(
                    "Criterion to work on",
                    select_field(S.criteria, S.criterion, S.set_criterion, "coaching-criterion"),
                ),
                gap="3",
                wrap="wrap",
            ),
            rx.flex(
                labelled(
                    "Conversations (ids, comma separated)",
                    text_field(
                        S.conversations,
                        S.set_conversations,
                        "coaching-conversations",
                        placeholder="b-1, b-2",
                    ),
                ),
                labelled(
                    "Scenario to practise",
                    select_field(S.scenarios, S.scenario, S.set_scenario, "coaching-scenario"),
                ),
                labelled(
                    "Follow-up on",
                    text_field(
                        S.follow_up,
                        S.set_follow_up,
                        "coaching-follow-up",
                        width="11rem",
                        type="date",
                    ),
                ),
                gap="3",
                wrap="wrap",
            ),
            labelled(
                "Notes the agent sees",
                notes_field(
                    S.shared_notes,
                    S.set_shared_notes,
                    "coaching-shared-notes",
                    "What went well, what to work on",
                ),
            ),
            labelled(
                "Private notes (only coaches see these)",
                notes_field(
                    S.private_notes,
                    S.set_private_notes,
                    "coaching-private-notes",
                    "Never shown to the agent",
                ),
            ),
            rx.hstack(
                rx.button(
                    "Open session",
                    type="button",
                    on_click=S.open_session,
                    custom_attrs=testid("coaching-open"),
                ),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.toggle_form,
                    custom_attrs=testid("coaching-cancel"),
                ),
                spacing="2",
            ),
            spacing="3",
            align="stretch",
        ),
        margin_bottom="1rem",
        custom_attrs=testid("coaching-form"),
    )


def _row(row: rx.Var[SessionRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.title, href=row.href, weight="medium", custom_attrs=testid("coaching-link"))
        ),
        rx.table.cell(row.agent),
        rx.table.cell(rx.badge(row.status, variant="soft", color_scheme="gray")),
        rx.table.cell(row.criterion),
        rx.table.cell(row.scenario),
        rx.table.cell(row.actions),
        rx.table.cell(row.next_due),
        rx.table.cell(row.follow_up),
        rx.table.cell(row.coach),
        rx.table.cell(row.opened),
        custom_attrs={"data-testid": "coaching-row", "data-session": row.id},
    )


def coaching_page() -> rx.Component:
    """The `/coaching` page."""
    return page(
        rx.hstack(
            rx.heading("Coaching", size="7"),
            rx.spacer(),
            rx.cond(
                S.can_coach & ~S.show_form,
                rx.button(
                    rx.icon("plus", size=14),
                    "New session",
                    on_click=S.toggle_form,
                    custom_attrs=testid("coaching-new"),
                ),
            ),
            align="center",
            margin_bottom="0.25rem",
        ),
        rx.text(
            "Coaching sessions: the conversations they are about, notes, action items, the "
            "practice assigned and the scores on the criterion before and since.",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        error_callout(S.error),
        rx.cond(S.can_coach & S.show_form, new_form()),
        data_table(
            [
                "Session",
                "Agent",
                "Status",
                "Criterion",
                "Practice",
                "Actions done",
                "Next due",
                "Follow-up",
                "Coach",
                "Opened",
            ],
            rx.foreach(S.rows, _row),
            table_id="coaching-sessions",
            empty=rx.cond(
                S.loaded & (S.rows.length() == 0),
                empty_state("No coaching sessions yet.", name="coaching-empty"),
            ),
        ),
        testid_name="coaching-page",
    )


def coach_link(selected_criterion: rx.Var[str] | None = None) -> rx.Component:
    """ "Coach this agent" for the review page: shown only when the signed-in user coaches the
    conversation's agent; carries the criterion whose evidence is selected, if any."""
    href = CoachLinkState.coach_href
    if selected_criterion is not None:
        href = rx.cond(selected_criterion != "", href + "&criterion=" + selected_criterion, href)
    return rx.cond(
        CoachLinkState.coach_href != "",
        rx.link(
            rx.button(
                rx.icon("messages-square", size=14),
                "Coach this agent",
                size="1",
                variant="soft",
                type="button",
            ),
            href=href,
            custom_attrs=testid("coach-this-agent"),
        ),
    )
