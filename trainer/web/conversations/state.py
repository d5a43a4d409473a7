"""The conversations list's state: the conversations the signed-in user may see, filtered by
agent, channel and score, newest first, one page at a time (the database pages: a page costs the
same over a hundred or a hundred thousand conversations). Calls still being transcribed show
their progress (the list polls until they are done); failed ones show why."""

from __future__ import annotations

import asyncio
import math

import reflex as rx

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.views import (
    DEFAULT_PER_PAGE,
    ConversationFilter,
    conversation_options,
    conversation_statuses,
    page_conversations,
)
from trainer.web import formatting as fmt
from trainer.web.conversations import viewmodels as cvm
from trainer.web.state import AppState, user_message

ALL = "__all__"  # the select value meaning "no filter" (Radix selects cannot hold "")
URL_FILTERS = ("agent", "channel", "min", "max")
PAGE_SIZES = ("25", "50", "100", "200")
POLL_SECONDS = 2.0
POLL_LIMIT = 1800


class ConversationsState(AppState):
    """Filters and the page of rows they select (of the conversations the user may see).
    Filters and the page come from the URL on load (?agent=...&page=2&per_page=100)."""

    agent: str = ALL
    channel: str = ALL
    min_score: str = ""
    max_score: str = ""
    agents: list[str] = []
    channels: list[str] = []
    columns: list[fmt.Column] = []
    rows: list[cvm.ConversationRow] = []
    total: int = 0  # the conversations the user may see, unfiltered
    matched: int = 0  # those the filters let through (on every page)
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    error: str = ""
    loaded: bool = False
    _polling: bool = False

    @rx.var
    def count(self) -> int:
        """How many conversations the filters let through (on all pages)."""
        return self.matched

    @rx.var
    def pages(self) -> int:
        """How many pages the matching conversations fill (at least one)."""
        return max(1, math.ceil(self.matched / max(1, self.per_page)))

    @rx.var
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @rx.var
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page * self.per_page < self.matched

    @rx.var
    def shown_range(self) -> str:
        """Which rows this page shows, e.g. "51–100" ("" when none)."""
        if not self.rows:
            return ""
        first = (self.page - 1) * self.per_page + 1
        return f"{first}–{first + len(self.rows) - 1}"

    @rx.var
    def per_page_value(self) -> str:
        """The page size as the page-size select holds it."""
        return str(self.per_page)

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
            low, high = fmt.parse_score(self.min_score), fmt.parse_score(self.max_score)
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

    def _refresh(self, options: bool = False):
        """Reload the rows; the redirect to the login page when the session has ended."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self._load_rows(actor, options)
        return None

    def _load_rows(self, actor: Actor, options: bool = False) -> None:
        self.error = ""
        filters = self._filters()
        if filters is None:
            return
        try:
            with session_scope() as session:
                found = page_conversations(session, actor, filters, self.page, self.per_page)
                if not found.rows and found.page > 1 and found.total:
                    # Past the end (the list shrank since): the last page instead.
                    last = math.ceil(found.total / found.per_page)
                    found = page_conversations(session, actor, filters, last, found.per_page)
                choices = conversation_options(session, actor) if options else None
                shown = [row["conversation"] for row in found.rows]
                statuses = conversation_statuses(session, actor, shown)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            self.rows, self.matched, self.loaded = [], 0, True
            return
        if choices is not None:
            self.total = choices.total
            self.agents, self.channels = choices.agents, choices.channels
        keys = fmt.section_keys(found.rows, cvm.ROW_FIELDS)
        self.columns = fmt.columns(keys)
        self.rows = cvm.conversation_rows(found.rows, keys, statuses)
        self.page, self.per_page, self.matched = found.page, found.per_page, found.total
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
        rows (progress, then the scores once it is done); the filters' options stay as loaded
        (they cost a pass over every conversation)."""
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
                    if self._refresh() is not None or not self.pending:
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
            self.page = 1
        self.page = _whole(params.get("page"), self.page)
        self.per_page = _whole(params.get("per_page"), self.per_page)
        return self._refresh(options=True) or self._poll()

    def _first_page(self):
        """Back to the first page (the filters changed) and reload."""
        self.page = 1
        return self._refresh() or self._poll()

    @rx.event
    def next_page(self):
        """Show the next page (if there is one)."""
        if not self.has_next:
            return None
        self.page += 1
        return self._refresh() or self._poll()

    @rx.event
    def previous_page(self):
        """Show the page before (if there is one)."""
        if self.page <= 1:
            return None
        self.page -= 1
        return self._refresh() or self._poll()

    @rx.event
    def set_per_page(self, value: str):
        """Show `value` conversations a page (from the first page)."""
        self.per_page = _whole(value, self.per_page)
        return self._first_page()

    @rx.event
    def set_agent(self, agent: str):
        """Show one agent's conversations (ALL for everyone)."""
        self.agent = agent or ALL
        return self._first_page()

    @rx.event
    def set_channel(self, channel: str):
        """Show one channel's conversations (ALL for every channel)."""
        self.channel = channel or ALL
        return self._first_page()

    @rx.event
    def set_min_score(self, value: str):
        """Lowest overall score to show (blank for no bound)."""
        self.min_score = value
        self.page = 1
        return self._refresh()

    @rx.event
    def set_max_score(self, value: str):
        """Highest overall score to show (blank for no bound)."""
        self.max_score = value
        self.page = 1
        return self._refresh()

    @rx.event
    def clear_filters(self):
        """Show every conversation."""
        self.agent, self.channel, self.min_score, self.max_score = ALL, ALL, "", ""
        return self._first_page()


def _whole(value: str | None, default: int) -> int:
    """A positive whole number from the URL or a select, else `default` (the service caps
    page sizes)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return default
    return number if number >= 1 else default
