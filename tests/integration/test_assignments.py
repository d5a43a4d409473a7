"""Assignment rules and the review queue: rules validated and authorized, seeded reproducible
draws per agent and period that never give a reviewer their own conversations, idempotent
re-runs, each eligibility filter, replacements with a reason, progress and overdue items, items
done when the review is submitted, audit rows, the CLI and the worker's periodic task."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.cli.common import set_acting
from trainer.db.models import (
    AuditEvent,
    ConversationRecord,
    CriterionScore,
    Evaluation,
    ReviewAssignment,
    RubricRecord,
    User,
)
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import AssignmentError, ForbiddenError, NotFoundError
from trainer.services.assignment_rules import (
    RuleSpec,
    define_rule,
    list_rules,
    period_bounds,
    period_key,
    set_rule_active,
    update_rule,
)
from trainer.services.assignments import (
    derive_seed,
    draw_due,
    my_queue,
    replace_assignment,
    sample,
)
from trainer.services.reviews import save_review
from trainer.services.scoring import score_stored

from ..conftest import POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
# Wednesday of ISO week 10 of 2026; the week ends Monday 9 March.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def add_conversation(
    session,
    external_id: str,
    agent: User,
    *,
    channel: str = "chat",
    day: int = 2,
    score: float | None = 70.0,
    flagged: bool = False,
    detector: str | None = None,
    status: str = "scored",
) -> ConversationRecord:
    """A stored conversation row with an automatic evaluation (quicker than scoring a chat);
    `detector` adds a criterion score from it with evidence (the detector fired)."""
    rubric = session.scalar(select(RubricRecord).where(RubricRecord.slug == "t"))
    if rubric is None:
        rubric = RubricRecord(slug="t", version=1, title="t", definition={}, content_hash="t")
        session.add(rubric)
        session.flush()
    record = ConversationRecord(
        external_id=external_id,
        channel=channel,
        agent_id=agent.id,
        agent_name=agent.name,
        started_at=datetime(2026, 3, day, 9, 0, tzinfo=UTC),
        content_hash=external_id,
        status=status,
        flagged_at=NOW if flagged else None,
    )
    session.add(record)
    session.flush()
    evaluation = Evaluation(conversation_id=record.id, rubric_id=rubric.id, score=score)
    evaluation.criterion_scores = [
        CriterionScore(
            section_id="s",
            criterion_id="c",
            status="scored",
            value=0.0,
            explanation="",
            detector=detector or "clarity.readability.v1",
            evidence=[{"turn": 0, "start": 0, "end": 3}] if detector else [],
        )
    ]
    session.add(evaluation)
    session.flush()
    return record


@pytest.fixture
def people(db_url):
    """A lead of North, reviewers (Rex also takes calls), an agent per team, ten conversations
    of Sam (North), six of Priya (South), four of Rex."""
    with session_scope() as session:
        make_user(session, "Lena Lead", "lead", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Remy Reviewer", "reviewer")
        rex = make_user(session, "Rex Reviewer", "reviewer", ["North"])
        sam = make_user(session, "Sam Lee", "agent", ["North"])
        priya = make_user(session, "Priya Shah", "agent", ["South"])
        make_user(session, "Hana HR", "hr")
        for i in range(10):
            add_conversation(session, f"s-{i}", sam, day=1 + i)
        for i in range(6):
            add_conversation(session, f"p-{i}", priya, day=1 + i)
        for i in range(4):
            add_conversation(session, f"x-{i}", rex, day=1 + i)
    return db_url


def rule(name="weekly", **kw) -> RuleSpec:
    """A rule over Sam and Priya (or `team`), three each, Rita and Remy reviewing, seed 42."""
    kw.setdefault("reviewers", ["Rita Reviewer", "Remy Reviewer"])
    if "team" not in kw:
        kw.setdefault("agents", ["Sam Lee", "Priya Shah"])
    kw.setdefault("per_agent", 3)
    kw.setdefault("seed", 42)
    return RuleSpec(name=name, **kw)


def assignments(session, rule_name: str | None = None) -> list[ReviewAssignment]:
    """Every stored assignment (of one rule), oldest first."""
    query = select(ReviewAssignment).order_by(ReviewAssignment.id)
    rows = session.scalars(query).all()
    return [a for a in rows if rule_name is None or a.rule.name == rule_name]


def drawn_ids(session, rule_name: str) -> dict[str, set[str]]:
    """Per agent name, the external ids a rule drew."""
    out: dict[str, set[str]] = {}
    for a in assignments(session, rule_name):
        out.setdefault(a.agent.name, set()).add(a.conversation.external_id)
    return out


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("changes", "where", "text"),
    [
        ({"reviewers": []}, "--reviewer", "at least one reviewer"),
        ({"reviewers": ["Nobody"]}, "--reviewer", "no user 'Nobody'"),
        ({"reviewers": ["Sam Lee"]}, "--reviewer", "not an active reviewer"),
        ({"reviewers": ["Hana HR"]}, "--reviewer", "not an active reviewer"),
        ({"agents": ["Ghost"]}, "--agent", "no user 'Ghost'"),
        ({"agents": [], "team": None}, "--agent", "either named agents or a team"),
        ({"team": "North", "agents": ["Sam Lee"]}, "--agent", "either named agents or a team"),
        ({"agents": [], "team": "Nowhere"}, "--team", "no team 'Nowhere'"),
        ({"per_agent": 0}, "--per-agent", "0 conversations per agent"),
        ({"period": "hourly"}, "--period", "unknown period 'hourly'"),
        ({"channel": "roleplay"}, "--channel", "unknown channel 'roleplay'"),
        ({"since": "March 1"}, "--since", "is not a date"),
        ({"since": "2026-03-09", "until": "2026-03-01"}, "--since", "is after"),
        ({"min_score": 120}, "--min-score", "outside 0..100"),
        ({"min_score": 80, "max_score": 20}, "--min-score", "is above"),
        ({"detector": "empathy.acknowledgment.v1"}, "--detector", "did you mean"),
        ({"name": "  "}, "name", "needs a name"),
        ({"seed": -1}, "--seed", "out of range"),
    ],
)
def test_assignments_rule_validation_names_field_and_stores_nothing(people, changes, where, text):
    with session_scope() as session:
        with pytest.raises(AssignmentError) as info:
            define_rule(session, ADMIN, rule(**changes))
        assert info.value.code == "E960" and info.value.where == where
        assert text in info.value.format()
        assert list_rules(session, ADMIN) == []


def test_assignments_rule_duplicate_name_update_and_deactivate_are_audited(people):
    with session_scope() as session:
        view = define_rule(
            session, ADMIN, rule(channel="CHAT", min_score=10, unreviewed=True, since="2026-03-01")
        )
        assert view["filters"] == {
            "channel": "chat",
            "since": "2026-03-01",
            "min_score": 10.0,
            "unreviewed": True,
        }
        assert view["reviewers"] == ["Rita Reviewer", "Remy Reviewer"] and view["seed"] == 42
        with pytest.raises(AssignmentError, match="exists"):
            define_rule(session, ADMIN, rule())
        updated = update_rule(session, ADMIN, "weekly", per_agent=2, team="North")
        assert updated["agents"] == [] and updated["team"] == "North"
        assert updated["per_agent"] == 2 and updated["filters"]["channel"] == "chat"
        assert set_rule_active(session, ADMIN, "weekly", False)["active"] is False
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "assignment_rule")
        ).all()
        assert actions == [
            "assignment_rule.add",
            "assignment_rule.update",
            "assignment_rule.deactivate",
        ]
        before = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "assignment_rule.update")
        ).before
        assert before["per_agent"] == 3 and before["agents"] == ["Sam Lee", "Priya Shah"]
        # an inactive rule draws nothing
        assert draw_due(session, ADMIN, NOW)["assigned"] == 0


def test_assignments_rule_random_seed_when_none_given(people):
    with session_scope() as session:
        view = define_rule(session, ADMIN, rule(seed=None))
        assert 0 <= view["seed"] < 2**31


def test_assignments_permissions_agent_cannot_define_lead_limited_to_team(people):
    with session_scope() as session:
        sam, lena = actor_of(session, "Sam Lee"), actor_of(session, "Lena Lead")
        rita = actor_of(session, "Rita Reviewer")
        for who in (sam, rita):
            with pytest.raises(ForbiddenError):
                define_rule(session, who, rule(agents=["Sam Lee"]))
            with pytest.raises(ForbiddenError):
                draw_due(session, who, NOW)
        with pytest.raises(ForbiddenError, match="agent 'Priya Shah'"):
            define_rule(session, lena, rule())  # Priya is in South
        with pytest.raises(ForbiddenError, match="team 'South'"):
            define_rule(session, lena, rule(agents=[], team="South"))
        define_rule(session, lena, rule("north", agents=[], team="North"))
        define_rule(session, ADMIN, rule("everyone"))
        assert [r["name"] for r in list_rules(session, lena)] == ["north"]
        assert [r["name"] for r in list_rules(session, ADMIN)] == ["everyone", "north"]
        with pytest.raises(NotFoundError):
            update_rule(session, lena, "everyone", per_agent=1)
        # a lead's draw runs only the rules over their teams
        summary = draw_due(session, lena, NOW)
        assert [r["rule"] for r in summary["rules"]] == ["north"]


# ---------------------------------------------------------------- the draw


def test_assignments_draw_is_seeded_recorded_and_reproducible(people):
    with session_scope() as session:
        define_rule(session, ADMIN, rule("a", seed=42))
        define_rule(session, ADMIN, rule("b", seed=42))  # same seed: same samples
        define_rule(session, ADMIN, rule("c", seed=7))
        summary = draw_due(session, ADMIN, NOW)
        assert summary["assigned"] == 18
        a, b, c = (drawn_ids(session, n) for n in "abc")
        assert a == b and a != c
        assert {len(v) for v in a.values()} == {3}
        sam = session.scalar(select(User).where(User.name == "Sam Lee"))
        seed = derive_seed(42, "2026-W10", sam.id)
        sams = [x for x in assignments(session, "a") if x.agent_id == sam.id]
        assert {x.seed for x in sams} == {seed}
        assert summary["rules"][0]["seeds"]["Sam Lee"] == seed
        # anyone holding the seed recomputes the sample from the eligible ids
        ids = session.scalars(
            select(ConversationRecord.id).where(ConversationRecord.agent_id == sam.id)
        ).all()
        assert {x.conversation_id for x in sams} == set(sample(list(ids), 3, seed))


def test_assignments_draw_spreads_evenly_and_never_gives_own_conversations(people):
    with session_scope() as session:
        define_rule(
            session,
            ADMIN,
            rule(reviewers=["Rex Reviewer", "Rita Reviewer"], agents=["Rex Reviewer", "Sam Lee"]),
        )
        summary = draw_due(session, ADMIN, NOW)
        assert summary["assigned"] == 6 and summary["rules"][0]["short"] == []
        rows = assignments(session)
        assert all(a.reviewer_id != a.agent_id for a in rows)
        rexs = [a for a in rows if a.agent.name == "Rex Reviewer"]
        assert {a.reviewer.name for a in rexs} == {"Rita Reviewer"}
        loads = {}
        for a in rows:
            loads[a.reviewer.name] = loads.get(a.reviewer.name, 0) + 1
        assert loads == {"Rex Reviewer": 3, "Rita Reviewer": 3}
        # a rule whose only reviewer is the agent cannot draw their conversations
        define_rule(
            session, ADMIN, rule("self", reviewers=["Rex Reviewer"], agents=["Rex Reviewer"])
        )
        short = draw_due(session, ADMIN, NOW)["rules"][1]["short"]
        assert short[0]["agent"] == "Rex Reviewer" and short[0]["drawn"] == 0
        assert "no reviewer" in short[0]["why"]


def test_assignments_draw_is_idempotent_and_tops_up_short_agents(people):
    with session_scope() as session:
        define_rule(session, ADMIN, rule(per_agent=8))
        first = draw_due(session, ADMIN, NOW)
        assert first["assigned"] == 8 + 6
        assert first["rules"][0]["short"] == [
            {"agent": "Priya Shah", "wanted": 8, "drawn": 6, "eligible": 6}
        ]
        again = draw_due(session, ADMIN, NOW + timedelta(hours=1))
        assert again["assigned"] == 0 and len(assignments(session)) == 14
        priya = session.scalar(select(User).where(User.name == "Priya Shah"))
        add_conversation(session, "p-new", priya, day=3)
        topped = draw_due(session, ADMIN, NOW + timedelta(hours=2))
        assert topped["assigned"] == 1
        assert assignments(session)[-1].conversation.external_id == "p-new"
        draws = session.scalar(select(func.count()).where(AuditEvent.action == "assignment.draw"))
        assert draws == 2  # the empty re-run changed nothing, so logged nothing


def test_assignments_draw_per_period_with_due_at_period_end(people):
    with session_scope() as session:
        define_rule(session, ADMIN, rule(per_agent=2))
        draw_due(session, ADMIN, NOW)
        draw_due(session, ADMIN, NOW + timedelta(days=7))
        rows = assignments(session)
        assert sorted({a.period_key for a in rows}) == ["2026-W10", "2026-W11"]
        assert len(rows) == 8
        week10 = [a for a in rows if a.period_key == "2026-W10"]
        due = week10[0].due_at  # SQLite hands it back naive (UTC)
        assert due.replace(tzinfo=due.tzinfo or UTC) == datetime(2026, 3, 9, tzinfo=UTC)
        # never the same conversation twice for one rule, across periods
        assert len({a.conversation_id for a in rows}) == 8


def test_assignments_period_keys_and_bounds():
    day = datetime(2026, 12, 2, 15, tzinfo=UTC)
    assert [period_key(p, day) for p in ("daily", "weekly", "monthly")] == [
        "2026-12-02",
        "2026-W49",
        "2026-12",
    ]
    assert period_bounds("daily", day)[1] == datetime(2026, 12, 3, tzinfo=UTC)
    assert period_bounds("weekly", day) == (
        datetime(2026, 11, 30, tzinfo=UTC),
        datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert period_bounds("monthly", day)[1] == datetime(2027, 1, 1, tzinfo=UTC)
    assert period_key("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"


@pytest.fixture
def varied(people):
    """Priya's six plus conversations that differ in one thing each."""
    with session_scope() as session:
        priya = session.scalar(select(User).where(User.name == "Priya Shah"))
        add_conversation(session, "v-call", priya, channel="call", day=3)
        add_conversation(session, "v-late", priya, day=20)
        add_conversation(session, "v-low", priya, score=20.0, day=3)
        add_conversation(session, "v-fired", priya, detector="empathy.acknowledgement.v1", day=3)
        add_conversation(session, "v-flag", priya, flagged=True, day=3)
        add_conversation(session, "v-failed", priya, status="failed", day=3)
        reviewed = add_conversation(session, "v-reviewed", priya, day=3)
        session.add(
            Evaluation(
                conversation_id=reviewed.id,
                rubric_id=session.scalar(select(RubricRecord.id)),
                kind="human",
                status="submitted",
                score=95.0,
                submitted_at=NOW,
            )
        )
    return people


