"""The scorecard page's state and view models: range from the URL (last 30 days by default),
team and agent rows with n and intervals, search and sort, drill-down to a criterion's
conversations, downloads, and what each role sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trainer.web.scorecards import viewmodels as svm
from trainer.web.scorecards.state import ALL_TEAMS, ScorecardState

from .test_web_states import seeded, state  # noqa: F401 - the seeded people and chats

MARCH = "/scorecard?since=2026-03-01&until=2026-03-31"


def _loaded(who: str = "Ada Admin", url: str = MARCH) -> ScorecardState:
    s = state(ScorecardState, "/scorecard", url, who=who)
    s.on_load()
    assert s.error == ""
    return s


def test_web_scorecards_default_range_is_the_last_30_days(seeded):  # noqa: F811
    s = _loaded(url="/scorecard")
    today = datetime.now(UTC).date()
    assert s.until == today.isoformat()
    assert s.since == (today - timedelta(days=29)).isoformat()
    assert s.agent_rows == [] and s.loaded  # the seeded chats are from March
    # the empty range points at the newest day with data, and one click shows it
    assert s.latest_day == "2026-03-04"
    s.show_latest()
    assert (s.since, s.until) == ("2026-02-03", "2026-03-04")
    assert s.latest_day == "" and [r.name for r in s.agent_rows] == ["Priya Shah", "Sam Lee"]


def test_web_scorecards_coach_link_for_leads_only(seeded):  # noqa: F811
    lead = _loaded("Morgan Reyes", MARCH + "&agent=Sam+Lee")
    assert lead.coach_href == "/coaching?new=1&agent=Sam+Lee"
    lead.open_criterion(lead.criteria[0].id)
    assert lead.coach_href.endswith(f"&criterion={lead.criterion}")
    reviewer = _loaded("Jordan Kim", MARCH + "&agent=Sam+Lee")
    assert reviewer.agent == "Sam Lee" and reviewer.coach_href == ""
    assert _loaded(url=MARCH).coach_href == ""  # no agent open


def test_web_scorecards_team_and_agent_rows_with_n_and_interval(seeded):  # noqa: F811
    s = _loaded()
    assert s.level == "all"
    assert [r.name for r in s.agent_rows] == ["Priya Shah", "Sam Lee"]
    assert [r.name for r in s.team_rows] == ["North", "South"]
    assert s.team_names == ["North", "South"]
    sam = next(r for r in s.agent_rows if r.name == "Sam Lee")
    assert sam.conversations == 2 and sam.teams == "North" and sam.uncertain
    low, high = (float(x) for x in sam.interval.split("–"))
    assert low <= float(sam.score.text) <= high
    assert [c.key for c in s.columns][:2] == ["empathy", "clarity"]
    assert s.columns[0].label == "Empathy"  # from the stored rubric
    empathy = sam.sections[0]
    assert empathy.key == "empathy" and empathy.n == 2
    assert s.overall_n == 3 and sum(d["count"] for d in s.distribution) == 3
    assert sum(t["n"] for t in s.trend) == 3
    assert all(datetime.fromisoformat(t["period"]).weekday() == 0 for t in s.trend)


def test_web_scorecards_search_and_sort(seeded):  # noqa: F811
    s = _loaded()
    s.sort_by("score")
    assert s.sort_desc and [r.name for r in s.agent_rows] == ["Sam Lee", "Priya Shah"]
    s.sort_by("score")
    assert [r.name for r in s.agent_rows] == ["Priya Shah", "Sam Lee"]
    s.set_search("pri")
    assert [r.name for r in s.agent_rows] == ["Priya Shah"]
    s.set_search("north")  # teams match too
    assert [r.name for r in s.agent_rows] == ["Sam Lee"]


def test_web_scorecards_drill_down_team_agent_criterion(seeded):  # noqa: F811
    s = _loaded()
    s.choose_team("North")
    assert s.level == "team" and [r.name for r in s.agent_rows] == ["Sam Lee"]
    s.open_agent("Sam Lee")
    assert s.level == "agent" and s.criteria
    first = s.criteria[0]
    assert first.section == "Empathy" and first.id == "acknowledges-feelings"
    s.open_criterion(first.id)
    assert s.level == "criterion" and s.criterion_title.startswith("Acknowledges")
    assert {d.conversation for d in s.drill} == {"w-1", "w-3"}
    assert all(d.href == f"/conversations/{d.conversation}" for d in s.drill)
    assert any(d.evidence for d in s.drill)
    s.back()
    assert s.level == "agent" and s.drill == []
    s.back()
    s.back()
    assert s.level == "all"
    s.choose_team(ALL_TEAMS)
    assert s.team == ""


def test_web_scorecards_url_deep_link_and_bad_range(seeded):  # noqa: F811
    s = _loaded(url=MARCH + "&agent=Sam+Lee&criterion=apologises")
    assert s.level == "criterion" and s.drill
    bad = state(ScorecardState, "/scorecard", "/scorecard?since=2026-04-01&until=2026-03-01")
    bad.on_load()
    assert "[E990]" in bad.error and bad.agent_rows == []


def test_web_scorecards_roles_see_their_own_or_their_team(seeded):  # noqa: F811
    assert [r.name for r in _loaded("Morgan Reyes").agent_rows] == ["Sam Lee"]
    assert [r.name for r in _loaded("Morgan Reyes").team_rows] == ["North"]
    own = _loaded("Priya Shah")
    assert [r.name for r in own.agent_rows] == ["Priya Shah"] and own.team_rows == []
    lead = _loaded("Morgan Reyes")
    lead.open_agent("Priya Shah")  # not the lead's team: reads as missing
    assert "[E300]" in lead.error


def test_web_scorecards_downloads(seeded):  # noqa: F811
    s = _loaded()
    spec = s.download("agents", "csv")
    assert spec is not None and "agent-scorecard-2026-03-01-2026-03-31.csv" in str(spec)
    s.open_agent("Sam Lee")
    assert "scorecard-sam-lee.pdf" in str(s.download("person", "pdf"))
    assert s.download("agents", "docx") is None and "[E990]" in s.error


def test_web_scorecards_viewmodels_interval_and_sort_missing_last():
    assert svm.interval_text({"low": 61.2, "high": 88.9}) == "61–89"
    assert svm.interval_text({"low": None}) == "—"
    rows = [
        svm.ScorecardRow(name="B", sort_score=-1.0),
        svm.ScorecardRow(name="A", sort_score=70.0),
    ]
    assert [r.name for r in svm.sort_and_search(rows, "", "score", True)] == ["A", "B"]
    assert [r.name for r in svm.sort_and_search(rows, "", "name", False)] == ["A", "B"]
