"""A conversation's review: the state behind `/conversations/<id>` (load, poll a call being
transcribed, select a criterion's evidence, play from a turn, swap speakers). The review form,
the disputes and transcript corrections are mixins beside it (review_form_state.py,
dispute_state.py, correction_state.py)."""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from trainer.access import Action, Actor, can
from trainer.db.session import session_scope
from trainer.errors import NotFoundError
from trainer.services.calls import swap_roles
from trainer.services.reviews import review_context
from trainer.services.views import (
    call_details,
    conversation_statuses,
    conversation_view,
)
from trainer.web import formatting as fmt
from trainer.web.components import transcript_model as tm
from trainer.web.conversations import call_viewmodels as callvm
from trainer.web.conversations import review_history as rh
from trainer.web.conversations import review_model as rm
from trainer.web.conversations import viewmodels as cvm
from trainer.web.conversations.correction_state import CorrectionMixin
from trainer.web.conversations.dispute_state import DisputeMixin
from trainer.web.conversations.review_form_state import ReviewFormMixin
from trainer.web.state import AppState, user_message

AUDIO_ID = "call-audio"
POLL_SECONDS = 2.0
POLL_LIMIT = 1800  # an hour of polling at most, then a reload resumes it


def seek_script(seconds: float, audio_id: str = AUDIO_ID) -> str:
    """JavaScript that moves the call's player to `seconds` and plays from there."""
    return (
        f"(() => {{ const a = document.getElementById({json.dumps(audio_id)}); if (!a) return; "
        f"a.currentTime = {max(0.0, float(seconds)):.2f}; "
        "const p = a.play(); if (p) p.catch(() => {}); })()"
    )


