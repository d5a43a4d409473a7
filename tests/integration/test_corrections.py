"""A reviewer corrects a transcript turn: the original is kept, the change is audited, the
conversation is re-scored, and human reviews are untouched; the CLI of disputes and corrections."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import ForbiddenError, NotFoundError, ReviewError
from trainer.services.corrections import correct_turn
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view

from ..conftest import POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
APOLOGY = "I'm so sorry about this, I completely understand how frustrating that is."


@pytest.fixture
def chat(db_url):
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Remy Reviewer", "reviewer")
        make_user(session, "Lou Lead", "lead", ["South"])
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="p-1", agent="Sam Lee")
        )
        score_stored(session, ["p-1"])
    return "p-1"


def _agent_turn(view: dict) -> int:
    """The agent's answer to the customer's complaint ("Calm down. ...")."""
    return next(i for i, t in enumerate(view["turns"]) if t["text"].startswith("Calm down"))


def test_corrections_keep_the_original_rescore_and_leave_reviews_alone(chat):
    with session_scope() as session:
        before = conversation_view(session, ADMIN, chat)
        position = _agent_turn(before)
        original = before["turns"][position]["text"]
        rita = actor_of(session, "Rita Reviewer")
        review = save_review(session, rita, chat, {}, submit=True)
        done = correct_turn(session, rita, chat, position, text=APOLOGY)
        assert done["original_text"] == original and done["text"] == APOLOGY
        # a second correction keeps the very first version
        correct_turn(session, rita, chat, position, text=APOLOGY + " Truly.")
    with session_scope() as session:
        after = conversation_view(session, ADMIN, chat)
        turn = after["turns"][position]
        assert turn["text"].endswith("Truly.") and turn["original_text"] == original
        assert turn["original_speaker"] == "agent"
        # the machine re-scored the corrected words: the apology is now evidence
        empathy_before = {c["id"]: c["value"] for c in before["criteria"]}
        empathy_after = {c["id"]: c["value"] for c in after["criteria"]}
        assert empathy_after != empathy_before
        assert after["score"] >= before["score"]
        # the submitted review stays exactly as it was
        assert after["reviews"][0]["score"] == review["score"]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "transcript.correct")
        ).all()
        assert len(events) == 2 and events[0].before["text"] == original


def test_corrections_speaker_fix_and_bad_input(chat):
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        done = correct_turn(session, rita, chat, 1, speaker="agent")
        assert done["speaker"] == "agent" and done["original_speaker"] == "customer"
        for kwargs, message in [
            ({"position": 99, "text": "x"}, "no such turn"),
            ({"position": 0}, "nothing to correct"),
            ({"position": 0, "text": "   "}, "cannot be empty"),
            ({"position": 0, "speaker": "robot"}, "unknown speaker"),
        ]:
            position = kwargs.pop("position")
            with pytest.raises(ReviewError, match=message):
                correct_turn(session, rita, chat, position, **kwargs)
        with pytest.raises(ForbiddenError):
            correct_turn(session, actor_of(session, "Sam Lee"), chat, 0, text="mine")
        with pytest.raises(NotFoundError):  # a lead of another team does not see it
            correct_turn(session, actor_of(session, "Lou Lead"), chat, 0, text="x")


def test_corrections_and_disputes_from_the_command_line(chat):
    runner = CliRunner()

    def run(who: str, *args: str):
        return runner.invoke(app, ["--as", who, *args])

    fixed = run("Rita Reviewer", "transcript", "correct", chat, "--turn", "2", "--text", APOLOGY)
    assert fixed.exit_code == 0, fixed.output
    assert "new score" in fixed.output
    with session_scope() as session:
        view = conversation_view(session, ADMIN, chat)
        criterion = next(c["id"] for c in view["criteria"] if c["value"] not in (None, 0.0))
    saved = run(
        "Rita Reviewer",
        "review",
        "save",
        chat,
        "--set",
        f"{criterion}=0:incorrect_score",
        "--submit",
    )
    assert saved.exit_code == 0, saved.output
    with session_scope() as session:
        review_id = conversation_view(session, ADMIN, chat)["reviews"][0]["id"]
    opened = run(
        "Sam Lee", "dispute", "open", str(review_id), "-c", criterion, "--comment", "I did it"
    )
    assert opened.exit_code == 0, opened.output
    mine = run("Sam Lee", "dispute", "list", "--mine", "--format", "json")
    dispute_id = json.loads(mine.stdout)[0]["id"]
    refused = run("Sam Lee", "dispute", "acknowledge", "99999")
    assert refused.exit_code == 2 and "no review 99999" in refused.output
    # the scorer does not see it among the disputes to resolve; another reviewer does
    assert "no disputes" in run("Rita Reviewer", "dispute", "list").output
    listed = run("Remy Reviewer", "dispute", "list")
    assert str(dispute_id) in listed.output and criterion in listed.output
    resolved = run(
        "Remy Reviewer",
        "dispute",
        "resolve",
        str(dispute_id),
        "--outcome",
        "accepted",
        "--reason",
        "agreed",
        "--set",
        f"{criterion}=1",
    )
    assert resolved.exit_code == 0, resolved.output
    assert '"to": 1.0' in resolved.output
    bad = run(
        "Remy Reviewer",
        "dispute",
        "resolve",
        str(dispute_id),
        "--outcome",
        "rejected",
        "--reason",
        "x",
    )
    assert bad.exit_code == 2 and "accepted already" in bad.output
