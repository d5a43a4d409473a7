"""The review form's part of `ReviewState`: pick a scale level or N/A per criterion, a reason
when it differs from the automatic value, comments, keyboard navigation between criteria, and
saving a draft or submitting through `save_review` (which decides who may review)."""

from __future__ import annotations

import json

import reflex as rx

from trainer.access import Actor
from trainer.db.session import session_scope
from trainer.services.reviews import save_review
from trainer.web.conversations import review_model as rm
from trainer.web.state import user_message

# Keys a reviewer scores with, handled in the browser: digits pick the current criterion's
# level, 0 or n its N/A, j/k (or the arrows) move between criteria. Typing in a field, a menu
# or a dialog is left alone. The buttons the keys press carry `data-shortcut`; the current
# criterion's card is `data-current="true"`.
KEYS_SCRIPT = """(() => {
  if (window.__trainerReviewKeys) return;
  window.__trainerReviewKeys = true;
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) ||
        (t.closest && t.closest('[role=dialog],[role=listbox],[role=menu]')))) return;
    if (!document.getElementById('review-form')) return;
    const nav = {j: 'review-next', ArrowDown: 'review-next', k: 'review-prev',
                 ArrowUp: 'review-prev'}[e.key];
    if (nav) {
      const b = document.querySelector('[data-testid="' + nav + '"]');
      if (b) { e.preventDefault(); b.click(); }
      return;
    }
    const card = document.querySelector('[data-current="true"]');
    if (!card) return;
    const key = (e.key === '0' || e.key === 'n' || e.key === 'N') ? 'na' : e.key;
    const button = card.querySelector('[data-shortcut="' + key + '"]');
    if (button) { e.preventDefault(); button.click(); }
  });
})()"""


def scroll_to_criterion(criterion_id: str) -> str:
    """JavaScript bringing a criterion's card into view."""
    return (
        f"document.getElementById({json.dumps(f'criterion-{criterion_id}')})"
        "?.scrollIntoView({behavior: 'smooth', block: 'nearest'})"
    )


