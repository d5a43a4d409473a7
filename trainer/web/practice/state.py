"""The practice library's state: the scenarios with the signed-in user's results on them, their
finished attempts and their per-skill progress (always their own)."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import roleplay as rp
from trainer.web.practice import viewmodels as pvm
from trainer.web.state import AppState, user_message


class PracticeState(AppState):
    """The library, the signed-in user's history and their per-skill progress chart."""

    cards: list[pvm.ScenarioCard] = []
    history: list[pvm.AttemptRow] = []
    chart: list[dict] = []
    skill_lines: list[pvm.SkillLine] = []
    attempts: int = 0
    passed_attempts: int = 0
    scenarios_passed: int = 0
    error: str = ""
    loaded: bool = False

    @rx.event
    def on_load(self):
        """Load the scenarios and the user's own attempts and progress."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self.error = ""
        self.history, self.chart, self.skill_lines = [], [], []
        self.attempts = self.passed_attempts = self.scenarios_passed = 0
        try:
            library = rp.scenario_library()
            with session_scope() as session:
                attempts = rp.list_attempts(session, actor)
                progress = rp.trainee_progress(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error, self.cards, self.loaded = user_message(exc), [], True
            return None
        self.cards = pvm.scenario_cards(library, progress)
        titles = {card["id"]: card["title"] for card in library}
        self.history = pvm.attempt_rows(attempts, titles)
        self.chart, self.skill_lines = pvm.progress_chart(attempts, progress)
        self.attempts = int(progress.get("attempts", 0))
        self.passed_attempts = int(progress.get("passed_attempts", 0))
        self.scenarios_passed = len(progress.get("scenarios_passed", []))
        self.loaded = True
        return None
