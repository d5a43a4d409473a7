"""The conversations list: every conversation with its scores, filtered by agent, channel, score.

Calls still being transcribed show their progress (the list polls until they are done); failed
ones show why.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from trainer.db.session import session_scope
from trainer.errors import TrainerError
from trainer.services.views import ConversationFilter, conversation_statuses, list_conversations
from trainer.web import viewmodels as vm
from trainer.web.layout import error_callout, page, score_badge, status_badge, testid

ALL = "__all__"  # the select value meaning "no filter" (Radix selects cannot hold "")
URL_FILTERS = ("agent", "channel", "min", "max")
POLL_SECONDS = 2.0
POLL_LIMIT = 1800


class ConversationsState(rx.State):
    """Filters and the rows they select. Filters come from the URL on load (?agent=...)."""

    agent: str = ALL
    channel: str = ALL
    min_score: str = ""
    max_score: str = ""
    agents: list[str] = []
    channels: list[str] = []
    columns: list[vm.Column] = []
    rows: list[vm.ConversationRow] = []
    total: int = 0
    error: str = ""
    loaded: bool = False
    _polling: bool = False

    @rx.var
    def count(self) -> int:
        """How many conversations the filters let through."""
        return len(self.rows)

    @rx.var
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return (
            self.agent != ALL
            or self.channel != ALL
            or bool(self.min_score.strip())
            or bool(self.max_score.strip())
        )

    def _filters(self) -> ConversationFilter | None:
        try:
            low, high = vm.parse_score(self.min_score), vm.parse_score(self.max_score)
        except ValueError:
            self.error = "Scores are numbers from 0 to 100."
            return None
        if low is not None and high is not None and low > high:
            self.error = "The minimum score is above the maximum."
            return None
        return ConversationFilter(
            agent=None if self.agent == ALL else self.agent,
            channel=None if self.channel == ALL else self.channel,
            min_score=low,
            max_score=high,
        )

    def _refresh(self, options: bool = False) -> None:
        self.error = ""
        filters = self._filters()
        if filters is None:
            return
        try:
            with session_scope() as session:
                rows = list_conversations(session, filters)
                everything = list_conversations(session) if options else None
                statuses = conversation_statuses(session)
        except TrainerError as exc:
            self.error = exc.format()
            self.rows = []
            return
        if everything is not None:
            self.total = len(everything)
            self.agents = sorted({r["agent"] for r in everything if r.get("agent")})
            self.channels = sorted({r["channel"] for r in everything if r.get("channel")})
            self.columns = vm.columns(vm.section_keys(everything, vm.ROW_FIELDS))
        keys = [c.key for c in self.columns] or vm.section_keys(rows, vm.ROW_FIELDS)
        self.rows = vm.conversation_rows(rows, keys, statuses)
        self.loaded = True

    @rx.var
    def pending(self) -> bool:
        """Whether a listed call is still queued or being transcribed."""
        return any(row.state.pending for row in self.rows)

    def _poll(self):
        """The polling task when a listed call is pending (None otherwise)."""
        return ConversationsState.poll_status if self.pending else None

    @rx.event(background=True)
    async def poll_status(self):
        """Every two seconds, while a listed call is queued or being transcribed, refresh the
        rows (progress, then the scores once it is done)."""
        async with self:
            if self._polling:
                return
            self._polling = True
        try:
            for _ in range(POLL_LIMIT):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    if not self.pending:
                        return
                    self._refresh(options=True)
                    if not self.pending:
                        return
        finally:
            async with self:
                self._polling = False

    @rx.event
    def on_load(self):
        """Load the rows. Filters in the URL (`?agent=&channel=&min=&max=`, as the scorecard's
        links use) replace the current ones; without any, the filters set before are kept, so
        coming back from a review shows the same list."""
        params = self.router.url.query_parameters
        if any(params.get(key) for key in URL_FILTERS):
            self.agent = params.get("agent") or ALL
            self.channel = params.get("channel") or ALL
            self.min_score = params.get("min") or ""
            self.max_score = params.get("max") or ""
        self._refresh(options=True)
        return self._poll()

    @rx.event
    def set_agent(self, agent: str):
        """Show one agent's conversations (ALL for everyone)."""
        self.agent = agent or ALL
        self._refresh()
        return self._poll()

    @rx.event
    def set_channel(self, channel: str):
        """Show one channel's conversations (ALL for every channel)."""
        self.channel = channel or ALL
        self._refresh()
        return self._poll()

    @rx.event
    def set_min_score(self, value: str):
        """Lowest overall score to show (blank for no bound)."""
        self.min_score = value
        self._refresh()

    @rx.event
    def set_max_score(self, value: str):
        """Highest overall score to show (blank for no bound)."""
        self.max_score = value
        self._refresh()

    @rx.event
    def clear_filters(self):
        """Show every conversation."""
        self.agent, self.channel, self.min_score, self.max_score = ALL, ALL, "", ""
        self._refresh()
        return self._poll()


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


def _row(row: rx.Var[vm.ConversationRow]) -> rx.Component:
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


def conversations_page() -> rx.Component:
    """The `/` and `/conversations` page."""
    return page(
        rx.heading("Conversations", size="7", margin_bottom="1rem"),
        error_callout(ConversationsState.error),
        filters_bar(),
        conversations_table(),
        testid_name="conversations-page",
    )
