"""The conversations list's state: the conversations the signed-in user may see, filtered by
agent, channel and score. Calls still being transcribed show their progress (the list polls until
they are done); failed ones show why."""

from __future__ import annotations

import asyncio

import reflex as rx

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.views import ConversationFilter, conversation_statuses, list_conversations
from trainer.web import formatting as fmt
from trainer.web.conversations import viewmodels as cvm
from trainer.web.state import AppState, user_message

ALL = "__all__"  # the select value meaning "no filter" (Radix selects cannot hold "")
URL_FILTERS = ("agent", "channel", "min", "max")
POLL_SECONDS = 2.0
POLL_LIMIT = 1800


class ConversationsState(AppState):
    """Filters and the rows they select (of the conversations the user may see). Filters come
    from the URL on load (?agent=...)."""

    agent: str = ALL
    channel: str = ALL
    min_score: str = ""
    max_score: str = ""
    agents: list[str] = []
    channels: list[str] = []
    columns: list[fmt.Column] = []
    rows: list[cvm.ConversationRow] = []
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
                rows = list_conversations(session, actor, filters)
                everything = list_conversations(session, actor) if options else None
                statuses = conversation_statuses(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            self.rows, self.loaded = [], True
            return
        if everything is not None:
            self.total = len(everything)
            self.agents = sorted({r["agent"] for r in everything if r.get("agent")})
            self.channels = sorted({r["channel"] for r in everything if r.get("channel")})
            self.columns = fmt.columns(fmt.section_keys(everything, cvm.ROW_FIELDS))
        keys = [c.key for c in self.columns] or fmt.section_keys(rows, cvm.ROW_FIELDS)
        self.rows = cvm.conversation_rows(rows, keys, statuses)
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
                    if self._refresh(options=True) is not None or not self.pending:
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
        return self._refresh(options=True) or self._poll()

    @rx.event
    def set_agent(self, agent: str):
        """Show one agent's conversations (ALL for everyone)."""
        self.agent = agent or ALL
        return self._refresh() or self._poll()

    @rx.event
    def set_channel(self, channel: str):
        """Show one channel's conversations (ALL for every channel)."""
        self.channel = channel or ALL
        return self._refresh() or self._poll()

    @rx.event
    def set_min_score(self, value: str):
        """Lowest overall score to show (blank for no bound)."""
        self.min_score = value
        return self._refresh()

    @rx.event
    def set_max_score(self, value: str):
        """Highest overall score to show (blank for no bound)."""
        self.max_score = value
        return self._refresh()

    @rx.event
    def clear_filters(self):
        """Show every conversation."""
        self.agent, self.channel, self.min_score, self.max_score = ALL, ALL, "", ""
        return self._refresh() or self._poll()
