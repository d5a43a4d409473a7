"""The `/conversations` page: filters, the table of conversations and its page controls."""

from __future__ import annotations

import reflex as rx

from trainer.web.components import error_callout, page, score_badge, status_badge, testid
from trainer.web.conversations import viewmodels as cvm
from trainer.web.conversations.state import ALL, PAGE_SIZES, ConversationsState


def _select(value: rx.Var, options: rx.Var, everyone: str, on_change, name: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(min_width="12rem", custom_attrs=testid(f"filter-{name}")),
        rx.select.content(
            rx.select.item(everyone, value=ALL),
            rx.foreach(
                options,
                lambda option: rx.select.item(
                    option, value=option, custom_attrs=testid(f"{name}-option")
                ),
            ),
        ),
        value=value,
        on_change=on_change,
        name=name,
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"), control, spacing="1"
    )


def filters_bar() -> rx.Component:
    """Agent and channel selects, score range inputs, a clear button and the count."""
    s = ConversationsState
    return rx.flex(
        _labelled("Agent", _select(s.agent, s.agents, "All agents", s.set_agent, "agent")),
        _labelled(
            "Channel", _select(s.channel, s.channels, "All channels", s.set_channel, "channel")
        ),
        _labelled(
            "Score from",
            rx.input(
                value=s.min_score,
                on_change=s.set_min_score,
                type="number",
                min=0,
                max=100,
                placeholder="0",
                width="6rem",
                id="filter-min-score",
                custom_attrs=testid("filter-min-score"),
            ),
        ),
        _labelled(
            "to",
            rx.input(
                value=s.max_score,
                on_change=s.set_max_score,
                type="number",
                min=0,
                max=100,
                placeholder="100",
                width="6rem",
                id="filter-max-score",
                custom_attrs=testid("filter-max-score"),
            ),
        ),
        rx.button(
            rx.icon("x", size=14),
            "Clear",
            variant="soft",
            color_scheme="gray",
            on_click=s.clear_filters,
            disabled=~s.filtered,
            custom_attrs=testid("filter-clear"),
        ),
        rx.spacer(),
        rx.text(
            rx.text.strong(s.count, custom_attrs=testid("conversation-count")),
            rx.cond(s.count == 1, " conversation", " conversations"),
            rx.cond(s.filtered, rx.text.span(" of ", s.total), ""),
            size="2",
            color_scheme="gray",
            id="conversation-count",
        ),
        spacing="4",
        align="end",
        wrap="wrap",
        margin_bottom="1rem",
    )


def _row(row: rx.Var[cvm.ConversationRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row.conversation, href=row.href, weight="medium", custom_attrs=testid("open")),
        ),
        rx.table.cell(row.agent, custom_attrs=testid("agent")),
        rx.table.cell(rx.badge(row.channel, variant="outline", color_scheme="gray")),
        rx.table.cell(row.customer),
        rx.table.cell(rx.text(row.date, white_space="nowrap")),
        rx.table.cell(
            rx.cond(
                row.state.shown,
                rx.vstack(
                    status_badge(row.state),
                    rx.cond(
                        row.state.failed,
                        rx.text(
                            row.state.reason,
                            size="1",
                            color=rx.color("tomato", 11),
                            max_width="16rem",
                            overflow="hidden",
                            text_overflow="ellipsis",
                            white_space="nowrap",
                            title=row.state.reason,
                            custom_attrs=testid("status-reason"),
                        ),
                    ),
                    spacing="1",
                    align="start",
                ),
                score_badge(row.score.text, row.score.tone, custom_attrs=testid("score")),
            )
        ),
        rx.foreach(
            row.sections,
            lambda cell: rx.table.cell(
                score_badge(cell.text, cell.tone, size="1"), text_align="center"
            ),
        ),
        custom_attrs={"data-testid": "conversation-row", "data-conversation": row.conversation},
    )


def conversations_table() -> rx.Component:
    """The table of conversations."""
    s = ConversationsState
    return rx.card(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Conversation"),
                    rx.table.column_header_cell("Agent"),
                    rx.table.column_header_cell("Channel"),
                    rx.table.column_header_cell("Customer"),
                    rx.table.column_header_cell("Date"),
                    rx.table.column_header_cell("Score"),
                    rx.foreach(
                        s.columns,
                        lambda c: rx.table.column_header_cell(c.label, text_align="center"),
                    ),
                ),
            ),
            rx.table.body(rx.foreach(s.rows, _row)),
            variant="ghost",
            size="2",
            width="100%",
            id="conversations-table",
        ),
        rx.cond(
            s.loaded & (s.count == 0),
            rx.center(
                rx.text(
                    rx.cond(
                        s.total == 0,
                        "No conversations yet. Run `trainer demo` or `trainer ingest` to add some.",
                        "No conversations match these filters.",
                    ),
                    color_scheme="gray",
                ),
                padding="2rem",
                custom_attrs=testid("empty"),
            ),
        ),
        width="100%",
        overflow_x="auto",
    )


def pager() -> rx.Component:
    """Previous and next page, which rows and page this is, and the page size."""
    s = ConversationsState
    return rx.flex(
        rx.button(
            rx.icon("chevron-left", size=14),
            "Previous",
            variant="soft",
            on_click=s.previous_page,
            disabled=~s.has_previous,
            custom_attrs=testid("page-previous"),
        ),
        rx.text(
            rx.cond(s.shown_range != "", rx.text.span(s.shown_range, " · "), ""),
            "Page ",
            rx.text.span(s.page, custom_attrs=testid("page-number")),
            " of ",
            rx.text.span(s.pages, custom_attrs=testid("page-count")),
            size="2",
            color_scheme="gray",
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=14),
            variant="soft",
            on_click=s.next_page,
            disabled=~s.has_next,
            custom_attrs=testid("page-next"),
        ),
        rx.spacer(),
        _labelled(
            "Per page",
            rx.select(
                list(PAGE_SIZES),
                value=s.per_page_value,
                on_change=s.set_per_page,
                name="per_page",
                custom_attrs=testid("page-size"),
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        margin_top="1rem",
        custom_attrs=testid("pager"),
    )


def conversations_page() -> rx.Component:
    """The `/` and `/conversations` page."""
    return page(
        rx.heading("Conversations", size="7", margin_bottom="1rem"),
        error_callout(ConversationsState.error),
        filters_bar(),
        conversations_table(),
        pager(),
        testid_name="conversations-page",
    )
