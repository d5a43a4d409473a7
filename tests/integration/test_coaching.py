"""Coaching sessions: a lead opens one for an agent of their team (linked conversations, shared
and private notes, a criterion, a scenario to practise, action items, a follow-up date); the
agent reads it without the private notes and completes their action items; everything is
audited, refused input stores nothing, and the session measures the agent's criterion scores
before and after it was opened and their attempts at the assigned scenario."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent, CoachingAction, CoachingSession, RoleplayAttempt, User
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import CoachingError, ForbiddenError, NotFoundError
from trainer.services import coaching
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
CRITERION = "acknowledges-feelings"  # GOOD_CHAT scores it 1, POOR_CHAT 0
# (id, turns, agent, day of March 2026): the session is dated March 10 in the measures test
CONVERSATIONS = [
    ("s-1", POOR_CHAT, "Sam Lee", 2),
    ("s-2", POOR_CHAT, "Sam Lee", 5),
    ("s-3", GOOD_CHAT, "Sam Lee", 12),
    ("s-4", POOR_CHAT, "Sam Lee", 15),
    ("p-1", POOR_CHAT, "Priya Shah", 3),
    ("m-1", POOR_CHAT, "Marcus Bell", 4),
]


@pytest.fixture
def team(db_url):
    """Morgan leads North (Sam, Priya, trainee Riley); Marcus is in South; a reviewer; the
    conversations above, scored."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Priya Shah", "agent", ["North"])
        make_user(session, "Marcus Bell", "agent", ["South"])
        make_user(session, "Morgan Reyes", "lead", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Riley Park", "trainee", ["North"])
        for external_id, turns, agent, day in CONVERSATIONS:
            store_conversation(
                session,
                make_conversation(
                    turns,
                    external_id=external_id,
                    agent=agent,
                    started_at=datetime(2026, 3, day, 9, 0, tzinfo=UTC),
                ),
            )
        score_stored(session, None)
    return db_url


def _open(session, **fields) -> dict:
    lead = actor_of(session, "Morgan Reyes")
    defaults = {
        "criterion": CRITERION,
        "conversations": ["s-1"],
        "scenario": "double-charge",
        "follow_up": "2026-04-01",
        "shared_notes": "Name the feeling before the fix.",
        "private_notes": "Third time this month; watch for burnout.",
    }
    return coaching.open_session(session, lead, "Sam Lee", "Empathy first", **defaults | fields)


def _events(session, prefix: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
        )
    )


def test_coaching_lead_opens_and_agent_reads_without_private_notes(team):
    with session_scope() as session:
        view = _open(session)
    assert view["agent"] == "Sam Lee" and view["coach"] == "Morgan Reyes"
    assert view["status"] == "open" and view["follow_up_on"] == "2026-04-01"
    assert view["private_notes"] == "Third time this month; watch for burnout."
    assert view["is_coach"] and not view["is_agent"]
    assert view["criterion_title"].startswith("Acknowledges the customer's feelings")
    linked = view["conversations"][0]
    assert linked["conversation"] == "s-1" and linked["visible"]
    focus = linked["criteria"][0]
    assert focus["id"] == CRITERION and focus["focus"] and focus["value"] == 0.0
    assert focus["explanation"]  # the machine's reason, shown beside the value
    with session_scope() as session:
        sam = actor_of(session, "Sam Lee")
        mine = coaching.session_view(session, sam, view["id"])
        assert "private_notes" not in mine  # left out by the service, not hidden by a page
        assert "burnout" not in json.dumps(mine)
        assert mine["shared_notes"] == "Name the feeling before the fix."
        assert mine["is_agent"] and not mine["is_coach"]
        assert mine["practice"]["id"] == "double-charge"
        assert mine["conversations"][0]["visible"]
        # another agent of the team, a reviewer and HR: it does not exist for them
        for name in ("Priya Shah", "Rita Reviewer"):
            with pytest.raises(NotFoundError, match=f"no coaching session {view['id']}"):
                coaching.session_view(session, actor_of(session, name), view["id"])
        with pytest.raises(NotFoundError):
            coaching.session_view(session, sam, 9999)
        with pytest.raises(NotFoundError):
            coaching.session_view(session, sam, "abc")
        (event,) = _events(session, "coaching.open")
        assert event.actor_name == "Morgan Reyes" and event.object_id == str(view["id"])
        assert event.after["scenario"] == "double-charge" and event.after["conversations"] == [
            "s-1"
        ]


