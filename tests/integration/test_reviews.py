"""Human reviews beside automatic scores: saved as their own rows, validated, audited, final
score derived from the submitted review, and never touched by re-scoring."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import AuditEvent, Evaluation
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, NotFoundError, ReviewError
from trainer.services.reviews import save_review
from trainer.services.scoring import rescore, score_stored
from trainer.services.views import conversation_view, list_conversations

from ..conftest import POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()


@pytest.fixture
def chat(db_url):
    """Sam's scored poor chat; a reviewer, a second reviewer, a trainee and Sam."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Remy Reviewer", "reviewer")
        make_user(session, "Tina Trainee", "trainee", ["North"])
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="p-1", agent="Sam Lee")
        )
        score_stored(session, ["p-1"])
    return "p-1"


def _auto(session, external_id: str) -> dict:
    view = conversation_view(session, ADMIN, external_id)
    return {c["id"]: c for c in view["criteria"]}


def test_reviews_submitted_review_sets_the_final_score_and_rescoring_keeps_it(chat):
    with session_scope() as session:
        auto = _auto(session, chat)
        # the reviewer finds the agent did better than the detectors said on every criterion
        raised = {cid: c for cid, c in auto.items() if not c["na"] and c["value"] != 1.0}
        assert raised
        rita = actor_of(session, "Rita Reviewer")
        review = save_review(
            session,
            rita,
            chat,
            {cid: {"value": 1.0, "reason": "incorrect_score", "comment": "fine"} for cid in raised},
            comment="fair overall",
            submit=True,
        )
    assert review["status"] == "submitted" and review["comment"] == "fair overall"
    changed = {c["id"]: c["value"] for c in review["criteria"] if c["reason"]}
    assert changed == dict.fromkeys(raised, 1.0)
    assert review["score"] == 100.0
    with session_scope() as session:
        view = conversation_view(session, ADMIN, chat)
        automatic = view["score"]
        assert view["final_kind"] == "human" and view["final_score"] == review["score"]
        assert view["final_score"] != automatic  # the reviewer raised a criterion
        # re-scoring (all conversations, or this one) replaces the automatic result only
        rescore(session, ADMIN, [chat])
        score_stored(session, None)
    with session_scope() as session:
        view = conversation_view(session, ADMIN, chat)
        assert view["final_score"] == review["score"] and view["score"] == automatic
        assert [r["id"] for r in view["reviews"]] == [review["id"]]
        humans = session.scalar(select(func.count(Evaluation.id)).where(Evaluation.kind == "human"))
        assert humans == 1
        # the conversations list and scorecards read the final score
        row = next(r for r in list_conversations(session, ADMIN) if r["conversation"] == chat)
        assert row["score"] == review["score"] and row["kind"] == "human"


def test_reviews_draft_counts_for_nothing_and_is_private_until_submitted(chat):
    with session_scope() as session:
        auto = _auto(session, chat)
        first = next(iter(auto))
        save_review(
            session,
            actor_of(session, "Rita Reviewer"),
            chat,
            {first: {"value": 1.0, "reason": "incorrect_score"}},
        )
    with session_scope() as session:
        mine = conversation_view(session, actor_of(session, "Rita Reviewer"), chat)
        theirs = conversation_view(session, actor_of(session, "Remy Reviewer"), chat)
        agent = conversation_view(session, actor_of(session, "Sam Lee"), chat)
    assert [r["status"] for r in mine["reviews"]] == ["draft"]
    assert theirs["reviews"] == [] and agent["reviews"] == []
    assert mine["final_kind"] == "auto" and mine["final_score"] == mine["score"]
    with session_scope() as session:  # submitting the draft makes it final and visible
        save_review(session, actor_of(session, "Rita Reviewer"), chat, {}, submit=True)
        agent = conversation_view(session, actor_of(session, "Sam Lee"), chat)
    assert [r["status"] for r in agent["reviews"]] == ["submitted"]
    assert agent["final_kind"] == "human"


@pytest.mark.parametrize(
    ("judgement", "message"),
    [
        ({"value": 1.0}, "a changed score needs a reason"),
        ({"value": 1.0, "reason": "because"}, "a changed score needs a reason"),
        ({"value": 1.5, "reason": "incorrect_score"}, "outside 0..1"),
        ({"value": "lots", "reason": "incorrect_score"}, "is not a score"),
    ],
)
def test_reviews_bad_judgements_are_refused_and_store_nothing(chat, judgement, message):
    with session_scope() as session:
        auto = _auto(session, chat)
        first = next(cid for cid, c in auto.items() if c["value"] != 1.0 and not c["na"])
    with session_scope() as session, pytest.raises(ReviewError, match=message):
        save_review(session, actor_of(session, "Rita Reviewer"), chat, {first: judgement})
    with session_scope() as session, pytest.raises(ReviewError, match="no criterion"):
        save_review(session, actor_of(session, "Rita Reviewer"), chat, {"made-up": {"value": 1}})
    with session_scope() as session:
        assert not session.scalar(
            select(func.count(Evaluation.id)).where(Evaluation.kind == "human")
        )


