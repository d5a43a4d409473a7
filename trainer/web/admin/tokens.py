"""`/admin/tokens`: API tokens (owner, name, prefix, created, last used, revoked); issue one for
a user (its value is shown once, then only its hash is kept) and revoke. Admins only."""

from __future__ import annotations

import dataclasses

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import accounts, auth
from trainer.web import formatting as fmt
from trainer.web.admin.common import AdminState, admin_page
from trainer.web.components import data_table, empty_state, labelled, testid


@dataclasses.dataclass
class TokenRow:
    """A token in the table (never its value)."""

    id: int = 0
    user: str = ""
    name: str = ""
    prefix: str = ""
    created: str = ""
    last_used: str = ""
    revoked: bool = False


class TokensState(AdminState):
    """The tokens table, the issue form and the token just issued."""

    rows: list[TokenRow] = []
    users: list[str] = []
    user: str = ""
    issued: str = ""
    issued_for: str = ""

    def _empty(self) -> None:
        self.rows = []

    def _reload(self, actor) -> None:
        with session_scope() as session:
            tokens = auth.list_api_tokens(session, actor)
            people = accounts.list_users(session, actor, include_inactive=False)
        self.rows = [
            TokenRow(
                id=int(t["id"]),
                user=t["user"],
                name=t["name"],
                prefix=t["prefix"],
                created=fmt.format_date(t.get("created_at")),
                last_used=fmt.format_date(t.get("last_used_at"))
                if t.get("last_used_at")
                else "never",
                revoked=bool(t.get("revoked")),
            )
            for t in tokens
        ]
        self.users = [u["name"] for u in people]
        if self.user not in self.users:
            self.user = self.users[0] if self.users else ""

    @rx.event
    def on_load(self):
        """Load the tokens; forget any token shown before."""
        self.issued = self.issued_for = ""
        return self._open()

    @rx.event
    def set_user(self, name: str):
        """The user a new token is for."""
        self.user = name

    @rx.event
    def issue(self, form: dict):
        """Issue a token for the chosen user and show its value once."""
        user, name = self.user, str(form.get("name") or "").strip() or "api"
        self.issued = ""

        def shown(token: str) -> str:
            self.issued, self.issued_for = token, user
            return ""

        return self._act(
            lambda session, actor: auth.issue_api_token(session, actor, user, name), shown
        )

    @rx.event
    def revoke(self, token_id: int):
        """Revoke a token: it stops working at once."""
        return self._act(
            lambda session, actor: auth.revoke_api_token(session, actor, token_id),
            lambda _none: "The token was revoked.",
        )


def _row(row: rx.Var[TokenRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.user),
        rx.table.cell(row.name),
        rx.table.cell(rx.code(row.prefix, "…")),
        rx.table.cell(row.created, white_space="nowrap"),
        rx.table.cell(row.last_used, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                row.revoked,
                rx.badge("Revoked", color_scheme="gray"),
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=TokensState.revoke(row.id),
                    custom_attrs=testid("revoke-token"),
                ),
            )
        ),
        custom_attrs={"data-testid": "token-row", "data-prefix": row.prefix},
    )


def tokens_page() -> rx.Component:
    """The `/admin/tokens` page."""
    s = TokensState
    return admin_page(
        "API tokens",
        "API tokens",
        rx.card(
            rx.form(
                rx.flex(
                    labelled("For", rx.select(s.users, value=s.user, on_change=s.set_user)),
                    labelled(
                        "Name", rx.input(name="name", placeholder="e.g. crm-sync", width="14rem")
                    ),
                    rx.button("Issue token", type="submit", custom_attrs=testid("issue-token")),
                    gap="3",
                    align="end",
                    wrap="wrap",
                ),
                on_submit=s.issue,
                reset_on_submit=True,
            ),
            margin_bottom="1rem",
        ),
        rx.cond(
            s.issued != "",
            rx.callout.root(
                rx.callout.icon(rx.icon("key-round")),
                rx.callout.text(
                    "The token for ",
                    rx.text.strong(s.issued_for),
                    " is shown only now; copy it: ",
                    rx.code(s.issued, custom_attrs=testid("issued-token"), word_break="break-all"),
                ),
                color_scheme="amber",
                margin_bottom="1rem",
            ),
        ),
        data_table(
            ["User", "Name", "Prefix", "Created", "Last used", ""],
            rx.foreach(s.rows, _row),
            table_id="tokens-table",
            empty=rx.cond(s.rows.length() == 0, empty_state("No API tokens yet.")),
        ),
        error=s.error,
        notice=s.notice,
        testid_name="admin-tokens-page",
    )
