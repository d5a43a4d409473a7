"""Users and teams on SQLite and PostgreSQL: adding with validation, staff import with line
numbers, the last admin kept, agent names from sources linked to accounts (ingestion never
creates users), and the `trainer users ...` commands."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from trainer.access import Actor
from trainer.cli import app
from trainer.db.models import AuditEvent, ConversationRecord, Team, User
from trainer.db.repository import find_conversation
from trainer.db.session import session_scope
from trainer.errors import AccountError, ForbiddenError, NotFoundError
from trainer.services import accounts, auth
from trainer.services.ingestion import ingest_paths
from trainer.services.views import conversation_view, list_conversations

from ..conftest import GOOD_CHAT, actor_of, make_user

ADMIN = Actor.local_admin()
runner = CliRunner()


def trainer(*args: str, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def users() -> dict[str, User]:
    with session_scope() as session:
        rows = session.scalars(select(User)).all()
        for row in rows:
            _ = [t.name for t in row.teams]  # load before the session closes
        return {u.name: u for u in rows}


def audit_count(action: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


@pytest.fixture
def hr(db_url):
    """HR and one existing agent (in team North, which exists); returns HR's Actor."""
    with session_scope() as session:
        make_user(session, "Hank HR", "hr")
        make_user(session, "Olga Old", "agent", ["North"], email="olga@example.com")
        return actor_of(session, "Hank HR")


# --- add_user ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "role", "error"),
    [
        ("New Person", "not-an-email", "agent", "is not an email address"),
        ("New Person", "new@nowhere", "agent", "is not an email address"),
        ("New Person", " OLGA@Example.com ", "agent", "belongs to Olga Old"),
        ("New Person", "new@example.com", "boss", "unknown role 'boss'"),
        ("Olga Old", "other@example.com", "agent", "a user named 'Olga Old' exists"),
        ("   ", "blank@example.com", "agent", "the name is empty"),
    ],
)
def test_accounts_add_user_validation(hr, name, email, role, error):
    before = users()
    with session_scope() as session:
        with pytest.raises(AccountError, match=error):
            accounts.add_user(session, ADMIN, name, email, role)
    assert users().keys() == before.keys()
    assert audit_count("user.add") == 0


def test_accounts_add_user_by_hr_is_staff_only(hr):
    with session_scope() as session:
        for role in ("reviewer", "lead", "hr", "admin"):
            with pytest.raises(ForbiddenError, match="users.add"):
                accounts.add_user(session, hr, f"New {role}", f"{role}@example.com", role)
        with pytest.raises(AccountError, match="no team 'Nowhere'"):
            accounts.add_user(session, hr, "New Agent", "agent@example.com", "agent", ["Nowhere"])
    with session_scope() as session:
        agent = accounts.add_user(session, hr, "New Agent", "Agent@Example.com", "agent", ["north"])
        trainee = accounts.add_user(session, hr, "New Trainee", "t@example.com", "trainee")
        assert agent.email == "agent@example.com"  # stored normalised
        assert [t.name for t in agent.teams] == ["North"]  # an existing team, any case
        assert trainee.password_hash is None and trainee.active
    stored = users()
    assert {"New Agent", "New Trainee"} <= stored.keys()
    assert not {"New reviewer", "New lead", "New hr", "New admin"} & stored.keys()
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Team)) == 1  # HR made none
        listed = {u["name"] for u in accounts.list_users(session, hr)}
        assert listed == {"Olga Old", "New Agent", "New Trainee"}  # HR sees staff only
        assert "Hank HR" in {u["name"] for u in accounts.list_users(session, ADMIN)}
        for role in ("trainee", "agent", "reviewer", "lead"):
            someone = Actor(999, "x", role)
            with pytest.raises(ForbiddenError):
                accounts.add_user(session, someone, "Y", "y@example.com", "trainee")


def test_accounts_admin_adds_any_role_and_creates_teams(hr):
    with session_scope() as session:
        lead = accounts.add_user(
            session,
            ADMIN,
            "Leo Lead",
            "leo@example.com",
            "lead",
            ["North", "South"],
            "a password 1",
        )
        assert [t.name for t in lead.teams] == ["North", "South"]
        assert auth.verify_password(lead.password_hash, "a password 1")
        view = accounts.user_view(lead)
        assert view["has_password"] and "password_hash" not in view
        teams = {t["name"]: t for t in accounts.list_teams(session, ADMIN)}
        assert teams["North"]["leads"] == ["Leo Lead"] and teams["North"]["members"] == ["Olga Old"]
        with pytest.raises(AccountError, match="exists"):
            accounts.add_team(session, ADMIN, "south")
        with pytest.raises(ForbiddenError):
            accounts.add_team(session, hr, "East")
    assert audit_count("team.add") == 1  # South (North existed)


