"""The queue page's state: the signed-in reviewer's assignments (or, for a lead or admin, the
queue of a reviewer they manage), progress, overdue count, replacing an item, and the agents'
disputes waiting for the signed-in user's answer. Every read
and change goes through `trainer.services.assignments`, which asks the policy."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.assignments import my_queue, queue_reviewers, replace_assignment
from trainer.services.disputes import disputes_inbox
from trainer.web.queue import viewmodels as qvm
from trainer.web.state import AppState, user_message


class QueueState(AppState):
    """Rows, progress and the reviewer whose queue is shown."""

    rows: list[qvm.QueueRow] = []
    progress: list[qvm.ProgressRow] = []
    disputes: list[qvm.DisputeRow] = []
    done: int = 0
    total: int = 0
    percent: int = 0
    overdue: int = 0
    reviewer: str = ""
    reviewers: list[str] = []
    error: str = ""
    notice: str = ""
    loaded: bool = False

    def _refresh(self):
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                self.reviewers = queue_reviewers(session, actor)
                who = self.reviewer if self.reviewer in self.reviewers else actor.name
                view = my_queue(session, actor, reviewer=who)
                disputes = disputes_inbox(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error, self.rows, self.progress, self.loaded = user_message(exc), [], [], True
            self.disputes = []
            self.done = self.total = self.percent = self.overdue = 0
            return None
        self.reviewer = view["reviewer"]
        self.rows, self.progress = qvm.queue_rows(view), qvm.progress_rows(view)
        self.disputes = qvm.dispute_rows(disputes)
        self.done, self.total, self.overdue = view["done"], view["total"], view["overdue"]
        self.percent = qvm.percent(self.done, self.total)
        self.loaded = True
        return None

    @rx.event
    def on_load(self):
        """The signed-in user's own queue."""
        self.error = self.notice = ""
        self.reviewer = ""
        return self._refresh()

    @rx.event
    def show_reviewer(self, name: str):
        """A lead or admin looks at another reviewer's queue (the service checks they may)."""
        self.error = self.notice = ""
        self.reviewer = name
        return self._refresh()

    @rx.event
    def replace(self, form: dict):
        """Replace one open item (the form's `assignment` id) giving the `reason`."""
        self.error = self.notice = ""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        reason = str(form.get("reason") or "").strip()
        try:
            assignment = int(form.get("assignment") or 0)
            with session_scope() as session:
                result = replace_assignment(session, actor, assignment, reason)
        except ValueError:
            self.error = "Pick an item of the queue to replace."
            return None
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            return None
        new = result["replacement"]
        self.notice = f"Replaced with {new['conversation']} (agent {new['agent']})."
        return self._refresh()
