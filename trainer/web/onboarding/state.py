"""The onboarding pages' states: `/onboarding` (HR and admins: the cohorts and the form that
creates one; leads: their team's people on their paths; trainees and agents: their own paths)
and `/onboarding/<id>` (a cohort's funnel and member × step grid). The services decide who sees
what: a lead's cohort page holds only their team's members, and one with none of them is
"not found"."""

from __future__ import annotations

import reflex as rx

from trainer.access import Action, can
from trainer.access.policy import Scope, not_found, scope_of
from trainer.db.session import session_scope
from trainer.services import onboarding as onb
from trainer.web.onboarding import viewmodels as vm
from trainer.web.state import AppState, user_message


def _paths_by_id(paths: list[dict]) -> dict[str, dict]:
    return {p["id"]: p for p in paths}


class OnboardingState(AppState):
    """The cohorts, the people the actor follows, the actor's own paths, and (HR, admins) the
    form that creates a cohort."""

    cohorts: list[vm.CohortRow] = []
    my_paths: list[vm.PathCard] = []
    team_paths: list[vm.PathCard] = []
    can_manage: bool = False
    follows_team: bool = False
    path_ids: list[str] = []
    path_labels: dict[str, str] = {}
    path_choice: str = ""
    people: list[str] = []
    chosen: list[str] = []
    error: str = ""
    notice: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Load what the role sees (see the class)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error, self.loaded = "", False
        self.can_manage = can(actor, Action.MANAGE_ONBOARDING)
        self.follows_team = scope_of(actor, Action.ONBOARDING) is Scope.TEAM
        try:
            paths = onb.available_paths(actor)
            with session_scope() as session:
                cohorts = onb.list_cohorts(session, actor)
                mine = onb.my_progress(session, actor)
                team = onb.people_progress(session, actor) if self.follows_team else []
                people = onb.eligible_members(session, actor) if self.can_manage else []
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.cohorts, self.my_paths, self.team_paths = [], [], []
            self.error, self.loaded = user_message(exc), True
            return None
        by_id = _paths_by_id(paths)
        self.cohorts = vm.cohort_rows(cohorts)
        self.my_paths = vm.path_cards(mine, by_id)
        self.team_paths = vm.path_cards(team, by_id)
        self.path_ids = list(by_id)
        self.path_labels = {p["id"]: f"{p['title']} ({p['id']})" for p in paths}
        if self.path_choice not in by_id:
            self.path_choice = self.path_ids[0] if self.path_ids else ""
        self.people = people
        self.chosen = [n for n in self.chosen if n in people]
        self.loaded = True
        return None

    @rx.event
    def set_path_choice(self, path_id: str):
        """The path the new cohort follows."""
        self.path_choice = path_id

    @rx.event
    def toggle(self, name: str):
        """Enrol someone in the new cohort, or take them out again."""
        if name in self.chosen:
            self.chosen = [n for n in self.chosen if n != name]
        else:
            self.chosen = [*self.chosen, name]

    @rx.event
    def create_cohort(self, form: dict):
        """Create the cohort from the form (name, start, due) and the chosen path and people,
        then go to its page; errors are shown and nothing is stored."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = self.notice = ""
        try:
            with session_scope() as session:
                view = onb.create_cohort(
                    session,
                    actor,
                    str(form.get("name") or ""),
                    self.path_choice,
                    str(form.get("due") or "") or None,
                    list(self.chosen),
                    start_on=str(form.get("start") or "") or None,
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message, nothing stored
            self.error = user_message(exc)
            return None
        self.chosen = []
        return rx.redirect(vm.cohort_href(view["id"]))


class CohortState(AppState):
    """One cohort: its path, the funnel (chart and table) and who is where."""

    cohort_key: str = ""
    found: bool = False
    loaded: bool = False
    error: str = ""
    name: str = ""
    path_title: str = ""
    path_id: str = ""
    start_on: str = ""
    due_on: str = ""
    finished: int = 0
    member_count: int = 0
    steps: list[str] = []
    funnel: list[vm.FunnelRow] = []
    chart: list[dict] = []
    grid: list[vm.GridRow] = []

    @rx.event
    def on_load(self):
        """Load the cohort the URL names."""
        return self.load_cohort(self.cohort_id)

    @rx.event
    def load_cohort(self, cohort_id: str):
        """Load a cohort; one the user may see no member of reads as not found."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.cohort_key, self.found, self.loaded, self.error = str(cohort_id), False, False, ""
        key = self.cohort_key
        try:
            if not key.isdigit() or not 0 < int(key) < 2**31:
                raise not_found(f"cohort {key!r}")
            with session_scope() as session:
                view = onb.cohort_progress(session, actor, int(key))
        except Exception as exc:  # noqa: BLE001 - not found reads as such; others as a message
            self.funnel, self.chart, self.grid, self.steps = [], [], [], []
            self.error, self.loaded = user_message(exc), True
            return None
        self.name = view["name"]
        self.path_title, self.path_id = view["path"]["title"], view["path"]["id"]
        self.start_on = view["start_on"] or vm.MISSING
        self.due_on = view["due_on"] or vm.MISSING
        self.finished, self.member_count = int(view["finished"]), len(view["members"])
        self.steps = [s["title"] for s in view["path"]["steps"]]
        self.funnel = vm.funnel_rows(view["funnel"])
        self.chart = vm.funnel_chart(view["funnel"])
        self.grid = vm.grid_rows(view["members"])
        self.found = self.loaded = True
        return None
