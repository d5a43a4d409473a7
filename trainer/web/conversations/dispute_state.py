"""The answers to a submitted review on the review page (mixed into `ReviewState`): the agent
acknowledges it or disputes chosen criteria with a comment; a resolver (never the one who
scored it: the dispute service decides) accepts, partly accepts or rejects a dispute with a
reason and the new values. Every action goes through `trainer.services.disputes`."""

from __future__ import annotations

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.disputes import acknowledge_review, open_dispute, resolve_dispute
from trainer.web.conversations import review_history as rh
from trainer.web.state import user_message

OUTCOMES = ("accepted", "partly_accepted", "rejected")


class DisputeMixin(rx.State, mixin=True):
    """Acknowledging, disputing and resolving on the review page."""

    reviews: list[rh.ReviewCard] = []
    disputing: int = 0  # the review whose dispute form is open
    dispute_picks: list[str] = []
    dispute_comment: str = ""
    resolving: int = 0  # the dispute whose resolution form is open
    resolve_outcome: str = "accepted"
    resolve_reason: str = ""
    resolve_values: dict[str, str] = {}
    dispute_error: str = ""
    dispute_notice: str = ""

    def _reset_disputes(self) -> None:
        self.disputing, self.dispute_picks, self.dispute_comment = 0, [], ""
        self.resolving, self.resolve_outcome, self.resolve_reason = 0, "accepted", ""
        self.resolve_values = {}
        self.dispute_error = ""

    def _card(self, review_id: int) -> rh.ReviewCard | None:
        return next((r for r in self.reviews if r.id == review_id), None)

    def _dispute(self, dispute_id: int) -> rh.DisputeCard | None:
        for review in self.reviews:
            for dispute in review.disputes:
                if dispute.id == dispute_id:
                    return dispute
        return None

    def _act(self, action, notice: str):
        """Run a dispute service call, then show the page again with `notice` (or the
        service's refusal)."""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                action(session, actor)
        except Exception as exc:  # noqa: BLE001 - shown beside the reviews
            self.dispute_error = user_message(exc)
            self.dispute_notice = ""
            return None
        self._load(actor, self.external_id)
        self.dispute_notice = notice
        return None

    @rx.event
    def acknowledge(self, review_id: int):
        """The agent has read the review and accepts it."""
        return self._act(
            lambda session, actor: acknowledge_review(session, actor, int(review_id)),
            "Thank you: the review is acknowledged.",
        )

    @rx.event
    def start_dispute(self, review_id: int):
        """Open the dispute form of a review."""
        self._reset_disputes()
        self.disputing = int(review_id)
        self.dispute_notice = ""

    @rx.event
    def toggle_disputed(self, criterion_id: str, checked: bool):
        """Choose (or drop) a criterion to dispute."""
        picks = [c for c in self.dispute_picks if c != criterion_id]
        self.dispute_picks = [*picks, criterion_id] if checked else picks

    @rx.event
    def set_dispute_comment(self, text: str):
        """Why the agent disagrees."""
        self.dispute_comment = text

    @rx.event
    def cancel_dispute(self):
        """Close the dispute form without sending it."""
        self._reset_disputes()

    @rx.event
    def send_dispute(self):
        """Send the dispute of the chosen criteria with the comment."""
        review_id, picks, comment = self.disputing, list(self.dispute_picks), self.dispute_comment
        card = self._card(review_id)
        order = [row.id for row in card.rows] if card else picks
        picks = sorted(picks, key=lambda c: order.index(c) if c in order else len(order))
        return self._act(
            lambda session, actor: open_dispute(session, actor, review_id, picks, comment),
            "Your dispute is sent; a reviewer or your lead will answer it.",
        )

    @rx.event
    def start_resolve(self, dispute_id: int):
        """Open the resolution form of a dispute."""
        self._reset_disputes()
        self.resolving = int(dispute_id)
        self.dispute_notice = ""

    @rx.event
    def set_resolve_outcome(self, outcome: str):
        """Accepted, partly accepted or rejected."""
        if outcome in OUTCOMES:
            self.resolve_outcome = outcome

    @rx.event
    def set_resolve_reason(self, text: str):
        """The reason the agent will read."""
        self.resolve_reason = text

    @rx.event
    def pick_resolve_value(self, criterion_id: str, value: str):
        """The new value of an accepted criterion ("" keeps it as it is)."""
        current = self.resolve_values.get(criterion_id)
        chosen = "" if current == value else value  # picking it again takes it back
        self.resolve_values = {**self.resolve_values, criterion_id: chosen}

    @rx.event
    def cancel_resolve(self):
        """Close the resolution form."""
        self._reset_disputes()

    @rx.event
    def send_resolution(self):
        """Resolve the dispute with the outcome, the reason and the new values."""
        dispute = self._dispute(self.resolving)
        if dispute is None:
            self.dispute_error = "That dispute is no longer on this page: reload it."
            return None
        outcome, reason = self.resolve_outcome, self.resolve_reason
        values = rh.resolve_values(dispute, dict(self.resolve_values), outcome)
        label = rh.STATUS_LABELS.get(outcome, outcome).lower()
        return self._act(
            lambda session, actor: resolve_dispute(
                session, actor, dispute.id, outcome, reason, values
            ),
            f"The dispute is {label}.",
        )