ALL_PRIYA = {f"p-{i}" for i in range(6)} | {"v-call", "v-late", "v-low", "v-fired", "v-flag"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ALL_PRIYA | {"v-reviewed"}),
        ({"channel": "call"}, {"v-call"}),
        ({"since": "2026-03-10"}, {"v-late"}),
        ({"until": "2026-03-02"}, {"p-0", "p-1"}),
        ({"max_score": 50}, {"v-low"}),
        ({"min_score": 90}, {"v-reviewed"}),  # the submitted review's 95 is the final score
        ({"detector": "empathy.acknowledgement.v1"}, {"v-fired"}),
        ({"unreviewed": True}, ALL_PRIYA),
        ({"flagged": True}, {"v-flag"}),
        ({"channel": "chat", "flagged": True, "max_score": 10}, set()),
    ],
)
def test_assignments_each_filter_narrows_the_eligible_conversations(varied, filters, expected):
    with session_scope() as session:
        define_rule(session, ADMIN, rule(agents=["Priya Shah"], per_agent=50, **filters))
        draw_due(session, ADMIN, NOW)
        assert drawn_ids(session, "weekly").get("Priya Shah", set()) == expected


# ---------------------------------------------------------------- the queue


def test_assignments_queue_progress_overdue_and_lead_view(people):
    with session_scope() as session:
        define_rule(session, ADMIN, rule(agents=["Sam Lee"], per_agent=4))
        draw_due(session, ADMIN, NOW)
        rita = actor_of(session, "Rita Reviewer")
        mine = my_queue(session, rita, now=NOW)
        assert mine["total"] == 2 and mine["done"] == 0 and mine["overdue"] == 0
        assert mine["progress"] == [
            {"rule": "weekly", "period": "2026-W10", "done": 0, "total": 2, "overdue": 0}
        ]
        first = mine["assignments"][0]
        assert first["agent"] == "Sam Lee" and first["status"] == "open"
        assert first["due_at"].startswith("2026-03-09")
        late = my_queue(session, rita, now=datetime(2026, 3, 10, tzinfo=UTC))
        assert late["overdue"] == 2 and all(a["overdue"] for a in late["assignments"])
        # a lead sees the queue of a reviewer working on their team's agents; an agent none
        lena, sam = actor_of(session, "Lena Lead"), actor_of(session, "Sam Lee")
        assert my_queue(session, lena, reviewer="Rita Reviewer", now=NOW)["total"] == 2
        with pytest.raises(ForbiddenError):
            my_queue(session, rita, reviewer="Remy Reviewer")
        with pytest.raises(ForbiddenError):
            my_queue(session, sam)


