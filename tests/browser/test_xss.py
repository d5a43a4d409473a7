"""Stored XSS in a real browser: transcript text, agent, customer and team names, a rubric-free
coaching title and a review-rule name that hold HTML and `javascript:` payloads render as text
on every page that shows them, and none of them runs (no `window.__xss`, no dialog, no
JavaScript error). The app also answers with its Content-Security-Policy.

The app under test is conftest.py's (`reflex run --env prod`), started here on a database seeded
with the payloads: once on SQLite and once on PostgreSQL. Run under
`flock /tmp/trainer-browser.lock` like the other browser tests (they build `.web`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trainer.access import Actor
from trainer.conversation import Conversation, Turn
from trainer.db import session as db_session
from trainer.db.models import AssignmentRule, ConversationRecord, ReviewAssignment, User
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.accounts import add_user
from trainer.services.coaching import open_session
from trainer.services.scoring import score_stored

from ..conftest import GOOD_CHAT, postgres_database

# app_url is re-declared here so that it starts a second app on this module's payload database;
# the browser (one Playwright per process) is the shared one from conftest.
from .conftest import (  # noqa: F401 - fixtures reused by name
    PASSWORD,
    app_url,
    login,
    require_playwright,
)

expect = require_playwright()

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMG = "<img src=x onerror=window.__xss=1>"
SVG = '"><svg onload=window.__xss=1>'
LINK = '<a href="javascript:window.__xss=1">click me</a>'
JS_URL = "javascript:window.__xss=1"

AGENT = f"Eve {IMG}"
REVIEWER = "Rex Reviewer"
LEAD = "Lee Lead"
ADMIN_NAME = "Ada Admin"
TEAM = f"Team {SVG}"
CUSTOMER = f"Cus {SCRIPT}"
CONVERSATION_ID = "xss-1"
COACHING_TITLE = f"Coach {SCRIPT} {LINK}"
RULE_NAME = f"Rule {IMG}"
TURNS = [
    ("agent", f"Hello {SCRIPT} how can I help?"),
    ("customer", f"My name is {IMG} and I am frustrated {SVG}"),
    ("agent", f"I'm sorry to hear that. See {LINK} or {JS_URL}"),
    *GOOD_CHAT[3:],
]


def _email(name: str) -> str:
    return {AGENT: "eve@example.com"}.get(name, name.lower().replace(" ", ".") + "@example.com")


def seed_payloads(url: str) -> None:
    """Users (an agent and a team named with payloads), a scored chat full of payloads, a
    coaching session and a review assignment whose titles hold payloads."""
    now = datetime.now(UTC).replace(microsecond=0)
    admin = Actor.local_admin()
    with session_scope(url) as session:
        for name, role, teams in [
            (AGENT, "agent", [TEAM]),
            (REVIEWER, "reviewer", []),
            (LEAD, "lead", [TEAM]),
            (ADMIN_NAME, "admin", []),
        ]:
            add_user(session, admin, name, _email(name), role, teams, PASSWORD)
    with session_scope(url) as session:
        store_conversation(
            session,
            Conversation(
                external_id=CONVERSATION_ID,
                turns=[Turn(s, t) for s, t in TURNS],  # type: ignore[arg-type]
                channel="chat",
                agent=AGENT,
                customer=CUSTOMER,
                started_at=now - timedelta(days=1),
            ),
        )
        score_stored(session, [CONVERSATION_ID])
    with session_scope(url) as session:
        users = {u.name: u for u in session.query(User).all()}
        open_session(
            session,
            Actor.of(users[LEAD]),
            AGENT,
            COACHING_TITLE,
            conversations=[CONVERSATION_ID],
            shared_notes=f"Notes {SCRIPT}",
            actions=[(f"Action {IMG}", None)],
        )
        rule = AssignmentRule(name=RULE_NAME, created_by_id=users[ADMIN_NAME].id)
        session.add(rule)
        session.flush()
        record = session.query(ConversationRecord).filter_by(external_id=CONVERSATION_ID).one()
        session.add(
            ReviewAssignment(
                rule_id=rule.id,
                period_key="2026-W01",
                reviewer_id=users[REVIEWER].id,
                agent_id=users[AGENT].id,
                conversation_id=record.id,
                seed=1,
                due_at=now + timedelta(days=2),
            )
        )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def browser_db_url(request, tmp_path_factory):
    """The payload database, on SQLite and on PostgreSQL (overrides the browser tests' seeded
    one for this module's app, which starts once per database)."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("xss-db")
        url = f"sqlite:///{folder / 'trainer.db'}"
        seed_payloads(url)
        yield url
        return
    from sqlalchemy import text

    admin, name, url = postgres_database()
    seed_payloads(url)
    yield url
    db_session.reset_cache()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def tab(browser, app_url):  # noqa: F811 - the imported fixtures
    """A fresh page that records dialogs and JavaScript errors, with a trap on window.__xss."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=app_url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    # A policy violation is only a console message: the app must need nothing the CSP blocks.
    page.on(
        "console",
        lambda m: (
            page.errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    yield page
    context.close()


def _assert_inert(page, *texts: str) -> None:
    """Every payload text is on the page as text; nothing ran."""
    for text in texts:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    assert page.evaluate("typeof window.__xss") == "undefined"
    # No element the payloads would have made exists (text stays text).
    assert page.locator("img[src=x], svg[onload], a[href^='javascript:']").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_xss_pages_render_payloads_as_text(tab):
    login(tab, _email(ADMIN_NAME))
    response = tab.goto("/conversations")
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers.get("x-content-type-options") == "nosniff"
    expect(tab.get_by_test_id("conversation-row").first).to_be_visible()
    _assert_inert(tab, AGENT, CONVERSATION_ID)

    tab.goto(f"/conversations/{CONVERSATION_ID}")
    _assert_inert(tab, SCRIPT, IMG, SVG, LINK, JS_URL, CUSTOMER)

    tab.goto("/scorecard")
    _assert_inert(tab, AGENT)
    tab.goto("/admin/users")
    _assert_inert(tab, AGENT, TEAM)
    tab.goto("/admin/teams")
    _assert_inert(tab, TEAM)


def test_xss_admin_coaching_list_renders_payloads_as_text(tab):
    login(tab, _email(ADMIN_NAME))
    tab.goto("/coaching")
    _assert_inert(tab, COACHING_TITLE)


def test_xss_reviewer_queue_renders_payloads_as_text(tab):
    login(tab, _email(REVIEWER))
    tab.goto("/queue")
    _assert_inert(tab, CONVERSATION_ID, AGENT)


def test_xss_agent_sees_own_coaching_as_text(tab):
    login(tab, "eve@example.com")
    tab.goto("/coaching")
    _assert_inert(tab, COACHING_TITLE)
    tab.goto(f"/conversations/{CONVERSATION_ID}")
    _assert_inert(tab, SCRIPT, IMG)