# --- import_staff ------------------------------------------------------------------------------

STAFF_CSV = (
    "name,email,role,team\n"  # line 1
    "Ana Good,ana@example.com,agent,North\n"  # 2
    "Bad Email,not-an-email,agent,North\n"  # 3
    "Carl Role,carl@example.com,supervisor,North\n"  # 4
    "Olga Again,OLGA@example.com,lead,South\n"  # 5: the email of an existing user
    "\n"  # 6: blank, skipped
    "Ana Good,ana2@example.com,agent,North\n"  # 7: the same name as line 2
    "Dan Two Teams,dan@example.com,trainee,North;South\n"  # 8
    "Olga Old,olga.new@example.com,admin,\n"  # 9: an existing name (as admin!)
)


def test_accounts_import_staff_reports_bad_rows_by_line_and_imports_the_rest(hr):
    before = users()["Olga Old"]
    with session_scope() as session:
        report = accounts.import_staff(session, ADMIN, STAFF_CSV, "staff.csv")
    assert report.added == ["Ana Good", "Dan Two Teams"]
    lines = dict(report.errors)
    assert sorted(lines) == [3, 4, 5, 7, 9]
    assert "not an email address" in lines[3]
    assert "unknown role 'supervisor'" in lines[4]
    assert "belongs to Olga Old" in lines[5]
    assert "a user named 'Ana Good' exists" in lines[7]
    assert "a user named 'Olga Old' exists" in lines[9]
    stored = users()
    assert {"Ana Good", "Dan Two Teams"} <= stored.keys()
    assert not {"Bad Email", "Carl Role", "Olga Again"} & stored.keys()
    assert [t.name for t in stored["Dan Two Teams"].teams] == ["North", "South"]
    assert stored["Dan Two Teams"].role == "trainee"
    olga = stored["Olga Old"]  # never changed by the import
    assert (olga.email, olga.role, olga.active) == (before.email, before.role, before.active)
    assert [t.name for t in olga.teams] == ["North"]
    assert audit_count("user.add") == 2


def test_accounts_import_staff_by_hr_refuses_reviewers_row_by_row(hr):
    text = (
        "\ufeffName,Email,Role,Team\n"
        "Tia Trainee,tia@example.com,trainee,North\n"
        "Rex Reviewer,rex@example.com,reviewer,North\n"
        "Amy Agent,amy@example.com,,North\n"  # no role: agent
    )
    with session_scope() as session:
        report = accounts.import_staff(session, hr, text)
    assert report.added == ["Tia Trainee", "Amy Agent"]
    assert [line for line, _ in report.errors] == [3]
    assert "may not do users.add" in report.errors[0][1]
    assert users()["Amy Agent"].role == "agent"


def test_accounts_import_staff_needs_a_header_and_a_right(hr):
    with session_scope() as session:
        with pytest.raises(AccountError, match="header lacks email, role") as missing:
            accounts.import_staff(session, ADMIN, "name\nAna\n", "people.csv")
        assert missing.value.where == "people.csv:1"
        with pytest.raises(ForbiddenError):
            accounts.import_staff(session, Actor(5, "Al", "agent"), STAFF_CSV)


# --- admins ------------------------------------------------------------------------------------


def test_accounts_last_active_admin_cannot_be_demoted_or_deactivated(hr):
    with session_scope() as session:
        make_user(session, "Ada Admin", "admin")
    for change in (
        lambda s: accounts.update_user(s, ADMIN, "Ada Admin", role="agent"),
        lambda s: accounts.set_active(s, ADMIN, "Ada Admin", False),
    ):
        with session_scope() as session:
            with pytest.raises(AccountError, match="last active admin"):
                change(session)
    ada = users()["Ada Admin"]
    assert ada.role == "admin" and ada.active
    # A second admin who is deactivated does not count ...
    with session_scope() as session:
        make_user(session, "Zed Admin", "admin", active=False)
    with session_scope() as session:
        with pytest.raises(AccountError, match="last active admin"):
            accounts.update_user(session, ADMIN, "Ada Admin", role="lead")
    # ... an active one does.
    with session_scope() as session:
        accounts.set_active(session, ADMIN, "Zed Admin", True)
    with session_scope() as session:
        accounts.update_user(session, ADMIN, "Ada Admin", role="lead")
    with session_scope() as session:
        with pytest.raises(AccountError, match="last active admin"):
            accounts.set_active(session, ADMIN, "Zed Admin", False)
    assert users()["Ada Admin"].role == "lead"
    assert audit_count("user.role") == 1