@pytest.mark.parametrize(
    ("who", "agent", "fields", "error", "match"),
    [
        ("Morgan Reyes", "Marcus Bell", {}, NotFoundError, "no agent 'Marcus Bell' in your teams"),
        ("Morgan Reyes", "Nobody", {}, NotFoundError, "no agent 'Nobody'"),
        ("Morgan Reyes", "Riley Park", {}, CoachingError, "coaching sessions are for agents"),
        ("Morgan Reyes", "Sam Lee", {"criterion": "charm"}, CoachingError, "no criterion 'charm'"),
        ("Morgan Reyes", "Sam Lee", {"scenario": "nope"}, CoachingError, "no scenario 'nope'"),
        (
            "Morgan Reyes",
            "Sam Lee",
            {"scenario": "scenarios/double-charge.yaml"},
            CoachingError,
            "no scenario",
        ),
        ("Morgan Reyes", "Sam Lee", {"follow_up": "next week"}, CoachingError, "not a date"),
        ("Morgan Reyes", "Sam Lee", {"conversations": ["p-1"]}, CoachingError, "not Sam Lee's"),
        ("Morgan Reyes", "Sam Lee", {"conversations": ["m-1"]}, NotFoundError, "'m-1'"),
        ("Morgan Reyes", "Sam Lee", {"title": "  "}, CoachingError, "needs a title"),
        ("Morgan Reyes", "Sam Lee", {"actions": [("", None)]}, CoachingError, "action item"),
        ("Sam Lee", "Sam Lee", {}, ForbiddenError, "may not open coaching sessions"),
        ("Rita Reviewer", "Sam Lee", {}, ForbiddenError, "may not open coaching sessions"),
    ],
)
def test_coaching_open_refuses_bad_input_and_stores_nothing(team, who, agent, fields, error, match):
    with session_scope() as session:
        actor = actor_of(session, who)
        args = {"criterion": CRITERION, "conversations": ["s-1"], "scenario": "double-charge"}
        fields = dict(fields)  # the parameters are shared by both databases' runs
        title = fields.pop("title", "Empathy first")
        with pytest.raises(error, match=match) as caught:
            coaching.open_session(session, actor, agent, title, **args | fields)
        assert caught.value.code in {"E970", "E300", "E910"}
    with session_scope() as session:
        assert session.scalar(select(func.count(CoachingSession.id))) == 0
        assert session.scalar(select(func.count(CoachingAction.id))) == 0
        assert _events(session, "coaching") == []


def test_coaching_error_is_coded_with_where_and_fix(team):
    with session_scope() as session:
        with pytest.raises(CoachingError) as caught:
            _open(session, follow_up="31/12/2026")
    assert caught.value.code == "E970"
    assert caught.value.format() == (
        "[E970] follow-up date: '31/12/2026' is not a date (fix: use YYYY-MM-DD)"
    )


def test_coaching_action_items_lead_edits_agent_completes(team):
    with session_scope() as session:
        sid = _open(session)["id"]
        lead = actor_of(session, "Morgan Reyes")
        first = coaching.add_action(session, lead, sid, "Re-read the empathy guide", "2026-03-20")
        second = coaching.add_action(session, lead, sid, "Shadow Priya for an hour")
        assert first["due_on"] == "2026-03-20" and not first["done"] and first["overdue"]
        assert second["due_on"] is None and not second["overdue"]
        coaching.update_action(session, lead, second["id"], due=date(2099, 1, 1))
    with session_scope() as session:
        sam = actor_of(session, "Sam Lee")
        done = coaching.set_action_done(session, sam, first["id"])
        assert done["done"] and done["done_at"] and not done["overdue"]
        with pytest.raises(ForbiddenError):
            coaching.add_action(session, sam, sid, "I coach myself")
        with pytest.raises(ForbiddenError):
            coaching.update_session(session, sam, sid, {"shared_notes": "mine now"})
        priya = actor_of(session, "Priya Shah")
        with pytest.raises(NotFoundError, match=f"no coaching action {second['id']}"):
            coaching.set_action_done(session, priya, second["id"])
    with session_scope() as session:
        view = coaching.session_view(session, actor_of(session, "Sam Lee"), sid)
        items = {a["text"]: a for a in view["action_items"]}
        assert items["Re-read the empathy guide"]["done"]
        assert items["Shadow Priya for an hour"]["due_on"] == "2099-01-01"
        assert not items["Shadow Priya for an hour"]["done"]
        actions = [e.action for e in _events(session, "coaching.action")]
        assert actions == [
            "coaching.action.add",
            "coaching.action.add",
            "coaching.action.update",
            "coaching.action.done",
        ]
        assert _events(session, "coaching.action.done")[0].actor_name == "Sam Lee"