def test_assignments_submitting_the_review_marks_the_item_done(db_url):
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="c-1", agent="Sam Lee")
        )
        score_stored(session, ["c-1"])
        define_rule(session, ADMIN, rule(reviewers=["Rita Reviewer"], agents=["Sam Lee"]))
        assert draw_due(session, ADMIN, NOW)["assigned"] == 1
        rita = actor_of(session, "Rita Reviewer")
        save_review(session, rita, "c-1", {}, submit=False)
        assert my_queue(session, rita, now=NOW)["done"] == 0  # a draft is not done
        save_review(session, rita, "c-1", {}, submit=True)
        queue = my_queue(session, rita, now=NOW)
        assert queue["done"] == queue["total"] == 1
        assert queue["assignments"][0]["status"] == "done"
        assert queue["assignments"][0]["completed_at"]


def test_assignments_replace_with_reason_then_none_left(people):
    with session_scope() as session:
        define_rule(session, ADMIN, rule(agents=["Priya Shah"], per_agent=5))
        draw_due(session, ADMIN, NOW)
        rita = actor_of(session, "Rita Reviewer")
        remy = actor_of(session, "Remy Reviewer")
        item = my_queue(session, rita, now=NOW)["assignments"][0]
        with pytest.raises(AssignmentError, match="needs a reason"):
            replace_assignment(session, rita, item["id"], "   ")
        with pytest.raises(NotFoundError):
            replace_assignment(session, remy, item["id"], "not mine")
        result = replace_assignment(session, rita, item["id"], "customer spoke Portuguese")
        assert result["replaced"]["status"] == "replaced"
        assert result["replaced"]["reason"] == "customer spoke Portuguese"
        new = result["replacement"]
        assert new["reviewer"] == "Rita Reviewer" and new["agent"] == "Priya Shah"
        assert new["conversation"] != item["conversation"] and new["status"] == "open"
        stored = session.get(ReviewAssignment, new["id"])
        assert stored.seed == derive_seed(42, "2026-W10", stored.agent_id, f"replace:{item['id']}")
        with pytest.raises(AssignmentError, match="is replaced"):
            replace_assignment(session, rita, item["id"], "again")
        queue = my_queue(session, rita, now=NOW)
        assert queue["progress"][0]["total"] == len(
            [a for a in queue["assignments"] if a["status"] != "replaced"]
        )
        audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.replace"))
        assert audit.detail == "customer spoke Portuguese" and audit.actor_name == "Rita Reviewer"
    with session_scope() as session:
        # all six of Priya's conversations are now assigned: nothing is left to draw
        rita = actor_of(session, "Rita Reviewer")
        open_item = my_queue(session, rita, now=NOW)["assignments"][0]
        with pytest.raises(AssignmentError, match="no eligible conversation of Priya Shah"):
            replace_assignment(session, rita, open_item["id"], "too short")
        assert session.get(ReviewAssignment, open_item["id"]).status == "open"


