"""`/admin/audit`: the audit log, newest first, filtered by action, user and date, 50 a page.
Admins only (the service refuses anyone else)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.audit import AuditFilter, list_events
from trainer.web import formatting as fmt
from trainer.web.admin.common import admin_page
from trainer.web.components import data_table, empty_state, labelled, testid
from trainer.web.state import AppState, user_message

PAGE_SIZE = 50
ANY = "__any__"
# Action families in the log (a family matches its own name and every "family.x").
ACTIONS = [
    "login",
    "logout",
    "password",
    "user",
    "team",
    "token",
    "agent",
    "speakers",
    "conversation",
    "review",
]


@dataclasses.dataclass
class EventRow:
    """One audit row as shown."""

    id: int = 0
    at: str = ""
    actor: str = ""
    action: str = ""
    target: str = ""
    change: str = ""


def _compact(value) -> str:
    return "" if value in (None, {}, []) else json.dumps(value, sort_keys=True, default=str)


def event_rows(rows: list[dict]) -> list[EventRow]:
    """`list_events` rows shaped for the table."""
    out = []
    for r in rows:
        target = " ".join(str(p) for p in (r.get("object_type"), r.get("object_id")) if p)
        before, after = _compact(r.get("before")), _compact(r.get("after"))
        change = f"{before} → {after}" if before and after else before or after
        if r.get("detail"):
            change = f"{change} ({r['detail']})" if change else str(r["detail"])
        out.append(
            EventRow(
                id=int(r["id"]),
                at=fmt.format_date(r.get("at")),
                actor=r.get("actor") or "",
                action=r.get("action") or "",
                target=target,
                change=change,
            )
        )
    return out


def parse_day(text: str) -> datetime | None:
    """A date typed as YYYY-MM-DD (UTC midnight), None when blank; ValueError otherwise."""
    text = (text or "").strip()
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC) if text else None


class AuditState(AppState):
    """Filters, the page of rows and where it is."""

    action: str = ANY
    who: str = ""
    since: str = ""
    until: str = ""
    rows: list[EventRow] = []
    total: int = 0
    offset: int = 0
    error: str = ""
    notice: str = ""
    actions: list[str] = ACTIONS

    @rx.var
    def page_label(self) -> str:
        """ "1-50 of 120"."""
        if not self.total:
            return "0 events"
        last = min(self.offset + PAGE_SIZE, self.total)
        return f"{self.offset + 1}-{last} of {self.total}"

    @rx.var
    def has_previous(self) -> bool:
        """Whether there is a newer page."""
        return self.offset > 0

    @rx.var
    def has_next(self) -> bool:
        """Whether there is an older page."""
        return self.offset + PAGE_SIZE < self.total

    def _refresh(self):
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = ""
        try:
            since, until = parse_day(self.since), parse_day(self.until)
        except ValueError:
            self.error = "Dates are written YYYY-MM-DD, e.g. 2026-03-02."
            return None
        filters = AuditFilter(
            action=None if self.action == ANY else self.action,
            actor=self.who.strip() or None,
            since=since,
            until=until + timedelta(days=1) if until else None,
        )
        try:
            with session_scope() as session:
                total, rows = list_events(
                    session, actor, filters, limit=PAGE_SIZE, offset=self.offset
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.rows, self.total, self.error = [], 0, user_message(exc)
            return None
        self.total, self.rows = total, event_rows(rows)
        return None

    @rx.event
    def on_load(self):
        """The newest events (filters kept from before)."""
        self.offset = 0
        return self._refresh()

    @rx.event
    def set_action(self, action: str):
        """Only one action family (ANY for all)."""
        self.action, self.offset = action or ANY, 0
        return self._refresh()

    @rx.event
    def apply(self, form: dict):
        """Apply the user and date filters of the form."""
        self.who = str(form.get("who") or "")
        self.since = str(form.get("since") or "")
        self.until = str(form.get("until") or "")
        self.offset = 0
        return self._refresh()

    @rx.event
    def clear(self):
        """Drop every filter."""
        self.action, self.who, self.since, self.until, self.offset = ANY, "", "", "", 0
        return self._refresh()

    @rx.event
    def previous_page(self):
        """Newer events."""
        self.offset = max(0, self.offset - PAGE_SIZE)
        return self._refresh()

    @rx.event
    def next_page(self):
        """Older events."""
        if self.offset + PAGE_SIZE < self.total:
            self.offset += PAGE_SIZE
        return self._refresh()


def _row(row: rx.Var[EventRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at, white_space="nowrap"),
        rx.table.cell(row.actor),
        rx.table.cell(rx.code(row.action)),
        rx.table.cell(row.target),
        rx.table.cell(
            rx.text(row.change, size="1", font_family="var(--code-font-family)"),
            max_width="28rem",
            overflow_wrap="anywhere",
        ),
        custom_attrs={"data-testid": "audit-row", "data-action": row.action},
    )


def _filters() -> rx.Component:
    s = AuditState
    return rx.card(
        rx.flex(
            labelled(
                "Action",
                rx.select.root(
                    rx.select.trigger(min_width="10rem", custom_attrs=testid("audit-action")),
                    rx.select.content(
                        rx.select.item("Any action", value=ANY),
                        rx.foreach(s.actions, lambda a: rx.select.item(a, value=a)),
                    ),
                    value=s.action,
                    on_change=s.set_action,
                ),
            ),
            rx.form(
                rx.flex(
                    labelled("User", rx.input(name="who", default_value=s.who, width="12rem")),
                    labelled("From", rx.input(name="since", type="date", default_value=s.since)),
                    labelled("To", rx.input(name="until", type="date", default_value=s.until)),
                    rx.button("Filter", type="submit", custom_attrs=testid("audit-filter")),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=s.apply,
            ),
            rx.button("Clear", variant="soft", color_scheme="gray", on_click=s.clear),
            gap="3",
            align="end",
            wrap="wrap",
        ),
        margin_bottom="1rem",
    )


def audit_page() -> rx.Component:
    """The `/admin/audit` page."""
    s = AuditState
    return admin_page(
        "Audit log",
        "Audit log",
        _filters(),
        data_table(
            ["When (UTC)", "Who", "Action", "Object", "Change"],
            rx.foreach(s.rows, _row),
            table_id="audit-table",
            empty=rx.cond(s.rows.length() == 0, empty_state("No events match.")),
        ),
        rx.hstack(
            rx.button(
                "Newer",
                variant="soft",
                disabled=~s.has_previous,
                on_click=s.previous_page,
                custom_attrs=testid("audit-newer"),
            ),
            rx.text(s.page_label, size="2", custom_attrs=testid("audit-count")),
            rx.button(
                "Older",
                variant="soft",
                disabled=~s.has_next,
                on_click=s.next_page,
                custom_attrs=testid("audit-older"),
            ),
            align="center",
            spacing="3",
            margin_top="0.75rem",
        ),
        error=s.error,
        notice=s.notice,
        testid_name="admin-audit-page",
    )
