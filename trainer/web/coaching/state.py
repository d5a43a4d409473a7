"""The coaching pages' states: `/coaching` (the sessions I may read; a lead opens one, also from a
review: `?new=1&agent=&conversation=&criterion=`), `/coaching/<id>` (notes, action items, linked
conversations, before/after, practice), and the review page's "Coach this agent" link.

Every answer comes from `trainer.services.coaching`, which asks the policy: the agent's view of a
session holds no private notes, so this page cannot show them."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import coaching
from trainer.web.coaching import viewmodels as vm
from trainer.web.state import AppState, user_message


class CoachingListState(AppState):
    """The sessions list and, for coaches, the new-session form."""

    rows: list[vm.SessionRow] = []
    can_coach: bool = False
    show_form: bool = False
    loaded: bool = False
    error: str = ""
    agents: list[str] = []
    criteria: list[vm.Option] = []
    scenarios: list[vm.Option] = []
    agent: str = ""
    title: str = ""
    criterion: str = vm.NONE
    conversations: str = ""
    scenario: str = vm.NONE
    shared_notes: str = ""
    private_notes: str = ""
    follow_up: str = ""
    _scenario_data: list[dict] = []
    _sections: dict[str, str] = {}

    @rx.event
    def on_load(self):
        """Load the list; `?new=1` opens the form, filled from the link's agent, conversation
        and criterion."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        params = self.router.url.query_parameters
        self.error, self.loaded = "", False
        self.can_coach = coaching.coaches(actor)
        try:
            with session_scope() as session:
                rows = coaching.list_sessions(session, actor)
                draft = (
                    coaching.coaching_draft(
                        session,
                        actor,
                        agent=params.get("agent") or None,
                        conversation=params.get("conversation") or None,
                        criterion=params.get("criterion") or None,
                    )
                    if self.can_coach
                    else None
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.rows, self.error, self.loaded = [], user_message(exc), True
            return None
        self.rows = vm.session_rows(rows)
        if draft is not None:
            self._fill(draft, opened=params.get("new") == "1")
        self.loaded = True
        return None

    def _fill(self, draft: dict, *, opened: bool) -> None:
        self.agents = [a["name"] for a in draft["agents"]]
        self.criteria = vm.criterion_options(draft["criteria"])
        self._sections = {c["id"]: c["section"] for c in draft["criteria"]}
        self._scenario_data = draft["scenarios"]
        if opened:  # a new form from a link: what it names, nothing left from before
            self.show_form = True
            self.agent = draft["agent"] or ""
            self.criterion = draft["criterion"] or vm.NONE
            self.title = draft["title"]
            self.conversations = ", ".join(draft["conversations"])
            self.scenario = vm.NONE
            self.shared_notes = self.private_notes = self.follow_up = ""
        self._order_scenarios()

    def _order_scenarios(self) -> None:
        section = self._sections.get(self.criterion)
        self.scenarios = vm.scenario_options(self._scenario_data, section)

    @rx.event
    def toggle_form(self):
        """Show or hide the new-session form."""
        self.show_form = not self.show_form

    @rx.event
    def set_agent(self, value: str):
        """The agent to coach."""
        self.agent = value

    @rx.event
    def set_title(self, value: str):
        """The session's title."""
        self.title = value

    @rx.event
    def set_criterion(self, value: str):
        """The criterion to work on; scenarios practising it move to the top."""
        self.criterion = value
        self._order_scenarios()

    @rx.event
    def set_conversations(self, value: str):
        """Linked conversation ids, comma separated."""
        self.conversations = value

    @rx.event
    def set_scenario(self, value: str):
        """The scenario to practise."""
        self.scenario = value

    @rx.event
    def set_shared_notes(self, value: str):
        """Notes the agent sees."""
        self.shared_notes = value

    @rx.event
    def set_private_notes(self, value: str):
        """Notes only coaches see."""
        self.private_notes = value

    @rx.event
    def set_follow_up(self, value: str):
        """The follow-up date (YYYY-MM-DD)."""
        self.follow_up = value

    @rx.event
    def open_session(self):
        """Open the session from the form, then go to its page; errors are shown and nothing
        is stored."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = ""
        try:
            with session_scope() as session:
                view = coaching.open_session(
                    session,
                    actor,
                    self.agent,
                    self.title,
                    criterion=self.criterion or None,
                    conversations=self.conversations,
                    scenario=self.scenario or None,
                    follow_up=self.follow_up or None,
                    shared_notes=self.shared_notes,
                    private_notes=self.private_notes,
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message, nothing stored
            self.error = user_message(exc)
            return None
        self.show_form = False
        self.title = self.conversations = self.shared_notes = self.private_notes = ""
        self.follow_up, self.scenario, self.criterion = "", vm.NONE, vm.NONE
        return rx.redirect(vm.session_href(view["id"]))


class CoachingSessionState(AppState):
    """One coaching session: what the service lets the actor read, and the coach's edits."""

    session_key: str = ""
    found: bool = False
    loaded: bool = False
    error: str = ""
    notice: str = ""
    title: str = ""
    agent: str = ""
    coach: str = ""
    status: str = ""
    opened: str = ""
    criterion_title: str = ""
    follow_up: str = ""
    shared_notes: str = ""
    private_notes: str = ""
    scenario: str = vm.NONE
    is_coach: bool = False
    is_agent: bool = False
    is_open: bool = False
    actions: list[vm.ActionRow] = []
    conversations: list[vm.LinkedConversation] = []
    measures: list[vm.Measure] = []
    practice: vm.Practice = vm.Practice()
    scenarios: list[vm.Option] = []
    new_action: str = ""
    new_due: str = ""

    @rx.event
    def on_load(self):
        """Load the session the URL names."""
        return self.load_session(self.session_id)

    @rx.event
    def load_session(self, session_id: str):
        """Load a session; one the user may not read reads as not found."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.session_key, self.error, self.notice = str(session_id), "", ""
        self.new_action = self.new_due = ""
        self._load(actor)
        return None

    def _load(self, actor) -> None:
        self.found, self.loaded = False, False
        try:
            with session_scope() as session:
                view = coaching.session_view(session, actor, self.session_key)
        except Exception as exc:  # noqa: BLE001 - not found reads as such; others as a message
            self.actions, self.conversations, self.measures = [], [], []
            self.error, self.loaded = user_message(exc), True
            return
        self._show(view)
        self.found = self.loaded = True

    def _show(self, view: dict) -> None:
        self.title, self.agent = view["title"], view["agent"] or vm.MISSING
        self.coach = view["coach"] or vm.MISSING
        self.status, self.is_open = view["status"].capitalize(), view["status"] == "open"
        self.opened = vm.fmt.format_date(view["created_at"])
        self.criterion_title = view["criterion_title"] or ""
        self.follow_up = view["follow_up_on"] or ""
        self.shared_notes = view["shared_notes"] or ""
        # absent from the agent's view: the service never hands private notes to them
        self.private_notes = view.get("private_notes") or ""
        self.scenario = view["scenario"] or vm.NONE
        self.is_coach, self.is_agent = bool(view["is_coach"]), bool(view["is_agent"])
        self.actions = vm.action_rows(view["action_items"])
        self.conversations = vm.linked_conversations(view["conversations"])
        self.measures = vm.measures(view)
        self.practice = vm.practice(view)
        if self.is_coach:
            options = coaching.measures.scenario_options(view["section"])
            self.scenarios = vm.scenario_options(options, view["section"])

    def _act(self, change, notice: str):
        """Run a change through the service as the signed-in user, then reload."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        try:
            with session_scope() as session:
                change(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, nothing stored
            self.error = user_message(exc)
            return None
        self._load(actor)
        self.notice = notice
        return None

    @rx.event
    def set_shared_notes(self, value: str):
        """Notes the agent sees (saved with "Save changes")."""
        self.shared_notes = value

    @rx.event
    def set_private_notes(self, value: str):
        """Private notes (saved with "Save changes")."""
        self.private_notes = value

    @rx.event
    def set_follow_up(self, value: str):
        """The follow-up date (saved with "Save changes")."""
        self.follow_up = value

    @rx.event
    def set_scenario(self, value: str):
        """The scenario to practise (saved with "Save changes")."""
        self.scenario = value

    @rx.event
    def set_new_action(self, value: str):
        """The text of the action item being added."""
        self.new_action = value

    @rx.event
    def set_new_due(self, value: str):
        """The due date of the action item being added."""
        self.new_due = value

    @rx.event
    def save(self):
        """Save the notes, the follow-up date and the scenario (the coach)."""
        changes = {
            "shared_notes": self.shared_notes,
            "private_notes": self.private_notes,
            "follow_up": self.follow_up,
            "scenario": self.scenario,
        }
        return self._act(
            lambda s, a: coaching.update_session(s, a, self.session_key, changes), "Saved."
        )

    @rx.event
    def add_action(self):
        """Add the action item typed (the coach)."""
        text, due = self.new_action, self.new_due

        def change(session, actor):
            coaching.add_action(session, actor, self.session_key, text, due or None)

        result = self._act(change, "Action item added.")
        if self.error == "":
            self.new_action = self.new_due = ""
        return result

    @rx.event
    def toggle_action(self, action_id: int, done: bool):
        """Tick an action item done or not (the coach, or the agent for their own)."""
        return self._act(
            lambda s, a: coaching.set_action_done(s, a, action_id, done),
            "Action item done." if done else "Action item reopened.",
        )

    @rx.event
    def delete_action(self, action_id: int):
        """Remove an action item (the coach)."""
        return self._act(
            lambda s, a: coaching.delete_action(s, a, action_id), "Action item removed."
        )

    @rx.event
    def close(self):
        """Close the session (the coach)."""
        return self._act(
            lambda s, a: coaching.close_session(s, a, self.session_key), "The session is closed."
        )

    @rx.event
    def reopen(self):
        """Reopen the session (the coach)."""
        return self._act(
            lambda s, a: coaching.reopen_session(s, a, self.session_key), "The session is open."
        )


class CoachLinkState(AppState):
    """The review page's "Coach this agent" link: shown only when the service says the
    signed-in user coaches the conversation's agent."""

    coach_href: str = ""

    @rx.event
    def on_load(self):
        """Ask for the conversation the URL names (the review page's on_load)."""
        actor = self.actor()
        self.coach_href = ""
        if actor is None:
            return None
        try:
            with session_scope() as session:
                link = coaching.coach_link(session, actor, self.conversation_id)
        except Exception:  # noqa: BLE001 - no link is the safe answer
            return None
        if link is not None:
            self.coach_href = vm.new_session_href(link["agent"], link["conversation"])
        return None
