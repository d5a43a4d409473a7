"""The scorecard page's state: a date range (default the last 30 days), the drill-down level
(everyone → a team → an agent → a criterion's conversations), searchable and sortable team and
agent tables, the trend and distribution charts, and the downloads. The service decides what
the user may see; this only shapes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import reflex as rx

from trainer.db.session import session_scope
from trainer.services.coaching import coaches
from trainer.services.scorecard_data import DEFAULT_DAYS
from trainer.services.scorecards import (
    criterion_drilldown,
    latest_activity,
    make_report_filter,
    scorecard_report,
)
from trainer.web import formatting as fmt
from trainer.web.coaching.viewmodels import new_session_href
from trainer.web.scorecards import viewmodels as svm
from trainer.web.scorecards.fcr_panel import FcrState
from trainer.web.state import AppState, user_message

ALL_TEAMS = "__all__"


def _today() -> datetime:
    return datetime.now(UTC)


class ScorecardState(AppState):
    """Filters, drill-down level, the rows and charts of the scorecard page."""

    since: str = ""
    until: str = ""
    period: str = "week"
    team: str = ""
    agent: str = ""
    criterion: str = ""
    criterion_title: str = ""
    search: str = ""
    sort_key: str = "name"
    sort_desc: bool = False
    columns: list[fmt.Column] = []
    extra_columns: list[fmt.Column] = []
    team_rows: list[svm.ScorecardRow] = []
    agent_rows: list[svm.ScorecardRow] = []
    criteria: list[svm.CriterionRow] = []
    drill: list[svm.DrillRow] = []
    trend: list[dict] = []
    distribution: list[dict] = []
    team_names: list[str] = []
    overall: fmt.ScoreCell = fmt.ScoreCell()
    overall_interval: str = fmt.MISSING
    overall_n: int = 0
    error: str = ""
    loaded: bool = False
    # the newest day with data, when the range holds none (the demo's data is older)
    latest_day: str = ""
    # opens a coaching session for the agent shown (leads and admins)
    coach_href: str = ""
    _teams_all: list[svm.ScorecardRow] = []
    _agents_all: list[svm.ScorecardRow] = []

    @rx.var
    def level(self) -> str:
        """Where the drill-down is: all, team, agent or criterion."""
        if self.agent and self.criterion:
            return "criterion"
        if self.agent:
            return "agent"
        return "team" if self.team else "all"

    @rx.var
    def team_choice(self) -> str:
        """The team selector's value."""
        return self.team or ALL_TEAMS

    @rx.event
    def on_load(self):
        """Read the filters from the URL (`?since=&until=&team=&agent=&criterion=`, all
        optional; the range defaults to the last 30 days) and load the scorecard."""
        params = self.router.url.query_parameters
        today = _today().date()
        self.until = params.get("until") or today.isoformat()
        self.since = params.get("since") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        self.team = params.get("team") or ""
        self.agent = params.get("agent") or ""
        self.criterion = params.get("criterion") or ""
        self.search = ""
        return self._refresh()

    def _refresh(self):
        self.error = ""
        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                filters = make_report_filter(
                    since=self.since,
                    until=self.until,
                    period=self.period,
                    team=self.team or None,
                    agent=self.agent or None,
                )
                report = scorecard_report(session, actor, filters, practice=False)
                newest = (
                    latest_activity(session, actor)
                    if not report["overall"]["conversations"]
                    else None
                )
                drill = None
                if self.agent and self.criterion:
                    drill = criterion_drilldown(session, actor, self.agent, self.criterion, filters)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            self.team_rows, self.agent_rows, self.criteria, self.drill = [], [], [], []
            self.trend, self.distribution, self.loaded = [], [], True
            return None
        self._show(report, drill)
        self.latest_day = newest.isoformat() if newest is not None else ""
        self.coach_href = (
            new_session_href(self.agent, criterion=self.criterion)
            if self.agent and coaches(actor)
            else ""
        )
        # FCR and promises over the same range, in their own state
        return FcrState.load_panel(self.since, self.until)

    def _show(self, report: dict, drill: dict | None) -> None:
        self.columns = svm.columns(report)
        self.extra_columns = [
            fmt.Column(key=c["key"], label=c["title"]) for c in report["extra_columns"]
        ]
        self._teams_all = svm.group_rows(report, "team")
        self._agents_all = svm.group_rows(report, "agent")
        if not self.team and not self.agent:
            self.team_names = [r.name for r in self._teams_all]
        self.overall = fmt.score_cell(report["overall"]["score"], "score", "Overall")
        self.overall_interval = svm.interval_text(report["overall"])
        self.overall_n = report["overall"]["conversations"]
        self.trend = svm.trend_chart(report)
        self.distribution = svm.distribution_chart(report)
        row = next((r for r in report["agents"] if r["agent"] == self.agent), None)
        self.criteria = svm.criterion_rows(row) if self.agent else []
        self.drill = svm.drill_rows(drill) if drill else []
        self.criterion_title = drill["criterion"]["title"] if drill else ""
        self._arrange()
        self.loaded = True

    def _arrange(self) -> None:
        self.team_rows = svm.sort_and_search(
            self._teams_all, self.search, self.sort_key, self.sort_desc
        )
        self.agent_rows = svm.sort_and_search(
            self._agents_all, self.search, self.sort_key, self.sort_desc
        )

    @rx.event
    def show_latest(self):
        """The range of DEFAULT_DAYS days up to the newest day with data."""
        if not self.latest_day:
            return None
        last = datetime.fromisoformat(self.latest_day).date()
        self.until = last.isoformat()
        self.since = (last - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        return self._refresh()

    @rx.event
    def set_since(self, value: str):
        """The first day of the range (YYYY-MM-DD)."""
        self.since = value
        return self._refresh()

    @rx.event
    def set_until(self, value: str):
        """The last day of the range (YYYY-MM-DD)."""
        self.until = value
        return self._refresh()

    @rx.event
    def last_days(self, days: int):
        """The range of the last `days` days up to today."""
        today = _today().date()
        self.until = today.isoformat()
        self.since = (today - timedelta(days=int(days) - 1)).isoformat()
        return self._refresh()

    @rx.event
    def choose_team(self, team: str):
        """Everyone's scorecard (ALL_TEAMS) or one team's."""
        self.team = "" if team == ALL_TEAMS else team
        self.agent = self.criterion = ""
        return self._refresh()

    @rx.event
    def open_agent(self, agent: str):
        """Drill down to one agent: their sections and criteria."""
        self.agent, self.criterion = agent, ""
        return self._refresh()

    @rx.event
    def open_criterion(self, criterion: str):
        """Drill down to the conversations behind the agent's figure for one criterion."""
        self.criterion = criterion
        return self._refresh()

    @rx.event
    def back(self):
        """One level up the drill-down."""
        if self.criterion:
            self.criterion = ""
        elif self.agent:
            self.agent = ""
        else:
            self.team = ""
        return self._refresh()

    @rx.event
    def set_search(self, value: str):
        """Show the rows whose name or team contains the text."""
        self.search = value
        self._arrange()

    @rx.event
    def sort_by(self, key: str):
        """Sort by a column; the same column again flips the order."""
        if self.sort_key == key:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_key, self.sort_desc = key, key != "name"
        self._arrange()

    def _export(self, kind: str, fmt_name: str):
        from trainer.services.exports import export_agent, export_scorecard, file_name

        actor = self.actor()
        if actor is None:
            return self.to_login()
        try:
            with session_scope() as session:
                filters = make_report_filter(
                    since=self.since, until=self.until, team=self.team or None
                )
                if kind == "person":
                    data = export_agent(session, actor, self.agent, filters, fmt_name)
                    name = file_name(f"scorecard-{self.agent}", fmt_name)
                else:
                    by = "team" if kind == "teams" else "agent"
                    data = export_scorecard(session, actor, filters, by, fmt_name)
                    name = file_name(f"{by}-scorecard-{self.since}-{self.until}", fmt_name)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.error = user_message(exc)
            return None
        return rx.download(data=data, filename=name)

    @rx.event
    def download(self, kind: str, fmt_name: str):
        """Download the `teams` or `agents` table (csv, xlsx), or the open agent's own
        scorecard (`person`: pdf, xlsx, csv)."""
        return self._export(kind, fmt_name)