class ReviewState(ReviewFormMixin, DisputeMixin, CorrectionMixin, AppState):
    """One conversation's review. The service's dict stays on the backend (`_view`); what the
    signed-in user may not see does not exist for them ("not found")."""

    external_id: str = ""
    found: bool = False
    loaded: bool = False
    error: str = ""
    agent: str = ""
    customer: str = ""
    channel: str = ""
    date: str = ""
    status: str = ""
    status_reason: str = ""
    rubric: str = ""
    score: fmt.ScoreCell = fmt.ScoreCell()
    sections: list[fmt.ScoreCell] = []
    groups: list[cvm.SectionGroup] = []
    turns: list[tm.TurnView] = []
    selected: str = ""
    selected_title: str = ""
    highlighted: list[str] = []
    is_call: bool = False
    progress: fmt.StatusView = fmt.StatusView()
    call: callvm.CallView = callvm.CallView()
    audio_src: str = ""
    swapping: bool = False
    can_swap: bool = False
    final_score: fmt.ScoreCell = fmt.ScoreCell()
    final_label: str = ""
    human_final: bool = False
    overall_note: str = ""  # why the automatic overall score is 0 (an evaluation auto-fail)
    final_note: str = ""  # the same for the final (human) score
    _view: dict = {}
    _checks: dict = {}
    _polling: bool = False

    @rx.event
    def on_load(self):
        """Load the conversation the URL names."""
        return self.load_conversation(self.conversation_id)

    @rx.event
    def load_conversation(self, external_id: str):
        """Load a conversation's review; an unknown id (or one not the user's to see) leaves
        `found` false with a message.

        A call still queued or being transcribed starts polling its status."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        self._load(actor, external_id)
        if self.progress.pending:
            return ReviewState.poll_status
        return None

    def _load(self, actor: Actor, external_id: str) -> None:
        self.external_id, self.found, self.loaded, self.error = external_id, False, False, ""
        self._view, self.groups, self.turns, self.sections = {}, [], [], []
        self.selected, self.selected_title, self.highlighted = "", "", []
        self.is_call, self.call, self.audio_src = False, callvm.CallView(), ""
        self.progress = fmt.StatusView()
        self.can_swap = can(actor, Action.CORRECT_TRANSCRIPT)
        self.can_review = self.can_correct = False
        self.reviews, self.turn_notes, self.form_error, self.form_notice = [], [], "", ""
        self.dispute_notice, self.editing = "", -1
        self._reset_disputes()
        try:
            with session_scope() as session:
                view = conversation_view(session, actor, external_id)
                details = call_details(session, actor, external_id)
                context = review_context(session, actor, external_id)
            definition, reviewable = context["rubric"], context["can_review"]
            self.can_correct = context["can_correct"]
        except NotFoundError:
            self.loaded = True
            return
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error, self.loaded = user_message(exc), True
            return
        self._view = view
        self.found = self.loaded = True
        self.agent = view.get("agent") or fmt.MISSING
        self.customer = view.get("customer") or fmt.MISSING
        self.channel = view.get("channel") or fmt.MISSING
        self.date = fmt.format_date(view.get("started_at"))
        self.status = view.get("status") or ""
        self.status_reason = view.get("status_reason") or ""
        self.rubric = view.get("rubric") or ""
        self.score = fmt.score_cell(view.get("score"), "score", "Overall")
        info = rm.rubric_info(definition)
        final, final_values = rm.final_values(view)
        self.groups = cvm.section_groups(view, info, final_values)
        self.sections = [g.score for g in self.groups]
        self._show_final(view, info, final)
        titles = {c["id"]: c.get("title") or c["id"] for c in view.get("criteria") or []}
        self.reviews = rh.review_cards(view, info, titles)
        self.turn_notes = rm.turn_notes(view)
        self._fill_form(view, actor, reviewable)
        self._checks = dict((details or {}).get("speaker_checks") or {})
        self.turns = tm.turn_views(view, checks=self._checks)
        self.progress = fmt.status_view(
            self.status,
            (details or {}).get("progress"),
            (details or {}).get("stage"),
            self.status_reason,
        )
        if details is not None:
            self.is_call = True
            self.call = callvm.call_view(details)
            self.audio_src = callvm.audio_path(external_id) if self.call.has_audio else ""

    def _show_final(self, view: dict, info: dict, final: dict | None) -> None:
        """The final score beside the automatic one, and why either is 0 by an auto-fail."""
        automatic = {c["id"]: None if c.get("na") else c.get("value") for c in view["criteria"]}
        _, self.overall_note = rm.auto_fail_notes(info, automatic)
        self.final_score = fmt.score_cell(view.get("final_score"), "final", "Final")
        self.human_final = final is not None
        self.final_note = ""
        if final is None:
            self.final_label = "Automatic (no submitted review yet)"
            return
        self.final_label = f"Human review by {final.get('reviewer') or fmt.MISSING}"
        values = {
            c["id"]: None if c.get("na") else c.get("value") for c in final.get("criteria") or []
        }
        _, self.final_note = rm.auto_fail_notes(info, values)

    def _poll_once(self) -> bool:
        """Re-read the status of the call on the page; True while it is still pending. When it
        is done (or failed) the whole review is loaded again. Stops when the user signed out."""
        actor = self.actor()
        if actor is None:
            return False
        try:
            with session_scope() as session:
                found = conversation_statuses(session, actor, [self.external_id]).get(
                    self.external_id
                )
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.error = user_message(exc)
            return False
        if found and found["status"] in fmt.PENDING:
            self.status = found["status"]
            self.progress = fmt.status_view(
                found["status"], found["progress"], found["stage"], found["reason"]
            )
            return True
        self._load(actor, self.external_id)
        return False

    @rx.event(background=True)
    async def poll_status(self):
        """Every two seconds, while the call on the page is queued or processing, refresh its
        progress; load the transcript and scores once it is done."""
        async with self:
            if self._polling:
                return
            self._polling = True
            external_id = self.external_id
        try:
            for _ in range(POLL_LIMIT):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    if self.external_id != external_id or not self.progress.pending:
                        return
                    if not self._poll_once():
                        return
        finally:
            async with self:
                self._polling = False

    @rx.event
    def seek_turn(self, index: int):
        """Play the call's recording from the start of turn `index` (nothing for a chat)."""
        if not (self.is_call and self.call.has_audio) or not 0 <= index < len(self.turns):
            return None
        turn = self.turns[index]
        return rx.call_script(seek_script(turn.start)) if turn.seekable else None

    @rx.event
    def seek(self, seconds: float):
        """Play the call's recording from `seconds` (a dead-air gap or hold)."""
        if not (self.is_call and self.call.has_audio):
            return None
        return rx.call_script(seek_script(seconds))

    @rx.event
    def swap_speakers(self):
        """Swap agent and customer on this call (a wrong mono attribution), re-measure and
        re-score it, and show the result."""
        if not self.is_call or self.progress.pending or self.swapping:
            return
        actor = self.actor()
        if actor is None:
            yield self.to_login()
            return
        self.swapping = True
        yield
        try:
            swap_roles(actor, self.external_id)
        except Exception as exc:  # noqa: BLE001 - shown as a message
            self.swapping = False
            self.error = user_message(exc)
            return
        self._load(actor, self.external_id)
        self.swapping = False

    @rx.event
    def select_criterion(self, criterion_id: str):
        """Mark a criterion's evidence in the transcript (selecting it again clears the marks)."""
        if criterion_id == self.selected or not self._view:
            return self.clear_selection()
        criterion = next((c for c in self._view["criteria"] if c["id"] == criterion_id), None)
        if criterion is None:
            return self.clear_selection()
        self.selected, self.selected_title = criterion_id, criterion.get("title") or criterion_id
        self.current = criterion_id  # the keyboard scores the criterion looked at
        self.turns = tm.turn_views(self._view, criterion_id, self._checks)
        self.highlighted = tm.evidence_quotes(self._view, criterion_id)
        first = next((t.index for t in self.turns if t.highlighted), None)
        if first is None:
            return None
        return rx.call_script(
            f"document.getElementById({json.dumps(f'turn-{first}')})"
            "?.scrollIntoView({behavior: 'smooth', block: 'nearest'})"
        )

    @rx.event
    def clear_selection(self):
        """Remove the evidence marks."""
        self.selected, self.selected_title, self.highlighted = "", "", []
        self.turns = tm.turn_views(self._view, checks=self._checks)
