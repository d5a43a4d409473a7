"""The first-contact resolution and follow-up panel of the scorecard page: FCR per agent and
team with the repeat contacts behind it, each agent's open, kept and broken promises, and the
transfers each agent followed up (or whose customer was transferred again).

`FcrState.load_panel(since, until)` fills it for the signed-in user (the services ask the
policy); `fcr_panel()` is the component the scorecard page places beside its tables.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.fcr import fcr_days, fcr_report
from trainer.services.promises import promise_report
from trainer.services.scorecard_data import parse_day
from trainer.services.transfers import transfer_report
from trainer.web.components import data_table, empty_state, error_callout, score_badge, testid
from trainer.web.formatting import MISSING
from trainer.web.state import AppState, user_message

STATUS_TONES = {"open": "gray", "kept": "green", "broken": "red"}
MAX_PROMISES = 50  # the most recent ones; the CLI lists them all


@dataclasses.dataclass
class FcrRow:
    """One agent's or team's FCR with the repeat contacts behind it."""

    name: str = ""
    kind: str = "agent"
    team: str = ""
    conversations: int = 0
    resolved: int = 0
    fcr: str = MISSING
    repeats: str = ""


@dataclasses.dataclass
class PromiseAgentRow:
    """One agent's follow-up promises by status."""

    agent: str = ""
    promises: int = 0
    open: int = 0
    kept: int = 0
    broken: int = 0
    kept_rate: str = MISSING


@dataclasses.dataclass
class PromiseItem:
    """One promise as the list shows it."""

    agent: str = ""
    conversation: str = ""
    text: str = ""
    due: str = MISSING
    status: str = "open"
    tone: str = "gray"


@dataclasses.dataclass
class TransferRow:
    """One agent's transfers and what became of the customers."""

    agent: str = ""
    transfers: int = 0
    followed_up: int = 0
    transferred_again: int = 0
    pending: int = 0
    follow_up_rate: str = MISSING


def transfer_rows(report: dict) -> list[TransferRow]:
    """The transfer report's per-agent rows shaped for the table."""
    return [
        TransferRow(
            r["agent"],
            r["transfers"],
            r["followed_up"],
            r["transferred_again"],
            r["pending"],
            _percent(r["follow_up_rate"]),
        )
        for r in report["rows"]
    ]


def _percent(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.0f}%"


def fcr_rows(rows: list[dict]) -> list[FcrRow]:
    """The FCR report's rows shaped for the table (a withheld repeat reads "not visible")."""
    return [
        FcrRow(
            name=row["agent"] or row["team"],
            kind="agent" if row["agent"] else "team",
            team=row["team"] or "",
            conversations=row["conversations"],
            resolved=row["resolved_first_contact"],
            fcr=_percent(row["fcr"]),
            repeats=", ".join(f"{a} → {b or 'not visible'}" for a, b in row["repeats"]),
        )
        for row in rows
    ]


def promise_rows(report: dict) -> tuple[list[PromiseAgentRow], list[PromiseItem]]:
    """The promise report's per-agent counts and its latest promises, broken ones first."""
    agents = [
        PromiseAgentRow(
            r["agent"], r["promises"], r["open"], r["kept"], r["broken"], _percent(r["kept_rate"])
        )
        for r in report["agents"]
    ]
    order = {"broken": 0, "open": 1, "kept": 2}
    latest = sorted(report["promises"], key=lambda p: p["promised_at"], reverse=True)
    items = [
        PromiseItem(
            agent=p["agent"] or "?",
            conversation=p["conversation"],
            text=p["text"],
            due=p["due_at"][:16].replace("T", " ") if p["due_at"] else MISSING,
            status=p["status"],
            tone=STATUS_TONES[p["status"]],
        )
        for p in sorted(latest[:MAX_PROMISES], key=lambda p: order[p["status"]])
    ]
    return agents, items


class FcrState(AppState):
    """FCR and promise figures the signed-in user may see."""

    fcr: list[FcrRow] = []
    promise_agents: list[PromiseAgentRow] = []
    promises: list[PromiseItem] = []
    transfers: list[TransferRow] = []
    window_days: int = 7
    fcr_error: str = ""
    fcr_loaded: bool = False

    @rx.event
    def load_panel(self, since: str = "", until: str = ""):
        """Compute the panel for contacts started between `since` and `until` (YYYY-MM-DD,
        both optional)."""
        self.fcr_error = ""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            first, last = parse_day(since, "since"), parse_day(until, "until")
            with session_scope() as session:
                rows = fcr_report(session, actor, since=first, until=last)
                report = promise_report(session, actor)
                moved = transfer_report(session, actor, since=first, until=last)
            self.window_days = fcr_days()
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.fcr_error = user_message(exc)
            self.fcr, self.promise_agents, self.promises, self.transfers = [], [], [], []
            self.fcr_loaded = True
            return None
        self.fcr = fcr_rows(rows)
        self.promise_agents, self.promises = promise_rows(report)
        self.transfers = transfer_rows(moved)
        self.fcr_loaded = True
        return None