def test_accounts_only_admins_edit_users(hr):
    with session_scope() as session:
        with pytest.raises(ForbiddenError):
            accounts.update_user(session, hr, "Olga Old", role="trainee")
        with pytest.raises(ForbiddenError):
            accounts.set_active(session, hr, "Olga Old", False)
        with pytest.raises(NotFoundError, match="no user 'Nobody'"):
            accounts.update_user(session, ADMIN, "Nobody", role="agent")
        with pytest.raises(AccountError, match="belongs to Hank HR"):
            accounts.update_user(session, ADMIN, "Olga Old", email="hank.hr@example.com")
    assert users()["Olga Old"].role == "agent"


# --- agent names from sources ------------------------------------------------------------------


def write_chat(folder, external_id: str, agent: str):
    path = folder / f"{external_id}.json"
    path.write_text(
        json.dumps(
            {
                "id": external_id,
                "channel": "chat",
                "agent": agent,
                "customer": "Dana Ruiz",
                "turns": [{"speaker": s, "text": t} for s, t in GOOD_CHAT],
            }
        )
    )
    return path


def test_accounts_ingestion_links_agents_by_name_or_email_and_creates_no_users(hr, tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    write_chat(folder, "by-name", "olga old")  # the name in another case
    write_chat(folder, "by-email", "OLGA@example.com")
    write_chat(folder, "ghost-1", "Ghost Agent")
    write_chat(folder, "ghost-2", "Ghost Agent")
    before = users().keys()
    with pytest.raises(ForbiddenError):
        ingest_paths(Actor(1, "Hank HR", "hr"), [folder])
    summary = ingest_paths(ADMIN, [folder])
    assert sorted(summary.ingested) == ["by-email", "by-name", "ghost-1", "ghost-2"]
    assert users().keys() == before  # no account was created
    olga = users()["Olga Old"]
    with session_scope() as session:
        assert find_conversation(session, "by-name").agent_id == olga.id
        assert find_conversation(session, "by-email").agent_id == olga.id
        ghost = find_conversation(session, "ghost-1")
        assert ghost.agent_id is None and ghost.agent_name == "Ghost Agent"
        assert accounts.unmatched_agents(session, ADMIN) == [
            {"agent_name": "Ghost Agent", "conversations": 2}
        ]
        rows = {r["conversation"]: r for r in list_conversations(session, ADMIN)}
        assert rows["ghost-1"]["agent"] == "Ghost Agent"  # the source's name, unlinked


def test_accounts_link_agent_gives_the_account_its_conversations(hr, tmp_path):
    write_chat(tmp_path, "ghost-1", "Ghost Agent")
    write_chat(tmp_path, "ghost-2", "Ghost Agent")
    ingest_paths(ADMIN, [tmp_path])
    with session_scope() as session:
        make_user(session, "Gina Host", "agent", ["North"])
        gina = actor_of(session, "Gina Host")
        with pytest.raises(NotFoundError):
            conversation_view(session, gina, "ghost-1")  # not hers yet
        with pytest.raises(ForbiddenError):
            accounts.unmatched_agents(session, hr)
        with pytest.raises(ForbiddenError):
            accounts.link_agent(session, hr, "Ghost Agent", "Gina Host")
    with session_scope() as session:
        assert accounts.link_agent(session, ADMIN, "Ghost Agent", "gina.host@example.com") == 2
    with session_scope() as session:
        assert accounts.unmatched_agents(session, ADMIN) == []
        assert conversation_view(session, gina, "ghost-1")["agent"] == "Gina Host"
        assert {r["conversation"] for r in list_conversations(session, gina)} == {
            "ghost-1",
            "ghost-2",
        }
        with pytest.raises(NotFoundError, match="no unmatched conversations"):
            accounts.link_agent(session, ADMIN, "Ghost Agent", "Gina Host")
        linked = session.scalar(select(AuditEvent).where(AuditEvent.action == "agent.link"))
        assert linked.after == {"agent_name": "Ghost Agent", "conversations": 2}


def test_accounts_link_survives_reingesting_with_replace(hr, tmp_path):
    path = write_chat(tmp_path, "ghost-1", "Ghost Agent")
    ingest_paths(ADMIN, [path])
    with session_scope() as session:
        accounts.link_agent(session, ADMIN, "Ghost Agent", "Olga Old")
    data = json.loads(path.read_text())
    data["turns"].append({"speaker": "agent", "text": "One more thing: goodbye!"})
    path.write_text(json.dumps(data))
    assert ingest_paths(ADMIN, [path], replace=True).replaced == ["ghost-1"]
    with session_scope() as session:
        assert find_conversation(session, "ghost-1").agent.name == "Olga Old"


# --- the CLI -----------------------------------------------------------------------------------


def test_accounts_cli_users_add_with_password_stdin_then_login(db_url):
    result = trainer(
        "users",
        "add",
        "Tess Trainee",
        "--email",
        "Tess@Example.com",
        "--role",
        "trainee",
        "--team",
        "North",
        "--team",
        "South",
        "--password-stdin",
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "added Tess Trainee <tess@example.com> as trainee in North, South" in result.stdout
    with session_scope() as session:
        assert auth.login(session, "tess@example.com", "a long password").actor.role == "trainee"
    nopass = trainer("users", "add", "No Pass", "--email", "np@example.com")
    assert nopass.exit_code == 0 and "no password yet" in nopass.stdout
    empty = trainer(
        "users", "add", "Empty", "--email", "e@example.com", "--password-stdin", input="\n"
    )
    assert empty.exit_code == 2 and "no password on standard input" in empty.stderr
    short = trainer(
        "users", "add", "Short", "--email", "s@example.com", "--password-stdin", input="abc\n"
    )
    assert short.exit_code == 2 and "too short" in short.stderr
    assert "Traceback" not in short.output
    assert not {"Empty", "Short"} & users().keys()
    listing = trainer("users", "list", "--json")
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["Tess Trainee"]["teams"] == ["North", "South"] and rows["Tess Trainee"]["active"]
    assert not rows["No Pass"]["has_password"]


def test_accounts_cli_as_user_follows_the_policy(db_url):
    with session_scope() as session:
        make_user(session, "Hank HR", "hr")
    ok = trainer("--as", "hank.hr@example.com", "users", "add", "Al", "--email", "al@example.com")
    assert ok.exit_code == 0, ok.output
    refused = trainer(
        "--as", "Hank HR", "users", "add", "Rex", "--email", "rex@example.com", "--role", "reviewer"
    )
    assert refused.exit_code == 2 and "[E910]" in refused.stderr
    assert trainer("--as", "Nobody", "users", "list").exit_code == 2
    assert trainer("--as", "Al", "users", "list").exit_code == 2  # an agent manages no one
    with session_scope() as session:
        added = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.add"))
        assert added.actor_name == "Hank HR"


def test_accounts_cli_users_import_prints_line_numbered_errors(hr, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(STAFF_CSV)
    result = trainer("users", "import", path)
    assert result.exit_code == 1
    assert "imported 2, refused 5" in result.stdout
    for line in (3, 4, 5, 7, 9):
        assert f"staff.csv:{line}:" in result.stderr
    assert "staff.csv:2:" not in result.stderr and "staff.csv:8:" not in result.stderr
    again = trainer("users", "import", path)  # everything exists now: all refused
    assert again.exit_code == 1 and "imported 0, refused 7" in again.stdout
    missing = trainer("users", "import", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "cannot read the file" in missing.stderr


def test_accounts_cli_users_token_issue_list_revoke(hr):
    result = trainer("users", "token", "Olga Old", "--name", "ci")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith(auth.TOKEN_PREFIX) and "not shown again" in result.stderr
    with session_scope() as session:
        assert auth.resolve_api_token(session, token).name == "Olga Old"
    listing = trainer("users", "tokens")
    assert listing.exit_code == 0 and token[:12] in listing.stdout and token not in listing.stdout
    assert trainer("--as", "Hank HR", "users", "token", "Olga Old").exit_code == 2
    assert trainer("users", "token", "Nobody").exit_code == 2
    with session_scope() as session:
        token_id = auth.list_api_tokens(session, ADMIN)[0]["id"]
    assert trainer("users", "revoke", token_id).exit_code == 0
    with session_scope() as session:
        assert auth.resolve_api_token(session, token) is None


def test_accounts_cli_deactivate_unmatched_and_link(hr, tmp_path):
    write_chat(tmp_path, "ghost-1", "Ghost Agent")
    assert trainer("ingest", tmp_path).exit_code == 0
    unmatched = trainer("users", "unmatched")
    assert "Ghost Agent: 1 conversation(s)" in unmatched.stdout
    linked = trainer("users", "link", "Ghost Agent", "Olga Old")
    assert linked.exit_code == 0 and "linked 1 conversation(s)" in linked.stdout
    assert "every agent name matches an account" in trainer("users", "unmatched").stdout
    off = trainer("users", "deactivate", "olga@example.com")
    assert off.exit_code == 0 and "Olga Old is deactivated" in off.stdout
    assert trainer("--as", "Olga Old", "users", "list").exit_code == 2  # deactivated
    with session_scope() as session:
        assert not session.scalar(select(User).where(User.name == "Olga Old")).active
        record = session.scalar(
            select(ConversationRecord).where(ConversationRecord.external_id == "ghost-1")
        )
        assert record.agent.name == "Olga Old"  # history keeps its author
