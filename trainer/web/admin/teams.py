"""`/admin/teams` (teams with their leads and members; add one) and `/admin/agents` (agent names
on conversations that match no account; link them to one). Admins only."""

from __future__ import annotations

import dataclasses

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import accounts
from trainer.web.admin.common import AdminState, admin_page
from trainer.web.components import data_table, empty_state, labelled, testid


@dataclasses.dataclass
class TeamRow:
    """A team in the table."""

    name: str = ""
    leads: str = ""
    members: str = ""
    size: int = 0


class TeamsState(AdminState):
    """The teams table and the add form."""

    rows: list[TeamRow] = []

    def _empty(self) -> None:
        self.rows = []

    def _reload(self, actor) -> None:
        with session_scope() as session:
            teams = accounts.list_teams(session, actor)
        self.rows = [
            TeamRow(
                name=t["name"],
                leads=", ".join(t["leads"]) or "—",
                members=", ".join(t["members"]) or "—",
                size=len(t["leads"]) + len(t["members"]),
            )
            for t in teams
        ]

    @rx.event
    def on_load(self):
        """Load the teams."""
        return self._open()

    @rx.event
    def add(self, form: dict):
        """Add a team by name."""
        name = str(form.get("name") or "").strip()
        return self._act(
            lambda session, actor: accounts.add_team(session, actor, name),
            lambda _team: f"Team {name} was added.",
        )


def _team_row(row: rx.Var[TeamRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.leads),
        rx.table.cell(row.members),
        rx.table.cell(row.size),
        custom_attrs={"data-testid": "team-row", "data-team": row.name},
    )


def teams_page() -> rx.Component:
    """The `/admin/teams` page."""
    s = TeamsState
    return admin_page(
        "Teams",
        "Teams",
        rx.card(
            rx.form(
                rx.flex(
                    labelled("New team", rx.input(name="name", required=True, width="16rem")),
                    rx.button("Add team", type="submit", custom_attrs=testid("add-team")),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=s.add,
                reset_on_submit=True,
            ),
            margin_bottom="1rem",
        ),
        data_table(
            ["Team", "Leads", "Members", "People"],
            rx.foreach(s.rows, _team_row),
            table_id="teams-table",
            empty=rx.cond(s.rows.length() == 0, empty_state("No teams yet.")),
        ),
        error=s.error,
        notice=s.notice,
        testid_name="admin-teams-page",
    )


@dataclasses.dataclass
class AgentRow:
    """An agent name with no account, and how many conversations carry it."""

    agent_name: str = ""
    conversations: int = 0


class AgentsState(AdminState):
    """Unmatched agent names and the link form."""

    rows: list[AgentRow] = []
    agent_names: list[str] = []
    users: list[str] = []
    agent: str = ""
    user: str = ""

    def _empty(self) -> None:
        self.rows = []

    def _reload(self, actor) -> None:
        with session_scope() as session:
            found = accounts.unmatched_agents(session, actor)
            people = accounts.list_users(session, actor, include_inactive=False)
        self.rows = [AgentRow(r["agent_name"], int(r["conversations"])) for r in found]
        self.users = [u["name"] for u in people]
        names = self.agent_names = [r.agent_name for r in self.rows]
        self.agent = self.agent if self.agent in names else (names[0] if names else "")
        self.user = self.user if self.user in self.users else (self.users[0] if self.users else "")

    @rx.event
    def on_load(self):
        """Load the unmatched names and the accounts they may be linked to."""
        return self._open()

    @rx.event
    def set_agent(self, name: str):
        """The agent name to link."""
        self.agent = name

    @rx.event
    def set_user(self, name: str):
        """The account to link it to."""
        self.user = name

    @rx.event
    def link(self):
        """Link every conversation of the chosen agent name to the chosen account."""
        agent, user = self.agent, self.user

        def linked(count: int) -> str:
            plural = "conversation" if count == 1 else "conversations"
            return f"{count} {plural} of {agent} now belong to {user}."

        return self._act(
            lambda session, actor: accounts.link_agent(session, actor, agent, user), linked
        )


def _agent_row(row: rx.Var[AgentRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.agent_name),
        rx.table.cell(row.conversations),
        custom_attrs={"data-testid": "agent-row", "data-agent": row.agent_name},
    )


def agents_page() -> rx.Component:
    """The `/admin/agents` page."""
    s = AgentsState
    return admin_page(
        "Unmatched agents",
        "Unmatched agents",
        rx.text(
            "Agent names on ingested conversations that match no account. Link a name to a "
            "person so their conversations count as theirs (scorecards, what they may see).",
            size="2",
            color_scheme="gray",
            margin_bottom="1rem",
        ),
        rx.cond(
            s.rows.length() > 0,
            rx.card(
                rx.flex(
                    labelled(
                        "Agent name",
                        rx.select(
                            s.agent_names,
                            value=s.agent,
                            on_change=s.set_agent,
                            custom_attrs=testid("agent-select"),
                        ),
                    ),
                    labelled("Account", rx.select(s.users, value=s.user, on_change=s.set_user)),
                    rx.button("Link", on_click=s.link, custom_attrs=testid("link-agent")),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                margin_bottom="1rem",
            ),
        ),
        data_table(
            ["Agent name", "Conversations"],
            rx.foreach(s.rows, _agent_row),
            table_id="agents-table",
            empty=rx.cond(
                s.rows.length() == 0, empty_state("Every agent name matches an account.")
            ),
        ),
        error=s.error,
        notice=s.notice,
        testid_name="admin-agents-page",
    )