# ---------------------------------------------------------------- CLI and worker


def cli(*args: str, who: str | None = None):
    """Run `trainer [--as WHO] ARGS...`."""
    try:
        return CliRunner().invoke(app, ["--as", who, *args] if who else list(args))
    finally:
        set_acting(None)


def test_assignments_cli_rule_run_list_replace(people):
    added = cli(
        "queue", "rule", "add", "north weekly", "--reviewer", "Rita Reviewer",
        "--reviewer", "remy.reviewer@example.com", "--team", "North", "--per-agent", "2",
        "--period", "weekly", "--channel", "chat", "--seed", "5",
        who="Lena Lead",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "north weekly" in added.output
    bad = cli("queue", "rule", "add", "x", "--reviewer", "Sam Lee", "--agent", "Sam Lee")
    assert bad.exit_code == 2 and "E960" in bad.output
    listed = cli("queue", "rules", "--format", "json", who="Lena Lead")
    assert [r["name"] for r in json.loads(listed.output)] == ["north weekly"]
    run = cli("queue", "run", "--at", "2026-03-04")
    assert run.exit_code == 0, run.output
    assert "2 assigned" in run.output
    queue = cli("queue", "list", "--format", "json", who="Rita Reviewer")
    data = json.loads(queue.output)
    assert data["total"] == 1 and data["assignments"][0]["agent"] == "Sam Lee"
    table = cli("queue", "list", who="Rita Reviewer")
    assert data["assignments"][0]["conversation"] in table.output and "0/1" in table.output
    item = data["assignments"][0]["id"]
    replaced = cli("queue", "replace", str(item), "--reason", "wrong language", who="Rita Reviewer")
    assert replaced.exit_code == 0, replaced.output
    assert "replaced by" in replaced.output
    refused = cli("queue", "rule", "add", "y", "--reviewer", "Rita Reviewer", "--agent", "Sam Lee",
                  who="Sam Lee")  # fmt: skip
    assert refused.exit_code == 2 and "E910" in refused.output
    updated = cli("queue", "rule", "update", "north weekly", "--per-agent", "4", who="Lena Lead")
    assert updated.exit_code == 0 and "4 per agent weekly of team North" in updated.output
    off = cli("queue", "rule", "deactivate", "north weekly", who="Lena Lead")
    assert off.exit_code == 0 and "inactive" in off.output


def test_assignments_worker_periodic_task_draws(people, tmp_path):
    from trainer.jobs.queue import build_queue

    with session_scope() as session:
        define_rule(session, ADMIN, rule(per_agent=1))
    queue = build_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    due = queue.huey.read_periodic(datetime(2026, 3, 4, 10, 5))
    # Five past the hour: the draw is due (beside the 5-minutely stale-job recovery).
    assert "trainer.draw_assignments" in [t.name for t in due]
    later = queue.huey.read_periodic(datetime(2026, 3, 4, 10, 10))
    assert "trainer.draw_assignments" not in [t.name for t in later]
    summary = queue.draw.call_local()
    assert summary["assigned"] == 2
    with session_scope() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.draw"))
        assert event.actor_name == "assignment scheduler"
