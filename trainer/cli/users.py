"""`trainer users ...`: accounts, teams, staff import, API tokens, unmatched agent names."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from trainer.cli.common import _print_table, acting_actor, app, err, out, user_errors
from trainer.errors import AccountError, TrainerError

users_app = typer.Typer(help="Accounts, teams, staff import and API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _password(password_stdin: bool, prompt: bool = True) -> str | None:
    """The password from standard input (one line), from a hidden prompt, or None."""
    if password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise AccountError("no password on standard input", where="--password-stdin")
        return line
    if prompt and sys.stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return None


@users_app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="Full name, as it appears in chat logs and calls.")],
    email: Annotated[str, typer.Option(help="Login email.")],
    role: Annotated[
        str, typer.Option(help="trainee, agent, reviewer, lead, hr or admin.")
    ] = "agent",
    team: Annotated[list[str] | None, typer.Option(help="A team (repeatable).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user. The password comes from a hidden prompt or --password-stdin; without one the
    user cannot log in until an admin sets it."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import add_user

    password = _password(password_stdin)
    with session_scope() as session:
        user = add_user(session, acting_actor(session), name, email, role, team or [], password)
        out.print(
            f"added {user.name} <{user.email}> as {user.role}"
            + (f" in {', '.join(t.name for t in user.teams)}" if user.teams else "")
            + ("" if password else " (no password yet: 'trainer users password')"),
            highlight=False,
        )


@users_app.command("list")
@user_errors
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users with their role, teams and whether they are active."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import list_users

    with session_scope() as session:
        rows = list_users(session, acting_actor(session))
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "email", "role", "teams", "active", "last login")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["email"] or "",
            row["role"],
            ", ".join(row["teams"]),
            "yes" if row["active"] else "no",
            row["last_login_at"] or "never",
        )
    _print_table(table)


@users_app.command("edit")
@user_errors
def users_edit(
    user: Annotated[str, typer.Argument(help="Name, email or id.")],
    role: Annotated[str | None, typer.Option(help="New role.")] = None,
    team: Annotated[
        list[str] | None, typer.Option(help="New teams (repeatable; replaces).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="New email.")] = None,
) -> None:
    """Change a user's role, teams or email (each change is in the audit log)."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import update_user, user_view

    with session_scope() as session:
        row = update_user(session, acting_actor(session), user, role=role, teams=team, email=email)
        view = user_view(row)
    out.print(f"{view['name']}: {view['role']}, teams {', '.join(view['teams']) or '-'}")


def _set_active(user: str, active: bool) -> None:
    from trainer.db.session import session_scope
    from trainer.services.accounts import set_active

    with session_scope() as session:
        row = set_active(session, acting_actor(session), user, active)
        out.print(f"{row.name} is {'active' if row.active else 'deactivated'}", highlight=False)


@users_app.command("deactivate")
@user_errors
def users_deactivate(user: Annotated[str, typer.Argument(help="Name, email or id.")]) -> None:
    """Deactivate a user: no more logins, sessions and tokens stop; their history stays."""
    _set_active(user, False)


@users_app.command("activate")
@user_errors
def users_activate(user: Annotated[str, typer.Argument(help="Name, email or id.")]) -> None:
    """Reactivate a deactivated user."""
    _set_active(user, True)


@users_app.command("password")
@user_errors
def users_password(
    user: Annotated[str, typer.Argument(help="Name, email or id.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (their open sessions end)."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import set_password

    password = _password(password_stdin)
    if not password:
        raise AccountError("no password given", fix="type it at the prompt or use --password-stdin")
    with session_scope() as session:
        row = set_password(session, acting_actor(session), user, password)
    out.print(f"password set for {row.name}", highlight=False)


@users_app.command("token")
@user_errors
def users_token(
    user: Annotated[str, typer.Argument(help="Name, email or id of the token's user.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Print a new API bearer token for a user (shown once; stored only as a hash)."""
    from trainer.db.session import session_scope
    from trainer.services.auth import issue_api_token

    with session_scope() as session:
        token = issue_api_token(session, acting_actor(session), user, name)
    print(token)
    err.print("store it now: it is not shown again ('trainer users revoke ID' ends it)")


@users_app.command("tokens")
@user_errors
def users_tokens() -> None:
    """List API tokens (never their values)."""
    from trainer.db.session import session_scope
    from trainer.services.auth import list_api_tokens

    with session_scope() as session:
        rows = list_api_tokens(session, acting_actor(session))
    table = Table("id", "user", "name", "prefix", "created", "last used", "revoked")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["user"],
            row["name"],
            row["prefix"],
            row["created_at"] or "",
            row["last_used_at"] or "never",
            "yes" if row["revoked"] else "no",
        )
    _print_table(table)


@users_app.command("revoke")
@user_errors
def users_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token: it stops working at once."""
    from trainer.db.session import session_scope
    from trainer.services.auth import revoke_api_token

    with session_scope() as session:
        revoke_api_token(session, acting_actor(session), token_id)
    out.print(f"token {token_id} revoked")


@users_app.command("import")
@user_errors
def users_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV with name, email, role, team columns.")],
) -> None:
    """Import staff from a CSV. Every bad row is reported with its line number; the others are
    imported. Existing users are never changed."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import import_staff

    try:
        text = csv_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainerError(f"cannot read the file: {exc}", where=str(csv_file)) from None
    with session_scope() as session:
        report = import_staff(session, acting_actor(session), text, csv_file.name)
    out.print(f"imported {len(report.added)}, refused {len(report.errors)}")
    for line, message in report.errors:
        err.print(f"{csv_file.name}:{line}: {message}", highlight=False, markup=False)
    if report.errors:
        raise typer.Exit(1)


@users_app.command("teams")
@user_errors
def users_teams(
    add: Annotated[str | None, typer.Option(help="Create a team with this name.")] = None,
) -> None:
    """List teams with their leads and members (or create one with --add)."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import add_team, list_teams

    with session_scope() as session:
        actor = acting_actor(session)
        if add:
            add_team(session, actor, add)
        rows = list_teams(session, actor)
    for row in rows:
        out.print(
            f"[bold]{row['name']}[/]: leads {', '.join(row['leads']) or '-'}; "
            f"members {', '.join(row['members']) or '-'}",
            highlight=False,
        )


@users_app.command("unmatched")
@user_errors
def users_unmatched() -> None:
    """Agent names from chat logs and calls that match no account."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import unmatched_agents

    with session_scope() as session:
        rows = unmatched_agents(session, acting_actor(session))
    for row in rows:
        out.print(f"{row['agent_name']}: {row['conversations']} conversation(s)", highlight=False)
    if not rows:
        out.print("every agent name matches an account")


@users_app.command("link")
@user_errors
def users_link(
    agent_name: Annotated[str, typer.Argument(help="The agent name as the sources give it.")],
    user: Annotated[str, typer.Argument(help="The account: name, email or id.")],
) -> None:
    """Link an unmatched agent name's conversations to an account."""
    from trainer.db.session import session_scope
    from trainer.services.accounts import link_agent

    with session_scope() as session:
        count = link_agent(session, acting_actor(session), agent_name, user)
    out.print(f"linked {count} conversation(s) of {agent_name!r}", highlight=False)
