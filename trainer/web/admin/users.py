"""`/admin/users`: everyone the user manages (admins: all; HR: trainees and agents); add a user
with name, email, role, teams and a first password; admins also edit role and teams and
deactivate or reactivate (never delete: their history keeps its author)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import accounts
from trainer.web import formatting as fmt
from trainer.web.admin.common import (
    ALL_ROLES,
    STAFF,
    AdminState,
    admin_page,
    role_label,
    split_names,
)
from trainer.web.components import data_table, empty_state, labelled, testid
from trainer.web.state import AppState


@dataclasses.dataclass
class UserRow:
    """A user in the table."""

    id: int = 0
    name: str = ""
    email: str = ""
    role: str = ""
    role_label: str = ""
    teams: str = ""
    active: bool = True
    last_login: str = ""


def user_rows(users: list[dict]) -> list[UserRow]:
    """`list_users` dicts shaped for the table."""
    return [
        UserRow(
            id=int(u["id"]),
            name=u["name"],
            email=u.get("email") or "",
            role=u["role"],
            role_label=role_label(u["role"]),
            teams=", ".join(u.get("teams") or []),
            active=bool(u.get("active")),
            last_login=fmt.format_date(u.get("last_login_at"))
            if u.get("last_login_at")
            else "never",
        )
        for u in users
    ]


class UsersState(AdminState):
    """The users table, the add form and the edit dialog."""

    rows: list[UserRow] = []
    roles: list[str] = []
    new_role: str = "trainee"
    editing: bool = False
    edit_id: int = 0
    edit_name: str = ""
    edit_role: str = ""
    edit_teams: str = ""

    def _reload(self, actor) -> None:
        with session_scope() as session:
            self.rows = user_rows(accounts.list_users(session, actor))
        self.roles = ALL_ROLES if actor.is_admin else STAFF
        if self.new_role not in self.roles:
            self.new_role = self.roles[0]

    def _empty(self) -> None:
        self.rows = []

    @rx.event
    def on_load(self):
        """Load the users the signed-in user manages."""
        self.editing = False
        return self._open()

    @rx.event
    def set_new_role(self, role: str):
        """The role of the user being added."""
        self.new_role = role

    @rx.event
    def add(self, form: dict):
        """Add a user from the form (name, email, teams, password; the chosen role)."""
        name, role = str(form.get("name") or "").strip(), self.new_role
        outcome = self._act(
            lambda session, actor: accounts.add_user(
                session,
                actor,
                name,
                str(form.get("email") or ""),
                role,
                split_names(str(form.get("teams") or "")),
                str(form.get("password") or "") or None,
            ),
            lambda _user: f"{name} was added as {role_label(role).lower()}.",
        )
        return outcome or (None if self.error else rx.set_value("new-user-name", ""))

    @rx.event
    def start_edit(self, user_id: int):
        """Open the edit dialog for a user."""
        row = next((r for r in self.rows if r.id == user_id), None)
        if row is None:
            return
        self.edit_id, self.edit_name = row.id, row.name
        self.edit_role, self.edit_teams = row.role, row.teams
        self.editing = True

    @rx.event
    def set_editing(self, value: bool):
        """Open or close the edit dialog."""
        self.editing = bool(value)

    @rx.event
    def set_edit_role(self, role: str):
        """The edited user's new role."""
        self.edit_role = role

    @rx.event
    def set_edit_teams(self, teams: str):
        """The edited user's teams, comma-separated."""
        self.edit_teams = teams

    @rx.event
    def save_edit(self):
        """Save the edited role and teams."""
        user_id, role, teams = self.edit_id, self.edit_role, split_names(self.edit_teams)
        self.editing = False
        return self._act(
            lambda session, actor: accounts.update_user(
                session, actor, user_id, role=role, teams=teams
            ),
            lambda _user: f"{self.edit_name} was updated.",
        )

    @rx.event
    def reset_password(self, form: dict):
        """Set the edited user's password (a lost one); their open sessions end."""
        user_id, password = self.edit_id, str(form.get("password") or "")
        self.editing = False
        return self._act(
            lambda session, actor: accounts.set_password(session, actor, user_id, password).name,
            lambda name: f"{name} has a new password; their open sessions ended.",
        )

    @rx.event
    def set_active(self, user_id: int, active: bool):
        """Deactivate (or reactivate) a user; their sessions end at once."""
        return self._act(
            lambda session, actor: accounts.set_active(session, actor, user_id, active).name,
            lambda name: f"{name} was {'reactivated' if active else 'deactivated'}.",
        )