def test_reviews_accepting_needs_no_reason_and_a_submitted_review_is_final(chat):
    with session_scope() as session:
        auto = _auto(session, chat)
        cid, same = next((cid, c["value"]) for cid, c in auto.items() if c["value"] is not None)
        rita = actor_of(session, "Rita Reviewer")
        save_review(session, rita, chat, {cid: {"value": same}}, submit=True)
    with session_scope() as session, pytest.raises(ReviewError, match="submitted already"):
        save_review(session, actor_of(session, "Rita Reviewer"), chat, {}, submit=True)


def test_reviews_who_may_review(chat):
    with session_scope() as session:
        make_user(session, "Other Agent", "agent", ["South"])
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="o-1", agent="Other Agent")
        )
        score_stored(session, ["o-1"])
        make_user(session, "Lara Lead", "lead", ["North"])
    with session_scope() as session, pytest.raises(NotFoundError):
        save_review(session, actor_of(session, "Tina Trainee"), chat, {})  # cannot see it
    with session_scope() as session, pytest.raises(ForbiddenError):
        save_review(session, actor_of(session, "Sam Lee"), chat, {})  # may see, not score own
    with session_scope() as session, pytest.raises(NotFoundError):
        save_review(session, actor_of(session, "Lara Lead"), "o-1", {})  # another team
    with session_scope() as session:
        view = save_review(session, actor_of(session, "Lara Lead"), chat, {}, submit=True)
    assert view["reviewer"] == "Lara Lead"


def test_reviews_each_save_and_submit_is_audited(chat):
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        save_review(session, rita, chat, {})
        save_review(session, rita, chat, {}, submit=True)
    with session_scope() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.startswith("review."))
            .order_by(AuditEvent.id)
        ).all()
    assert [(r.action, r.actor_name, r.object_id) for r in rows] == [
        ("review.save", "Rita Reviewer", chat),
        ("review.submit", "Rita Reviewer", chat),
    ]
    assert rows[1].before["status"] == "draft" and rows[1].after["status"] == "submitted"


def test_reviews_cli_submits_as_the_reviewer_and_show_json_has_the_review(chat):
    runner = CliRunner()
    with session_scope() as session:
        cid = next(cid for cid, c in _auto(session, chat).items() if c["value"] != 0.0)
    try:
        result = runner.invoke(
            app,
            [
                "--as",
                "Rita Reviewer",
                "review",
                "save",
                chat,
                "--set",
                f"{cid}=0:missing_evidence",
                "--comment",
                "see turn 3",
                "--submit",
            ],
        )
        assert result.exit_code == 0, result.output
        assert "submitted" in result.stdout
        bad = runner.invoke(app, ["--as", "Remy Reviewer", "review", "save", chat, "--set", "x"])
        assert bad.exit_code == 2 and "CRITERION=VALUE" in bad.output
        shown = runner.invoke(app, ["show", chat, "--format", "json"])
    finally:
        set_acting(None)
    import json

    view = json.loads(shown.stdout)
    assert view["final_kind"] == "human" and view["reviews"][0]["reviewer"] == "Rita Reviewer"
    changed = {c["id"]: c for c in view["reviews"][0]["criteria"] if c["reason"]}
    assert changed[cid]["value"] == 0.0 and changed[cid]["reason"] == "missing_evidence"
    assert set(view["final_sections"]) == set(view["sections"])


def test_reviews_deciding_an_unscored_criterion_needs_no_reason(chat):
    with session_scope() as session:
        auto = session.scalar(select(Evaluation).where(Evaluation.kind == "auto"))
        left = next(cs for cs in auto.criterion_scores if cs.status == "scored")
        left.status, left.value = "unscored", None  # "a reviewer should decide"
        changed = next(
            cs for cs in auto.criterion_scores if cs.status == "scored" and cs is not left
        )
        rita = actor_of(session, "Rita Reviewer")
        review = save_review(session, rita, chat, {left.criterion_id: {"value": 1.0}})
        decided = {c["id"]: c for c in review["criteria"]}[left.criterion_id]
        assert decided["value"] == 1.0 and decided["reason"] is None
        assert review["reviewer_id"] == rita.id
        # overriding a value the machine did give still needs a reason
        with pytest.raises(ReviewError, match="needs a reason"):
            save_review(session, rita, chat, {changed.criterion_id: {"value": 1.0 - changed.value}})
