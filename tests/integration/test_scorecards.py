"""Team and agent scorecards: date range (last 30 days by default), final scores (a submitted
review beats the automatic score), role-play kept apart, narrowed by the policy, the drill-down
to the conversations and evidence, trends per week, titles from the stored rubric."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from trainer.access import Actor
from trainer.db.models import RubricRecord
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.errors import NotFoundError, ReportError
from trainer.scoring.rubric import find_rubric
from trainer.services.reviews import save_review
from trainer.services.scorecard_data import ScorecardFilter, make_filter
from trainer.services.scorecards import (
    agent_scorecard,
    criterion_drilldown,
    flat_rows,
    scorecard_report,
)
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view

from ..conftest import GOOD_CHAT, POOR_CHAT, actor_of, make_conversation, make_user

ADMIN = Actor.local_admin()
NOW = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
# (id, turns, agent, channel, days ago)
CONVERSATIONS = [
    ("s-1", GOOD_CHAT, "Sam Lee", "chat", 2),
    ("s-2", POOR_CHAT, "Sam Lee", "chat", 9),
    ("s-3", GOOD_CHAT, "Sam Lee", "chat", 40),  # outside the default 30 days
    ("p-1", POOR_CHAT, "Priya Shah", "chat", 3),
    ("p-2", GOOD_CHAT, "Priya Shah", "chat", 10),
    ("r-1", GOOD_CHAT, "Tina Trainee", "roleplay", 1),  # practice: never in QA figures
]


@pytest.fixture
def world(db_url):
    """Sam (North) and Priya (South) with scored chats; Sam's s-2 reviewed up to full marks;
    a lead of North, a reviewer, HR and a trainee with one role-play."""
    with session_scope() as session:
        make_user(session, "Sam Lee", "agent", ["North"])
        make_user(session, "Priya Shah", "agent", ["South"])
        make_user(session, "Morgan Reyes", "lead", ["North"])
        make_user(session, "Rita Reviewer", "reviewer")
        make_user(session, "Hana Ito", "hr")
        make_user(session, "Tina Trainee", "trainee", ["North"])
        for cid, turns, agent, channel, days in CONVERSATIONS:
            store_conversation(
                session,
                make_conversation(
                    turns,
                    external_id=cid,
                    agent=agent,
                    channel=channel,
                    customer="Dana Ruiz",
                    started_at=NOW - timedelta(days=days),
                ),
            )
        score_stored(session, None)
    with session_scope() as session:
        auto = conversation_view(session, ADMIN, "s-2")
        raised = {c["id"] for c in auto["criteria"] if not c["na"] and c["value"] != 1.0}
        save_review(
            session,
            actor_of(session, "Rita Reviewer"),
            "s-2",
            {cid: {"value": 1.0, "reason": "incorrect_score"} for cid in raised},
            submit=True,
        )
    return db_url


def _report(name: str | None = None, **filters) -> dict:
    with session_scope() as session:
        actor = ADMIN if name is None else actor_of(session, name)
        return scorecard_report(session, actor, make_filter(**filters))


def _final(cid: str) -> float:
    with session_scope() as session:
        return conversation_view(session, ADMIN, cid)["final_score"]


def test_scorecards_default_range_is_the_last_30_days_from_final_scores(world):
    report = _report()
    assert report["until"] == NOW.date().isoformat()
    assert report["since"] == (NOW.date() - timedelta(days=29)).isoformat()
    agents = {r["agent"]: r for r in report["agents"]}
    assert set(agents) == {"Sam Lee", "Priya Shah"}  # no role-play trainee
    sam = agents["Sam Lee"]
    assert sam["conversations"] == 2 and sam["reviewed"] == 1  # s-3 is 40 days old
    # the reviewed s-2 counts with its human score (100), not its poor automatic one
    assert _final("s-2") == 100.0
    assert sam["score"] == pytest.approx((_final("s-1") + 100.0) / 2, abs=0.06)
    priya = agents["Priya Shah"]
    assert priya["reviewed"] == 0 and sam["score"] > priya["score"]
    # a wider range takes s-3 in
    wide = _report(since=(NOW - timedelta(days=60)).date())
    assert {r["agent"]: r["conversations"] for r in wide["agents"]}["Sam Lee"] == 3


def test_scorecards_intervals_sections_and_criteria_carry_their_n(world):
    report = _report()
    sam = next(r for r in report["agents"] if r["agent"] == "Sam Lee")
    assert sam["low"] < sam["score"] <= sam["high"] and sam["uncertain"]  # two conversations
    assert [s["id"] for s in sam["sections"]] == [s["id"] for s in report["sections"]]
    empathy = next(s for s in sam["sections"] if s["id"] == "empathy")
    assert empathy["n"] == 2 and empathy["title"] == "Empathy"
    speech = next(c for c in sam["criteria"] if c["id"] == "lets-customer-finish")
    assert speech["n"] == 0 and speech["score"] is None  # call-only: N/A in chats, not zero
    names = next(c for c in sam["criteria"] if c["id"] == "uses-name")
    assert names["n"] == 2 and 0 <= names["score"] <= 100
    assert report["overall"]["conversations"] == 4
    assert sum(b["count"] for b in report["distribution"]) == 4


def test_scorecards_titles_and_order_come_from_the_stored_rubric(world):
    rubric = find_rubric("customer_service")
    with session_scope() as session:
        record = session.scalar(select(RubricRecord).where(RubricRecord.slug == rubric.id))
        definition = dict(record.definition)
        sections = list(definition["sections"])
        sections[0] = dict(sections[0], title="Warmth")
        definition["sections"] = [sections[1], sections[0], *sections[2:]]
        record.definition = definition
    report = _report()
    assert [s["id"] for s in report["sections"]][:2] == ["clarity", "empathy"]
    assert report["sections"][1]["title"] == "Warmth"


def test_scorecards_keep_role_play_apart(world):
    report = _report()
    assert [p["agent"] for p in report["practice"]] == ["Tina Trainee"]
    assert report["practice"][0]["attempts"] == 1
    assert all(r["agent"] != "Tina Trainee" for r in report["agents"])
    # the trainee's own scorecard: no QA conversations, their practice
    own = _report("Tina Trainee")
    assert own["agents"] == [] and [p["agent"] for p in own["practice"]] == ["Tina Trainee"]
    # reviewers follow QA, not onboarding
    assert _report("Rita Reviewer")["practice"] == []


@pytest.mark.parametrize(
    ("name", "agents", "teams"),
    [
        ("Morgan Reyes", {"Sam Lee"}, {"North"}),
        ("Priya Shah", {"Priya Shah"}, set()),
        ("Rita Reviewer", {"Sam Lee", "Priya Shah"}, {"North", "South"}),
        ("Hana Ito", {"Sam Lee", "Priya Shah"}, {"North", "South"}),
        ("Tina Trainee", set(), set()),
    ],
)
def test_scorecards_are_narrowed_by_the_policy(world, name, agents, teams):
    report = _report(name)
    assert {r["agent"] for r in report["agents"]} == agents
    assert {r["team"] for r in report["teams"]} == teams


def test_scorecards_team_filter_and_teams_outside_the_leads(world):
    north = _report(team="North")
    assert [r["agent"] for r in north["agents"]] == ["Sam Lee"]
    assert [r["team"] for r in north["teams"]] == ["North"]
    with pytest.raises(NotFoundError):
        _report("Morgan Reyes", team="South")
    with pytest.raises(NotFoundError):
        _report(team="Nowhere")


def test_scorecards_drill_down_to_the_conversations_and_evidence(world):
    with session_scope() as session:
        lead = actor_of(session, "Morgan Reyes")
        drill = criterion_drilldown(
            session, lead, "Sam Lee", "acknowledges-feelings", make_filter()
        )
        assert drill["criterion"]["title"].startswith("Acknowledges the customer's feelings")
        assert drill["criterion"]["section"] == "empathy"
        ids = [c["conversation"] for c in drill["conversations"]]
        assert sorted(ids) == ["s-1", "s-2"] and drill["n"] == 2
        assert all(
            c["href"] == f"/conversations/{c['conversation']}" for c in drill["conversations"]
        )
        good = next(c for c in drill["conversations"] if c["conversation"] == "s-1")
        assert good["value"] == 100.0 and good["evidence"]
        quote = good["evidence"][0]["quote"]
        assert quote and quote in GOOD_CHAT[good["evidence"][0]["turn"]][1]
        reviewed = next(c for c in drill["conversations"] if c["conversation"] == "s-2")
        assert reviewed["kind"] == "human" and reviewed["value"] == 100.0
        with pytest.raises(NotFoundError):  # not the lead's team
            criterion_drilldown(session, lead, "Priya Shah", "apologises", make_filter())
        with pytest.raises(ReportError):
            criterion_drilldown(session, ADMIN, "Sam Lee", "no-such-criterion", make_filter())


def test_scorecards_agent_scorecard_has_strengths_misses_and_trend(world):
    with session_scope() as session:
        card = agent_scorecard(session, ADMIN, "Priya Shah", make_filter())
    assert card["row"]["agent"] == "Priya Shah"
    assert card["strengths"] and card["misses"]
    best = {c["id"] for c in card["strengths"]}
    assert best.isdisjoint({c["id"] for c in card["misses"]})
    assert min(c["score"] for c in card["strengths"]) >= max(c["score"] for c in card["misses"])
    assert sum(t["n"] for t in card["trend"]) == 2


def test_scorecards_trends_per_week(world):
    since = (NOW - timedelta(days=60)).date()
    report = _report(since=since, period="week")
    weeks = {}
    for _cid, _turns, _agent, channel, days in CONVERSATIONS:
        if channel == "roleplay":
            continue
        day = (NOW - timedelta(days=days)).date()
        monday = (day - timedelta(days=day.weekday())).isoformat()
        weeks[monday] = weeks.get(monday, 0) + 1
    everyone = {t["period"]: t["n"] for t in report["trends"] if t["level"] == "all"}
    assert everyone == weeks
    assert all(date.fromisoformat(p).weekday() == 0 for p in everyone)
    sam = [t for t in report["trends"] if t["level"] == "agent" and t["group"] == "Sam Lee"]
    assert sum(t["n"] for t in sam) == 3
    north = [t for t in report["trends"] if t["level"] == "team" and t["group"] == "North"]
    assert sum(t["n"] for t in north) == 3


def test_scorecards_flat_rows_and_bad_input(world):
    report = _report()
    columns, rows = flat_rows(report, "team")
    keys = [k for k, _ in columns]
    assert keys[:2] == ["team", "conversations"] and "empathy" in keys
    assert "empathy.acknowledges-feelings_n" in keys
    assert {r["team"] for r in rows} == {"North", "South"}
    with pytest.raises(ReportError, match="after it ends"):
        make_filter(since="2026-05-02", until="2026-05-01")
    with pytest.raises(ReportError, match="not a date"):
        make_filter(since="yesterday")
    with pytest.raises(ReportError, match="period"):
        make_filter(period="fortnight")
    with pytest.raises(ReportError):
        flat_rows(report, "customer")
    assert ScorecardFilter().resolved(date(2026, 3, 31)).since == date(2026, 3, 2)