def _row(row: rx.Var[UserRow]) -> rx.Component:
    s = UsersState
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.name, weight="medium")),
        rx.table.cell(row.email),
        rx.table.cell(rx.badge(row.role_label, variant="soft", custom_attrs=testid("user-role"))),
        rx.table.cell(row.teams),
        rx.table.cell(
            rx.cond(
                row.active,
                rx.badge("Active", color_scheme="grass", custom_attrs=testid("user-status")),
                rx.badge("Deactivated", color_scheme="gray", custom_attrs=testid("user-status")),
            )
        ),
        rx.table.cell(row.last_login, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                s.is_admin,
                rx.hstack(
                    rx.button(
                        "Edit",
                        size="1",
                        variant="soft",
                        on_click=s.start_edit(row.id),
                        custom_attrs=testid("edit-user"),
                    ),
                    rx.cond(
                        row.active,
                        rx.button(
                            "Deactivate",
                            size="1",
                            variant="soft",
                            color_scheme="tomato",
                            on_click=s.set_active(row.id, False),
                            custom_attrs=testid("deactivate-user"),
                        ),
                        rx.button(
                            "Reactivate",
                            size="1",
                            variant="soft",
                            color_scheme="grass",
                            on_click=s.set_active(row.id, True),
                            custom_attrs=testid("reactivate-user"),
                        ),
                    ),
                    spacing="2",
                ),
            )
        ),
        custom_attrs={"data-testid": "user-row", "data-user": row.name, "data-email": row.email},
    )


def _add_form() -> rx.Component:
    s = UsersState
    return rx.card(
        rx.heading("Add a user", size="4", margin_bottom="0.75rem"),
        rx.form(
            rx.flex(
                labelled(
                    "Full name",
                    rx.input(name="name", id="new-user-name", required=True, width="14rem"),
                ),
                labelled(
                    "Email", rx.input(name="email", type="email", required=True, width="16rem")
                ),
                labelled(
                    "Role",
                    rx.select(
                        s.roles,
                        value=s.new_role,
                        on_change=s.set_new_role,
                        custom_attrs=testid("new-user-role"),
                    ),
                ),
                labelled(
                    "Teams (comma-separated)",
                    rx.input(name="teams", placeholder="Tier 1 North", width="14rem"),
                ),
                # Only admins set passwords: HR choosing one could sign in as the person.
                rx.cond(
                    AppState.is_admin,
                    labelled(
                        "First password (10+ characters)",
                        rx.input(name="password", type="password", width="14rem"),
                    ),
                ),
                rx.button("Add user", type="submit", custom_attrs=testid("add-user")),
                gap="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=s.add,
            reset_on_submit=True,
            custom_attrs=testid("add-user-form"),
        ),
        rx.text(
            "Without a password the person cannot sign in until an admin sets one "
            "(only admins set passwords).",
            size="1",
            color_scheme="gray",
            margin_top="0.5rem",
        ),
        width="100%",
        margin_bottom="1rem",
    )


def _edit_dialog() -> rx.Component:
    s = UsersState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit ", s.edit_name),
            rx.vstack(
                labelled(
                    "Role",
                    rx.select(
                        ALL_ROLES,
                        value=s.edit_role,
                        on_change=s.set_edit_role,
                        custom_attrs=testid("edit-role"),
                    ),
                ),
                labelled(
                    "Teams (comma-separated)",
                    rx.input(
                        value=s.edit_teams,
                        on_change=s.set_edit_teams,
                        width="100%",
                        custom_attrs=testid("edit-teams"),
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save", on_click=s.save_edit, custom_attrs=testid("save-user")),
                    justify="end",
                    width="100%",
                ),
                rx.separator(),
                # A form, so the password travels only in this event, never in the page state.
                rx.form(
                    rx.hstack(
                        labelled(
                            "New password (10+ characters; ends their sessions)",
                            rx.input(
                                name="password",
                                type="password",
                                auto_complete="new-password",
                                width="100%",
                                custom_attrs=testid("reset-password"),
                            ),
                        ),
                        rx.button(
                            "Set password",
                            type="submit",
                            variant="soft",
                            custom_attrs=testid("set-password"),
                        ),
                        align="end",
                        width="100%",
                    ),
                    on_submit=s.reset_password,
                    reset_on_submit=True,
                ),
                spacing="3",
            ),
        ),
        open=s.editing,
        on_open_change=s.set_editing,
    )


def users_page() -> rx.Component:
    """The `/admin/users` page."""
    s = UsersState
    return admin_page(
        "Users",
        "Users",
        _add_form(),
        data_table(
            ["Name", "Email", "Role", "Teams", "Status", "Last sign-in", ""],
            rx.foreach(s.rows, _row),
            table_id="users-table",
            empty=rx.cond(s.rows.length() == 0, empty_state("No users yet.")),
        ),
        _edit_dialog(),
        error=s.error,
        notice=s.notice,
        testid_name="admin-users-page",
    )
