"""The calibration pages' states: `/calibration` (the sessions I run or take part in; a lead
opens one) and `/calibration/<id>` (per conversation the transcript and a blind scoring form,
then the results). The services decide what each person may see: a blind participant's view
holds no one's values, so the page cannot show them."""

from __future__ import annotations

import reflex as rx

from trainer.access import Action, can
from trainer.db.session import session_scope
from trainer.services import calibration as calib
from trainer.web.calibration import viewmodels as vm
from trainer.web.state import AppState, user_message

NO_BASELINE = "(no baseline)"


def split_ids(text: str) -> list[str]:
    """Conversation ids typed as "b-1, b-2 b-3" -> ["b-1", "b-2", "b-3"]."""
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


class CalibrationListState(AppState):
    """The sessions list and, for those who run sessions, the form that opens one."""

    rows: list[vm.SessionRow] = []
    can_run: bool = False
    people: list[str] = []
    baseline_options: list[str] = [NO_BASELINE]
    invited: list[str] = []
    baseline: str = NO_BASELINE
    error: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Load my sessions and, when I may run one, who may be invited."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error, self.loaded = "", False
        self.can_run = can(actor, Action.RUN_CALIBRATION)
        try:
            with session_scope() as session:
                rows = calib.list_sessions(session, actor)
                people = calib.eligible_participants(session, actor) if self.can_run else []
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.rows, self.error, self.loaded = [], user_message(exc), True
            return None
        self.rows = vm.session_rows(rows)
        self.people = [p["name"] for p in people]
        self.baseline_options = [NO_BASELINE, *self.people]
        self.invited = [n for n in self.invited if n in self.people]
        if self.baseline not in self.people:
            self.baseline = NO_BASELINE
        self.loaded = True
        return None

    @rx.event
    def toggle(self, name: str):
        """Invite someone, or take the invitation back."""
        if name in self.invited:
            self.invited = [n for n in self.invited if n != name]
        else:
            self.invited = [*self.invited, name]

    @rx.event
    def set_baseline(self, name: str):
        """The expert whose scores are the baseline (or none)."""
        self.baseline = name

    @rx.event
    def open_session(self, form: dict):
        """Open a session from the form (title, conversation ids) and the chosen people, then
        go to its page."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = ""
        baseline = None if self.baseline == NO_BASELINE else self.baseline
        try:
            with session_scope() as session:
                view = calib.open_session(
                    session,
                    actor,
                    str(form.get("title") or ""),
                    split_ids(str(form.get("conversations") or "")),
                    list(self.invited),
                    baseline,
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message, nothing stored
            self.error = user_message(exc)
            return None
        self.invited, self.baseline = [], NO_BASELINE
        return rx.redirect(vm.session_href(view["id"]))


class CalibrationSessionState(AppState):
    """One session: the blind form per conversation, then (where revealed) the results."""

    session_key: str = ""
    found: bool = False
    loaded: bool = False
    error: str = ""
    notice: str = ""
    title: str = ""
    status: str = ""
    lead: str = ""
    baseline: str = ""
    participants: str = ""
    runs: bool = False
    takes_part: bool = False
    is_open: bool = False
    panels: list[vm.Panel] = []
    reviewers: list[str] = []
    tables: list[vm.ResultTable] = []
    alphas: list[vm.AlphaRow] = []
    alpha: str = vm.MISSING
    alpha_value: str = ""
    alpha_auto: str = vm.MISSING
    alpha_auto_value: str = ""
    alpha_units: int = 0
    alignment: list[vm.Alignment] = []
    has_results: bool = False
    _items: list[dict] = []
    _choices: dict[str, dict[str, str]] = {}
    _comments: dict[str, dict[str, str]] = {}

    @rx.event
    def on_load(self):
        """Load the session the URL names."""
        return self.load_session(self.session_id)

    @rx.event
    def load_session(self, session_id: str):
        """Load a session; one the user is not in reads as not found."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.session_key, self.found, self.loaded = str(session_id), False, False
        self.error = self.notice = ""
        self._choices, self._comments = {}, {}
        self._load(actor)
        return None

    def _load(self, actor) -> None:
        try:
            with session_scope() as session:
                view = calib.calibration_view(session, actor, self.session_key)
                results = calib.calibration_results(session, actor, self.session_key)
        except Exception as exc:  # noqa: BLE001 - not found reads as such; others as a message
            self.panels, self.tables, self.has_results = [], [], False
            self.error = user_message(exc)
            self.loaded = True
            return
        self.found = self.loaded = True
        self.title, self.status = view["title"], view["status"].capitalize()
        self.lead = view["lead"] or vm.MISSING
        self.baseline = view["baseline"] or vm.MISSING
        self.participants = ", ".join(view["participants"])
        self.runs, self.takes_part = view["runs"], view["takes_part"]
        self.is_open = view["status"] == "open"
        self._items = view["items"]
        for item in self._items:
            # What the form holds for a conversation: what is stored, unless the person is
            # still choosing (a reload after a save keeps their unsaved choices elsewhere).
            choices, comments = vm.stored_choices(item)
            self._choices.setdefault(item["conversation"], choices)
            self._comments.setdefault(item["conversation"], comments)
        self._build_panels()
        self._show_results(results)

    def _build_panels(self) -> None:
        self.panels = [
            vm.panel(
                item,
                self._choices.get(item["conversation"], {}),
                self._comments.get(item["conversation"], {}),
                takes_part=self.takes_part,
                is_open=self.is_open,
            )
            for item in self._items
        ]

    def _show_results(self, results: dict) -> None:
        self.has_results = bool(results["items"])
        self.reviewers = list(results["reviewers"])
        self.tables = vm.result_tables(results)
        self.alphas = vm.alpha_rows(results)
        overall = results["overall"]
        self.alpha = vm.number_text(overall["alpha"], 3)
        self.alpha_value = "" if overall["alpha"] is None else str(overall["alpha"])
        self.alpha_auto = vm.number_text(overall["alpha_with_automatic"], 3)
        auto = overall["alpha_with_automatic"]
        self.alpha_auto_value = "" if auto is None else str(auto)
        self.alpha_units = int(overall["units"])
        self.alignment = vm.alignments(results)

    @rx.event
    def choose(self, conversation: str, criterion: str, value: str):
        """Pick a level (or N/A) for a criterion; picking the chosen one again clears it."""
        chosen = self._choices.setdefault(conversation, {})
        chosen[criterion] = "" if chosen.get(criterion) == value else value
        self._choices = dict(self._choices)
        self._build_panels()

    @rx.event
    def set_comment(self, conversation: str, criterion: str, text: str):
        """A criterion's comment (kept until saved)."""
        self._comments.setdefault(conversation, {})[criterion] = text
        self._comments = dict(self._comments)

    @rx.event
    def save(self, conversation: str, submit: bool):
        """Save the conversation's scores as a draft, or submit them (then the results of it
        show); errors are shown and nothing is stored."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        judgements = vm.judgements(
            self._choices.get(conversation, {}), self._comments.get(conversation, {})
        )
        try:
            with session_scope() as session:
                calib.save_calibration_score(
                    session, actor, self.session_key, conversation, judgements, submit
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.error = user_message(exc)
            return None
        self._choices.pop(conversation, None)  # reload what is stored
        self._comments.pop(conversation, None)
        self._load(actor)
        self.notice = (
            f"Your scores of {conversation} are submitted: the results of it are below."
            if submit
            else f"Draft of {conversation} saved."
        )
        return None

    @rx.event
    def close(self):
        """Close the session (its lead or an admin)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        try:
            with session_scope() as session:
                calib.close_session(session, actor, self.session_key)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.error = user_message(exc)
            return None
        self._load(actor)
        self.notice = "The session is closed: everyone in it now sees all the results."
        return None