def test_coaching_close_reopen_and_closed_sessions_are_read_only(team):
    with session_scope() as session:
        sid = _open(session)["id"]
        lead = actor_of(session, "Morgan Reyes")
        item = coaching.add_action(session, lead, sid, "Practise double-charge twice")
        assert coaching.close_session(session, lead, sid)["status"] == "closed"
        with pytest.raises(CoachingError, match="is closed"):
            coaching.add_action(session, lead, sid, "one more")
        with pytest.raises(CoachingError, match="is closed"):
            coaching.set_action_done(session, actor_of(session, "Sam Lee"), item["id"])
        with pytest.raises(CoachingError, match="already closed"):
            coaching.close_session(session, lead, sid)
        with pytest.raises(ForbiddenError):
            coaching.reopen_session(session, actor_of(session, "Sam Lee"), sid)
        assert coaching.reopen_session(session, lead, sid)["status"] == "open"
        view = coaching.update_session(
            session,
            lead,
            sid,
            {"title": "Empathy, then recap", "private_notes": "", "conversations": "s-1, s-2"},
        )
        assert view["title"] == "Empathy, then recap" and view["private_notes"] is None
        assert [c["conversation"] for c in view["conversations"]] == ["s-1", "s-2"]
        with pytest.raises(CoachingError, match="cannot change status"):
            coaching.update_session(session, lead, sid, {"status": "closed"})
        coaching.delete_action(session, lead, item["id"])
        assert coaching.session_view(session, lead, sid)["action_items"] == []
        actions = [e.action for e in _events(session, "coaching")]
        assert actions == [
            "coaching.open",
            "coaching.action.add",
            "coaching.close",
            "coaching.reopen",
            "coaching.update",
            "coaching.action.delete",
        ]
        update = _events(session, "coaching.update")[0]
        assert set(update.after) == {"title", "private_notes", "conversations"}
        assert update.before["private_notes"].startswith("Third time")


def test_coaching_lists_are_scoped_by_role(team):
    with session_scope() as session:
        sid = _open(session)["id"]
        lead = actor_of(session, "Morgan Reyes")
        coaching.open_session(session, lead, "Priya Shah", "Recaps")
        coaching.open_session(session, ADMIN, "Marcus Bell", "Jargon")

        def titles(name: str | None, **kw) -> list[str]:
            actor = ADMIN if name is None else actor_of(session, name)
            return [r["title"] for r in coaching.list_sessions(session, actor, **kw)]

        assert titles("Morgan Reyes") == ["Recaps", "Empathy first"]
        assert titles("Sam Lee") == ["Empathy first"]
        assert titles("Priya Shah") == ["Recaps"]
        assert titles("Marcus Bell") == ["Jargon"]
        assert titles(None) == ["Jargon", "Recaps", "Empathy first"]
        assert titles(None, agent="Sam Lee") == ["Empathy first"]
        assert titles("Morgan Reyes", agent="Marcus Bell") == []  # not their team's
        coaching.close_session(session, lead, sid)
        assert titles("Morgan Reyes", status="open") == ["Recaps"]
        for name in ("Rita Reviewer", "Riley Park"):
            with pytest.raises(ForbiddenError):
                titles(name)
        agents = [a["name"] for a in coaching.coachable_agents(session, lead)]
        assert agents == ["Priya Shah", "Sam Lee"]  # their team's agents, not the trainee
        assert coaching.coachable_agents(session, actor_of(session, "Sam Lee")) == []
        assert len(coaching.coachable_agents(session, ADMIN)) == 3


def test_coaching_before_and_after_use_final_scores(team):
    with session_scope() as session:
        sid = _open(session)["id"]
        # the session opened on March 10: s-1, s-2 before; s-3, s-4 after
        row = session.get(CoachingSession, sid)
        row.created_at = datetime(2026, 3, 10, tzinfo=UTC)
    with session_scope() as session:
        measures = coaching.session_view(session, ADMIN, sid)["measures"]
    assert measures == {"before": {"mean": 0.0, "n": 2}, "after": {"mean": 0.5, "n": 2}}
    with session_scope() as session:
        rita = actor_of(session, "Rita Reviewer")
        # a submitted review raises s-4; a draft on s-1 does not count
        change = {CRITERION: {"value": 1.0, "reason": "incorrect_score"}}
        save_review(session, rita, "s-4", change, submit=True)
        save_review(session, rita, "s-1", change, submit=False)
    with session_scope() as session:
        view = coaching.session_view(session, actor_of(session, "Sam Lee"), sid)
    assert view["measures"] == {"before": {"mean": 0.0, "n": 2}, "after": {"mean": 1.0, "n": 2}}