def _fcr_row(row: rx.Var[FcrRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(row.name, weight=rx.cond(row.kind == "team", "bold", "medium"))
        ),
        rx.table.cell(row.team),
        rx.table.cell(row.conversations, text_align="center"),
        rx.table.cell(row.resolved, text_align="center"),
        rx.table.cell(rx.text(row.fcr, weight="bold"), custom_attrs=testid("fcr-value")),
        rx.table.cell(rx.text(row.repeats, size="1", color_scheme="gray")),
        custom_attrs={"data-testid": "fcr-row", "data-name": row.name, "data-kind": row.kind},
    )


def _promise_agent_row(row: rx.Var[PromiseAgentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.agent),
        rx.table.cell(row.promises, text_align="center"),
        rx.table.cell(row.open, text_align="center"),
        rx.table.cell(row.kept, text_align="center"),
        rx.table.cell(row.broken, text_align="center"),
        rx.table.cell(row.kept_rate, text_align="center"),
        custom_attrs={"data-testid": "promise-agent-row", "data-agent": row.agent},
    )


def _transfer_row(row: rx.Var[TransferRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.agent),
        rx.table.cell(row.transfers, text_align="center"),
        rx.table.cell(row.followed_up, text_align="center"),
        rx.table.cell(row.transferred_again, text_align="center"),
        rx.table.cell(row.pending, text_align="center"),
        rx.table.cell(row.follow_up_rate, text_align="center"),
        custom_attrs={"data-testid": "transfer-row", "data-agent": row.agent},
    )


def _promise_item(item: rx.Var[PromiseItem]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(score_badge(item.status, item.tone, size="1")),
        rx.table.cell(item.agent),
        rx.table.cell(item.conversation),
        rx.table.cell(item.due),
        rx.table.cell(rx.text(item.text, size="2")),
        custom_attrs={"data-testid": "promise-row", "data-status": item.status},
    )


def fcr_panel() -> rx.Component:
    """FCR per agent and team, follow-up promises per agent and the latest promises, then
    transfers followed up per agent."""
    s = FcrState
    return rx.vstack(
        rx.heading("First-contact resolution", size="5"),
        rx.text(
            "A contact is resolved at first contact when the same customer does not come back "
            "within ",
            s.window_days,
            " days about the same reason. Contacts whose window is still open are left out.",
            size="2",
            color_scheme="gray",
        ),
        error_callout(s.fcr_error),
        data_table(
            ["Agent / team", "Team", "Contacts", "Resolved", "FCR", "Repeat contacts"],
            rx.foreach(s.fcr, _fcr_row),
            table_id="fcr-table",
            empty=rx.cond(
                s.fcr_loaded & (s.fcr.length() == 0),
                empty_state("No contacts whose repeat window has closed.", "fcr-empty"),
            ),
        ),
        rx.heading("Follow-up promises", size="5", margin_top="1rem"),
        rx.text(
            "Kept: a later contact with the customer by the due date. Broken: the due date "
            "passed without one. Open: not yet due.",
            size="2",
            color_scheme="gray",
        ),
        data_table(
            ["Agent", "Promises", "Open", "Kept", "Broken", "Kept rate"],
            rx.foreach(s.promise_agents, _promise_agent_row),
            table_id="promise-agents-table",
            empty=rx.cond(
                s.fcr_loaded & (s.promise_agents.length() == 0),
                empty_state("No follow-up promises found.", "promises-empty"),
            ),
        ),
        rx.cond(
            s.promises.length() > 0,
            data_table(
                ["Status", "Agent", "Conversation", "Due", "Promise"],
                rx.foreach(s.promises, _promise_item),
                table_id="promises-table",
            ),
        ),
        rx.heading("Transfers followed up", size="5", margin_top="1rem"),
        rx.text(
            "Followed up: the agent who transferred the customer got back to them in a later "
            "contact within ",
            s.window_days,
            " days. Transferred again: the customer's next contact was transferred too.",
            size="2",
            color_scheme="gray",
        ),
        data_table(
            ["Agent", "Transfers", "Followed up", "Transferred again", "Pending", "Follow-up rate"],
            rx.foreach(s.transfers, _transfer_row),
            table_id="transfers-table",
            empty=rx.cond(
                s.fcr_loaded & (s.transfers.length() == 0),
                empty_state("No transferred contacts.", "transfers-empty"),
            ),
        ),
        spacing="3",
        width="100%",
        custom_attrs=testid("fcr-panel"),
    )
