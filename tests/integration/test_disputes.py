"""Agents answer submitted reviews: acknowledge, dispute within the window, and a different
reviewer (or a lead) resolves; an accepted dispute changes the final score; flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from trainer.access import Actor
from trainer.db.models import AuditEvent, ConversationRecord
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, NotFoundError, ReviewError
from trainer.services.disputes import (
    acknowledge_review,
    disputes_inbox,
    flag_for_review,
    my_disputes,
    open_dispute,
    resolve_dispute,
)
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view

from ..conftest import POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()


@pytest.fixture
def reviewed(db_url):
    """Sam's poor chat, reviewed and submitted by Rita with two criteria lowered to 0."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Pat Other", "agent", ["South"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Remy Reviewer", "reviewer")
        make_user(session, "Lou Lead", "lead", ["North"])
        make_user(session, "Sol Lead", "lead", ["South"])
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="p-1", agent="Sam Lee")
        )
        score_stored(session, ["p-1"])
    with session_scope() as session:
        view = conversation_view(session, ADMIN, "p-1")
        scored = [c for c in view["criteria"] if not c["na"]]
        lowered = [c["id"] for c in scored if c["value"] != 0.0][:2]
        assert len(lowered) == 2
        review = save_review(
            session,
            actor_of(session, "Rita Reviewer"),
            "p-1",
            {cid: {"value": 0.0, "reason": "incorrect_score"} for cid in lowered},
            submit=True,
        )
    return {"review": review["id"], "lowered": lowered, "score": review["score"]}


def _final(session, external_id="p-1") -> float:
    return conversation_view(session, ADMIN, external_id)["final_score"]


def test_disputes_agent_disputes_another_reviewer_accepts_and_the_final_score_changes(reviewed):
    criterion = reviewed["lowered"][0]
    with session_scope() as session:
        sam = actor_of(session, "Sam Lee")
        own = conversation_view(session, sam, "p-1")["reviews"][0]
        assert own["can_respond"] and own["respond_until"] and not own["can_resolve"]
        dispute = open_dispute(session, sam, reviewed["review"], [criterion], "I did apologise")
        assert dispute["status"] == "open" and dispute["criteria"] == [criterion]
        assert dispute["reviewer"] == "Rita Reviewer"
    with session_scope() as session:
        rita, remy = actor_of(session, "Rita Reviewer"), actor_of(session, "Remy Reviewer")
        assert disputes_inbox(session, rita) == []  # never to the one who scored
        assert [d["id"] for d in disputes_inbox(session, remy)] == [dispute["id"]]
        with pytest.raises(ForbiddenError):
            resolve_dispute(session, rita, dispute["id"], "rejected", "I stand by it")
        assert conversation_view(session, remy, "p-1")["reviews"][0]["can_resolve"]
    with session_scope() as session:
        remy = actor_of(session, "Remy Reviewer")
        done = resolve_dispute(
            session, remy, dispute["id"], "accepted", "the apology is there", {criterion: 1.0}
        )
        assert done["status"] == "accepted" and done["resolver"] == "Remy Reviewer"
        assert done["changes"] == {criterion: {"from": 0.0, "to": 1.0}}
    with session_scope() as session:
        assert _final(session) > reviewed["score"]
        sam = actor_of(session, "Sam Lee")
        history = conversation_view(session, sam, "p-1")["reviews"][0]["disputes"]
        assert [d["status"] for d in history] == ["accepted"]
        assert history[0]["resolution"] == "the apology is there"
        assert my_disputes(session, sam)[0]["id"] == dispute["id"]
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-3:] == ["review.submit", "dispute.open", "dispute.resolve"]


