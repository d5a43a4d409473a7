"""The `/queue` page: its view models, and its state's handlers called against a seeded database
(as tests/unit/test_web_states.py does for the other pages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trainer.access import Actor
from trainer.db import session as db_session
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.assignment_rules import RuleSpec, define_rule
from trainer.services.assignments import draw_due
from trainer.services.scoring import score_stored
from trainer.web.queue import viewmodels as qvm
from trainer.web.queue.state import QueueState

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation
from .test_web_states import sign_in_people, state

ADMIN = Actor.local_admin()
PEOPLE = [
    ("Sam Lee", "agent", ["North"]),
    ("Rita Reviewer", "reviewer", []),
    ("Remy Reviewer", "reviewer", []),
    ("Lena Lead", "lead", ["North"]),
    ("Ada Admin", "admin", []),
]


def test_web_queue_viewmodels_shape_rows_and_progress():
    view = {
        "assignments": [
            {"id": 3, "conversation": "c-1", "agent": "Sam Lee", "rule": "weekly",
             "period": "2026-W10", "due_at": "2026-03-09T00:00:00+00:00", "status": "open",
             "overdue": True, "reason": None},
            {"id": 4, "conversation": "c-2", "agent": None, "rule": "weekly",
             "period": "2026-W10", "due_at": None, "status": "replaced", "overdue": False,
             "reason": "wrong language"},
        ],
        "progress": [{"rule": "weekly", "period": "2026-W10", "done": 1, "total": 3,
                      "overdue": 1}],
    }  # fmt: skip
    first, second = qvm.queue_rows(view)
    assert first.href == "/conversations/c-1" and first.due == "2026-03-09"
    assert first.overdue and first.can_replace and first.status_label == "Open"
    assert second.agent == "—" and not second.can_replace and second.reason == "wrong language"
    (goal,) = qvm.progress_rows(view)
    assert (goal.percent, goal.label) == (33, "1 of 3 done")
    assert qvm.percent(0, 0) == 0 and qvm.percent(2, 2) == 100


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """Four scored chats of Sam; a rule giving two to each reviewer, drawn two weeks ago (so
    they are overdue now)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('queue') / 'trainer.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRAINER_DATABASE_URL", url)
        db_session.reset_cache()
        sign_in_people(PEOPLE)
        with session_scope() as session:
            for i, turns in enumerate([GOOD_CHAT, POOR_CHAT, GOOD_CHAT, POOR_CHAT, GOOD_CHAT]):
                store_conversation(
                    session,
                    make_conversation(
                        turns + [("agent", f"Bye {i}")], external_id=f"q-{i}", agent="Sam Lee"
                    ),
                )
            score_stored(session, None)
            define_rule(
                session,
                ADMIN,
                RuleSpec(
                    name="weekly",
                    reviewers=["Rita Reviewer", "Remy Reviewer"],
                    agents=["Sam Lee"],
                    per_agent=4,
                    seed=3,
                ),
            )
            draw_due(session, ADMIN, datetime.now(UTC) - timedelta(days=14))
        yield url
        db_session.reset_cache()


def test_web_queue_on_load_shows_my_items_progress_and_overdue(seeded):
    s = state(QueueState, "/queue", who="Rita Reviewer")
    s.on_load()
    assert s.error == "" and s.reviewer == "Rita Reviewer"
    assert len(s.rows) == 2 and s.total == 2 and s.done == 0 and s.percent == 0
    assert s.overdue == 2 and all(r.overdue and r.can_replace for r in s.rows)
    assert all(r.href == f"/conversations/{r.conversation}" for r in s.rows)
    assert [p.label for p in s.progress] == ["0 of 2 done"]
    assert s.reviewers == ["Rita Reviewer"]


def test_web_queue_replace_needs_a_reason_then_replaces(seeded):
    s = state(QueueState, "/queue", who="Remy Reviewer")
    s.on_load()
    target = s.rows[0]
    s.replace({"assignment": str(target.id), "reason": "  "})
    assert "E960" in s.error and "reason" in s.error
    s.replace({"assignment": str(target.id), "reason": "audio missing"})
    assert s.error == "" and s.notice.startswith("Replaced with q-")
    replaced = next(r for r in s.rows if r.id == target.id)
    assert replaced.status == "replaced" and replaced.reason == "audio missing"
    assert not replaced.can_replace and len(s.rows) == 3 and s.total == 2
    # the fifth conversation was the last eligible one: the next replacement has none left
    s.replace({"assignment": str(s.rows[0].id), "reason": "again"})
    assert "no eligible conversation" in s.error


def test_web_queue_lead_sees_a_team_reviewers_queue_agent_is_refused(seeded):
    lead = state(QueueState, "/queue", who="Lena Lead")
    lead.on_load()
    assert lead.error == "" and lead.rows == []
    assert lead.reviewers == ["Lena Lead", "Remy Reviewer", "Rita Reviewer"]
    lead.show_reviewer("Rita Reviewer")
    assert lead.reviewer == "Rita Reviewer" and len(lead.rows) == 2
    # a reviewer naming someone else gets their own queue back, never the other's
    rita = state(QueueState, "/queue", who="Rita Reviewer")
    rita.show_reviewer("Remy Reviewer")
    assert rita.reviewer == "Rita Reviewer"
    agent = state(QueueState, "/queue", who="Sam Lee")
    agent.on_load()
    assert "E910" in agent.error and agent.rows == []


def test_web_queue_lists_disputes_for_another_reviewer_not_the_scorer(seeded):
    from trainer.services.disputes import open_dispute
    from trainer.services.reviews import save_review
    from trainer.services.views import conversation_view

    from ..conftest import actor_of

    with session_scope() as session:
        view = conversation_view(session, ADMIN, "q-4")
        criterion = next(c["id"] for c in view["criteria"] if c["value"] == 1.0)
        review = save_review(
            session,
            actor_of(session, "Rita Reviewer"),
            "q-4",
            {criterion: {"value": 0.0, "reason": "incorrect_score"}},
            submit=True,
        )
        open_dispute(session, actor_of(session, "Sam Lee"), review["id"], [criterion], "I did")
    rita = state(QueueState, "/queue", who="Rita Reviewer")
    rita.on_load()
    assert rita.disputes == []  # never asked to judge her own review
    remy = state(QueueState, "/queue", who="Remy Reviewer")
    remy.on_load()
    (row,) = remy.disputes
    assert (row.conversation, row.href, row.criteria) == ("q-4", "/conversations/q-4", criterion)
    assert (row.agent, row.reviewer, row.comment) == ("Sam Lee", "Rita Reviewer", "I did")