class ReviewFormMixin(rx.State, mixin=True):
    """The scoring form of the review page (mixed into `ReviewState`)."""

    can_review: bool = False
    my_status: str = ""  # the actor's own review: "", "draft" or "submitted"
    my_score: str = ""
    choices: dict[str, str] = {}
    reasons: dict[str, str] = {}
    comments: dict[str, str] = {}
    changed: dict[str, bool] = {}
    field_errors: dict[str, str] = {}
    review_comment: str = ""
    current: str = ""
    commenting: str = ""  # the criterion whose comment box was opened
    form_error: str = ""
    form_notice: str = ""
    saving: bool = False
    _automatic: dict[str, str] = {}
    _order: list[str] = []

    def _fill_form(self, view: dict, actor: Actor, reviewable: bool) -> None:
        """Set the form from the conversation's view: the actor's draft, if any, loaded back."""
        self._automatic = {c["id"]: rm.automatic_choice(c) for c in view.get("criteria") or []}
        self._order = list(self._automatic)
        mine = [
            r
            for r in view.get("reviews") or []
            if r.get("status") == "draft" or r.get("reviewer") == actor.name
        ]
        draft = next((r for r in mine if r.get("status") == "draft"), None)
        submitted = next((r for r in mine if r.get("status") == "submitted"), None)
        self.my_status = "submitted" if submitted else ("draft" if draft else "")
        self.my_score = (
            f"{submitted['score']:.0f}" if submitted and submitted.get("score") is not None else ""
        )
        form = rm.draft_form(view, draft)
        self.choices, self.reasons, self.comments = form.choices, form.reasons, form.comments
        self.review_comment = form.comment
        self.changed = {
            cid: rm.is_changed(choice, self._automatic[cid]) for cid, choice in form.choices.items()
        }
        self.field_errors = {}
        self.can_review = reviewable and bool(self._order) and self.my_status != "submitted"
        if self.current not in self._automatic:
            self.current = self._order[0] if self._order else ""

    @rx.event
    def pick(self, criterion_id: str, value: str):
        """Set a criterion's value ("0".."1" or "na"); it becomes the current criterion."""
        if not self.can_review or criterion_id not in self._automatic:
            return
        self.choices = {**self.choices, criterion_id: value}
        changed = rm.is_changed(value, self._automatic[criterion_id])
        self.changed = {**self.changed, criterion_id: changed}
        if not changed and criterion_id in self.field_errors:
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != criterion_id}
        self.current = criterion_id
        self.form_notice = ""

    @rx.event
    def accept_automatic(self, criterion_id: str):
        """Go back to the machine's value for a criterion."""
        if criterion_id in self._automatic:
            self.choices = {**self.choices, criterion_id: ""}
            self.changed = {**self.changed, criterion_id: False}
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != criterion_id}

    @rx.event
    def set_reason(self, criterion_id: str, reason: str):
        """Why the value differs from the automatic one (a code of `save_review`'s REASONS)."""
        if criterion_id in self._automatic:
            self.reasons = {**self.reasons, criterion_id: reason}
            if reason and criterion_id in self.field_errors:
                self.field_errors = {
                    k: v for k, v in self.field_errors.items() if k != criterion_id
                }

    @rx.event
    def set_criterion_comment(self, criterion_id: str, text: str):
        """A criterion's comment."""
        if criterion_id in self._automatic:
            self.comments = {**self.comments, criterion_id: text}

    @rx.event
    def open_comment(self, criterion_id: str):
        """Show a criterion's comment box."""
        if criterion_id in self._automatic:
            self.commenting = criterion_id
            self.current = criterion_id

    @rx.event
    def set_review_comment(self, text: str):
        """The review's overall comment."""
        self.review_comment = text

    @rx.event
    def focus_criterion(self, criterion_id: str):
        """Make a criterion the one the keyboard scores."""
        if criterion_id in self._automatic:
            self.current = criterion_id

    def _step(self, offset: int):
        if not self._order:
            return None
        index = self._order.index(self.current) if self.current in self._order else -1
        self.current = self._order[max(0, min(len(self._order) - 1, index + offset))]
        return rx.call_script(scroll_to_criterion(self.current))

    @rx.event
    def next_criterion(self):
        """The keyboard moves to the next criterion (j, arrow down)."""
        return self._step(1)

    @rx.event
    def previous_criterion(self):
        """The keyboard moves to the previous criterion (k, arrow up)."""
        return self._step(-1)

    @rx.event
    def save_draft(self):
        """Save the form as a draft (it loads back next time)."""
        return self._save(submit=False)

    @rx.event
    def submit_review(self):
        """Submit the review: it becomes the conversation's final score, visible to the agent."""
        return self._save(submit=True)

    def _save(self, *, submit: bool):
        actor = self.actor()
        if actor is None:
            return self.to_login()
        form = rm.FormValues(
            dict(self.choices), dict(self.reasons), dict(self.comments), self.review_comment
        )
        judgements, problems = rm.judgements(self._view, form)
        self.form_notice = ""
        if problems:
            self.field_errors = problems
            self.form_error = "Fix the marked criteria: " + ", ".join(
                self._title(cid) for cid in problems
            )
            self.current = next(iter(problems))
            return rx.call_script(scroll_to_criterion(self.current))
        self.saving = True
        try:
            with session_scope() as session:
                saved = save_review(
                    session,
                    actor,
                    self.external_id,
                    judgements,
                    comment=self.review_comment,
                    submit=submit,
                )
        except Exception as exc:  # noqa: BLE001 - shown beside the form, never a traceback
            self.saving = False
            self.form_error = user_message(exc)
            where = getattr(exc, "where", None)
            if where in self._automatic:
                self.field_errors = {where: getattr(exc, "message", str(exc))}
                self.current = where
            return None
        self._load(actor, self.external_id)
        self.saving = False
        score = saved.get("score")
        shown = "—" if score is None else f"{score:.0f}"
        self.form_notice = (
            f"Review submitted: the final score is now {shown}."
            if submit
            else f"Draft saved (score {shown}). It is here when you come back."
        )
        return None

    def _title(self, criterion_id: str) -> str:
        for criterion in self._view.get("criteria") or []:
            if criterion["id"] == criterion_id:
                return criterion.get("title") or criterion_id
        return criterion_id