def test_disputes_rejected_or_partly_accepted_and_their_value_rules(reviewed):
    first, second = reviewed["lowered"]
    with session_scope() as session:
        sam = actor_of(session, "Sam Lee")
        dispute = open_dispute(session, sam, reviewed["review"], [first, second], "both wrong")
        with pytest.raises(ReviewError, match="has a dispute waiting"):
            open_dispute(session, sam, reviewed["review"], [first], "again")
    with session_scope() as session:
        lead = actor_of(session, "Lou Lead")
        for outcome, values, message in [
            ("accepted", {first: 1.0}, f"give the new value of {second}"),
            ("rejected", {first: 1.0}, "changes no score"),
            ("partly_accepted", {}, "give the new value"),
            ("partly_accepted", {"nope": 1.0}, "was not disputed"),
            ("partly_accepted", {first: 2}, "outside 0..1"),
            ("maybe", {}, "unknown outcome"),
        ]:
            with pytest.raises(ReviewError, match=message):
                resolve_dispute(session, lead, dispute["id"], outcome, "why", values)
        with pytest.raises(ReviewError, match="reason"):
            resolve_dispute(session, lead, dispute["id"], "rejected", "  ")
        done = resolve_dispute(
            session, lead, dispute["id"], "partly_accepted", "one of two", {first: 0.5}
        )
        assert set(done["changes"]) == {first}
    with session_scope() as session:
        lead = actor_of(session, "Lou Lead")
        with pytest.raises(ReviewError, match="partly accepted already"):
            resolve_dispute(session, lead, dispute["id"], "rejected", "late")
        # a new dispute may follow an answered one
        again = open_dispute(
            session, actor_of(session, "Sam Lee"), reviewed["review"], [second], "still"
        )
        resolve_dispute(session, lead, again["id"], "rejected", "the transcript shows no fix")
        assert _final(session) == pytest.approx(
            conversation_view(session, ADMIN, "p-1")["reviews"][0]["score"]
        )


def test_disputes_only_the_agent_within_the_window_and_only_their_own(reviewed, monkeypatch):
    review_id, criterion = reviewed["review"], reviewed["lowered"][0]
    with session_scope() as session:
        for name, error in [
            ("Pat Other", NotFoundError),  # not their conversation: it does not exist for them
            ("Rita Reviewer", ForbiddenError),
            ("Lou Lead", ForbiddenError),
        ]:
            with pytest.raises(error):
                open_dispute(session, actor_of(session, name), review_id, [criterion], "x")
        sam = actor_of(session, "Sam Lee")
        with pytest.raises(ReviewError, match="no criterion"):
            open_dispute(session, sam, review_id, ["nope"], "x")
        with pytest.raises(ReviewError, match="choose the criteria"):
            open_dispute(session, sam, review_id, [], "x")
        with pytest.raises(ReviewError, match="comment"):
            open_dispute(session, sam, review_id, [criterion], " ")
        with pytest.raises(NotFoundError):
            open_dispute(session, sam, 99999, [criterion], "x")
        late = datetime.now(UTC) + timedelta(days=15)
        with pytest.raises(ReviewError, match="time to dispute this review ended"):
            open_dispute(session, sam, review_id, [criterion], "x", now=late)
        monkeypatch.setenv("TRAINER_DISPUTE_WINDOW_DAYS", "30")
        assert open_dispute(session, sam, review_id, [criterion], "x", now=late)["id"]


def test_disputes_a_lead_of_another_team_cannot_resolve(reviewed):
    with session_scope() as session:
        dispute = open_dispute(
            session, actor_of(session, "Sam Lee"), reviewed["review"], reviewed["lowered"], "x"
        )
    with session_scope() as session:
        other = actor_of(session, "Sol Lead")
        assert disputes_inbox(session, other) == []
        with pytest.raises(NotFoundError):
            resolve_dispute(session, other, dispute["id"], "rejected", "no")


def test_disputes_acknowledge_is_recorded_once_and_audited(reviewed):
    with session_scope() as session:
        sam = actor_of(session, "Sam Lee")
        first = acknowledge_review(session, sam, reviewed["review"])
        again = acknowledge_review(session, sam, reviewed["review"])
        assert first == again and first["acknowledged_at"]
        with pytest.raises(ForbiddenError):
            acknowledge_review(session, actor_of(session, "Rita Reviewer"), reviewed["review"])
        view = conversation_view(session, sam, "p-1")["reviews"][0]
        assert view["acknowledged_at"] == first["acknowledged_at"]
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("review.acknowledge") == 1


def test_disputes_agent_flags_their_own_conversation(reviewed):
    with session_scope() as session:
        assert flag_for_review(session, actor_of(session, "Sam Lee"), "p-1")["flagged"]
        with pytest.raises(NotFoundError):
            flag_for_review(session, actor_of(session, "Pat Other"), "p-1")
    with session_scope() as session:
        record = session.scalar(select(ConversationRecord))
        assert record.flagged_at is not None
        flag_for_review(session, actor_of(session, "Sam Lee"), "p-1", flagged=False)
        assert record.flagged_at is None
        actions = session.scalars(select(AuditEvent.action)).all()
        assert "conversation.flag" in actions and "conversation.unflag" in actions
