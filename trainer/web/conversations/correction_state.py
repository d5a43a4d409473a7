"""Correcting a transcript turn on the review page (mixed into `ReviewState`): its text or its
speaker, through `correct_turn`, which keeps the original, audits the change and re-scores the
conversation."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.corrections import SPEAKERS, correct_turn
from trainer.web.conversations import review_model as rm
from trainer.web.state import user_message


class CorrectionMixin(rx.State, mixin=True):
    """The turn editor of the review page."""

    can_correct: bool = False
    turn_notes: list[rm.TurnNote] = []
    editing: int = -1  # the turn being corrected
    edit_text: str = ""
    edit_speaker: str = ""
    edit_error: str = ""
    correcting: bool = False

    @rx.event
    def start_edit(self, index: int):
        """Open the editor on a turn, filled with its text and speaker."""
        turns = self._view.get("turns") or []
        if not self.can_correct or not 0 <= int(index) < len(turns):
            return
        turn = turns[int(index)]
        self.editing, self.edit_text, self.edit_speaker = int(index), turn["text"], turn["speaker"]
        self.edit_error = ""

    @rx.event
    def set_edit_text(self, text: str):
        """The corrected words."""
        self.edit_text = text

    @rx.event
    def set_edit_speaker(self, speaker: str):
        """The corrected speaker."""
        if speaker in SPEAKERS:
            self.edit_speaker = speaker

    @rx.event
    def cancel_edit(self):
        """Close the editor, changing nothing."""
        self.editing, self.edit_text, self.edit_speaker, self.edit_error = -1, "", "", ""

    @rx.event
    def save_edit(self):
        """Store the correction (only what changed) and show the re-scored conversation."""
        turns = self._view.get("turns") or []
        index = self.editing
        if not 0 <= index < len(turns):
            return None
        actor = self.actor()
        if actor is None:
            return self.to_login()
        turn = turns[index]
        text = self.edit_text if self.edit_text.strip() != turn["text"] else None
        speaker = self.edit_speaker if self.edit_speaker != turn["speaker"] else None
        if text is None and speaker is None:
            return self.cancel_edit()
        self.correcting = True
        try:
            with session_scope() as session:
                correct_turn(session, actor, self.external_id, index, text=text, speaker=speaker)
        except Exception as exc:  # noqa: BLE001 - shown in the editor
            self.correcting = False
            self.edit_error = user_message(exc)
            return None
        self._load(actor, self.external_id)
        self.correcting = False
        self.cancel_edit()
        return None
