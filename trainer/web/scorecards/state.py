"""The scorecard's state: per agent the user may see (their own, their teams', everyone's),
how many conversations, the overall mean and section averages."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.views import scorecard
from trainer.web import formatting as fmt
from trainer.web.scorecards import viewmodels as svm
from trainer.web.state import AppState, user_message


class ScorecardState(AppState):
    """The scorecard rows (one per agent the user may see) and their section columns."""

    columns: list[fmt.Column] = []
    rows: list[svm.ScorecardRow] = []
    error: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Compute the scorecard from the stored evaluations."""
        self.error = ""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                rows = scorecard(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error, self.rows, self.loaded = user_message(exc), [], True
            return None
        keys = fmt.section_keys(rows, svm.SCORECARD_FIELDS)
        self.columns = fmt.columns(keys)
        self.rows = svm.scorecard_rows(rows, keys)
        self.loaded = True
        return None