def test_coaching_practice_counts_attempts_at_the_assigned_scenario(team):
    with session_scope() as session:
        view = _open(session)
        assert view["practice"]["attempts"] == 0 and view["practice"]["best_score"] is None
        sam = session.scalar(select(User).where(User.name == "Sam Lee"))
        later = datetime(2099, 1, 1, tzinfo=UTC)
        for scenario, status, score, passed in [
            ("double-charge", "finished", 62.0, False),
            ("double-charge", "finished", 88.0, True),
            ("double-charge", "in_progress", None, None),  # not finished: not counted
            ("late-delivery", "finished", 95.0, True),  # another scenario
        ]:
            session.add(
                RoleplayAttempt(
                    trainee=sam,
                    scenario_id=scenario,
                    status=status,
                    score=score,
                    passed=passed,
                    finished_at=later if status == "finished" else None,
                )
            )
    with session_scope() as session:
        practice = coaching.session_view(session, actor_of(session, "Sam Lee"), view["id"])[
            "practice"
        ]
    assert practice["title"] and practice["id"] == "double-charge"
    assert (practice["attempts"], practice["passed"], practice["best_score"]) == (2, 1, 88.0)
    assert practice["attempts_since"] == 2 and practice["latest_score"] == 88.0


def test_coaching_opened_from_a_review_prelinks_the_conversation(team):
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        assert coaching.coach_link(session, lead, "s-2") == {
            "agent": "Sam Lee",
            "conversation": "s-2",
        }
        assert coaching.coach_link(session, lead, "m-1") is None  # not their team's
        assert coaching.coach_link(session, actor_of(session, "Sam Lee"), "s-2") is None
        assert coaching.coach_link(session, actor_of(session, "Rita Reviewer"), "s-2") is None
        draft = coaching.coaching_draft(session, lead, conversation="s-2")
        assert draft["agent"] == "Sam Lee" and draft["conversations"] == ["s-2"]
        assert draft["criterion"] == CRITERION  # the poor chat's first miss in rubric order
        assert draft["title"].startswith("Acknowledges")
        assert [a["name"] for a in draft["agents"]] == ["Priya Shah", "Sam Lee"]
        assert draft["scenarios"][0]["practises"]  # scenarios training empathy come first
        other = coaching.coaching_draft(session, lead, conversation="m-1", criterion="recap")
        assert other["agent"] is None and other["conversations"] == []
        assert other["criterion"] == "recap"
        view = coaching.open_from_conversation(
            session, lead, "s-2", criterion="recap", conversations=["s-1", "s-2"]
        )
    assert [c["conversation"] for c in view["conversations"]] == ["s-2", "s-1"]
    assert view["agent"] == "Sam Lee" and view["criterion"] == "recap"
    assert view["title"] == "Recaps next steps"


def test_coaching_cli_opens_lists_shows_and_completes(team):
    runner = CliRunner()

    def trainer(who: str, *args: str):
        return runner.invoke(app, ["--as", who, "coaching", *args])

    result = trainer(
        "Morgan Reyes", "open", "--agent", "Sam Lee", "--title", "Empathy first",
        "--criterion", CRITERION, "--conversation", "s-1", "--conversation", "s-2",
        "--scenario", "double-charge", "--follow-up", "2026-04-01",
        "--note", "Name the feeling.", "--private-note", "Watch for burnout.",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    opened = json.loads(result.output)
    assert opened["coach"] == "Morgan Reyes" and opened["private_notes"] == "Watch for burnout."
    sid = str(opened["id"])
    result = trainer("Morgan Reyes", "action", "add", sid, "Read the guide", "--due", "2026-03-20")
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        action_id = str(session.scalar(select(CoachingAction.id)))
    result = trainer("Sam Lee", "action", "done", action_id)
    assert result.exit_code == 0, result.output
    shown = json.loads(trainer("Sam Lee", "show", sid, "--format", "json").output)
    assert "private_notes" not in shown and shown["action_items"][0]["done"]
    assert [c["conversation"] for c in shown["conversations"]] == ["s-1", "s-2"]
    text = trainer("Sam Lee", "show", sid).output
    assert "Watch for burnout" not in text and "[x]" in text and "due 2026-03-20" in text
    result = trainer("Sam Lee", "close", sid)
    assert result.exit_code == 2 and "[E910]" in result.output
    assert "private notes: Watch for burnout." in trainer("Morgan Reyes", "show", sid).output
    listed = trainer("Morgan Reyes", "list", "--agent", "Sam Lee").output
    assert "Empathy first" in listed and "1/1" in listed
    result = trainer("Morgan Reyes", "close", sid)
    assert result.exit_code == 0 and "closed" in result.output
    rows = json.loads(trainer("Sam Lee", "list", "--format", "json").output)
    assert [(r["id"], r["status"]) for r in rows] == [(int(sid), "closed")]
    result = trainer(
        "Morgan Reyes", "open", "--agent", "Sam Lee", "--title", "x", "--follow-up", "soon"
    )
    assert result.exit_code == 2 and "[E970]" in result.output
    with session_scope() as session:
        assert session.scalar(select(func.count(CoachingSession.id))) == 1
