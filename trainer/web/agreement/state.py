"""The agreement page's state: the since filter and the rows of `agreement_report` (which asks
the policy: each role sees the conversations its scorecards cover)."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.agreement import agreement_report
from trainer.web.agreement import viewmodels as avm
from trainer.web.state import AppState, user_message


class AgreementState(AppState):
    """Per criterion: auto vs human and between reviewers, since a date (blank: all time)."""

    since: str = ""
    rows: list[avm.AgreementRow] = []
    summary: str = ""
    error: str = ""
    loaded: bool = False

    def _refresh(self):
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = ""
        try:
            start = avm.parse_since(self.since)
        except ValueError:
            self.error = "Dates are written YYYY-MM-DD, e.g. 2026-03-02."
            return None
        try:
            with session_scope() as session:
                report = agreement_report(session, actor, start)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.rows, self.summary, self.error, self.loaded = [], "", user_message(exc), True
            return None
        self.rows = avm.agreement_rows(report)
        self.summary = avm.summary(self.rows)
        self.loaded = True
        return None

    @rx.event
    def on_load(self):
        """The figures (the since filter kept from before)."""
        return self._refresh()

    @rx.event
    def apply(self, form: dict):
        """Only reviews submitted since the form's date."""
        self.since = str(form.get("since") or "")
        return self._refresh()

    @rx.event
    def clear(self):
        """All reviews, whenever submitted."""
        self.since = ""
        return self._refresh()
