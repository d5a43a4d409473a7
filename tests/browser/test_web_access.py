"""Signing in and what each role sees: the login form and its messages, sign-out, every route
asking a signed-out browser to sign in, the navigation of each role, the call audio refused
without a session, and the admin and HR pages."""

from __future__ import annotations

import re

import pytest

from .conftest import AGENTS, NEWEST_FIRST, PASSWORD, email, login, require_playwright

expect = require_playwright()

pytestmark = pytest.mark.browser

ROW = "[data-testid=conversation-row]"
NAV_ITEMS = ("conversations", "scorecards", "practice", "admin", "audit")
# role -> (nav items it sees, the page "/" sends it to)
ROLES = {
    "trainee": ({"scorecards", "practice"}, "/practice"),
    "agent": ({"conversations", "scorecards", "practice"}, "/conversations"),
    "reviewer": ({"conversations", "scorecards", "practice"}, "/conversations"),
    "lead": ({"conversations", "scorecards", "practice"}, "/conversations"),
    "hr": ({"scorecards", "practice", "admin"}, "/practice"),
    "admin": (set(NAV_ITEMS), "/conversations"),
}
ROUTES = [
    "/",
    "/conversations",
    "/conversations/b-1",
    "/scorecard",
    "/practice",
    "/practice/double-charge",
    "/account",
    "/admin",
    "/admin/users",
    "/admin/teams",
    "/admin/import",
    "/admin/agents",
    "/admin/tokens",
    "/admin/audit",
]


def rows_of(page) -> list[str]:
    return page.locator(ROW).evaluate_all("rows => rows.map(r => r.dataset.conversation)")


def nav_items(page) -> set[str]:
    shown = set()
    for item in NAV_ITEMS:
        if page.get_by_test_id(f"nav-{item}").is_visible():
            shown.add(item)
    return shown


@pytest.mark.parametrize("route", ROUTES)
def test_web_access_signed_out_browser_is_sent_to_login(page, route):
    page.goto(route)
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_test_id("login-page")).to_be_visible()
    expect(page.get_by_test_id("turn")).to_have_count(0)
    expect(page.locator(ROW)).to_have_count(0)


@pytest.mark.parametrize("role", list(ROLES))
def test_web_access_each_role_sees_its_navigation(page, role, shot):
    items, home = ROLES[role]
    login(page, role)
    expect(page).to_have_url(re.compile(re.escape(home) + "/?$"))
    expect(page.get_by_test_id("nav-practice")).to_be_visible()
    assert nav_items(page) == items
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    shot(page, f"home-{role}")


def test_web_access_agent_sees_only_their_conversations(page):
    login(page, "agent", next_path="/conversations")
    expect(page.locator(ROW).first).to_be_visible()
    assert rows_of(page) == [i for i in NEWEST_FIRST if AGENTS[i] == "Sam Lee"]
    # Another agent's conversation does not exist for them.
    page.goto("/conversations/b-2")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_test_id("turn")).to_have_count(0)


def test_web_access_lead_sees_only_their_teams_conversations(page):
    login(page, "lead", next_path="/conversations")
    expect(page.locator(ROW).first).to_be_visible()
    assert rows_of(page) == [i for i in NEWEST_FIRST if AGENTS[i] in ("Sam Lee", "Priya Shah")]
    page.goto("/scorecard?since=2026-03-01&until=2026-03-31")  # the seeded conversations
    rows = page.locator("[data-testid=scorecard-row][data-kind=agent]")
    expect(rows).to_have_count(2)


def test_web_access_trainee_has_no_conversations(page):
    login(page, "trainee")
    page.goto("/conversations")
    expect(page.get_by_test_id("error")).to_be_visible()
    expect(page.locator(ROW)).to_have_count(0)


def test_web_access_login_returns_to_the_page_asked_for(page):
    page.goto("/scorecard")
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fscorecard$"))
    expect(page.get_by_test_id("login-submit")).to_be_enabled()
    page.locator("#email").fill(email("Jordan Kim"))
    page.locator("#password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/scorecard/?$"))
    expect(page.get_by_test_id("scorecard-page")).to_be_visible()


def test_web_access_wrong_password_says_so(page, shot):
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_be_enabled()
    page.locator("#email").fill(email("Wrong Pass"))
    page.locator("#password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/login/?\?error=credentials"))
    expect(page.get_by_test_id("login-error")).to_have_text(re.compile("Wrong email or password"))
    shot(page, "login-wrong-password")


def test_web_access_logout_ends_the_session(page):
    # From a page that does not poll (the conversations list refreshes pending calls, which
    # re-renders the open menu under a slow machine's click).
    login(page, "reviewer", next_path="/account")
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/?\?signed_out=1$"))
    expect(page.get_by_test_id("login-notice")).to_contain_text("signed out")
    page.goto("/conversations")
    expect(page).to_have_url(re.compile(r"/login/?\?next="))


def test_web_access_call_audio_needs_a_session(page, browser, app_url):
    anonymous = browser.new_context(base_url=app_url)
    try:
        assert anonymous.request.get("/api/v1/audio/b-5").status == 401
    finally:
        anonymous.close()
    login(page, "reviewer")
    response = page.request.get("/api/v1/audio/b-5")
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    # The old unauthenticated route is gone.
    assert page.request.get("/api/audio/b-5").status in (404, 405)


def test_web_access_unknown_page_shows_not_found(page):
    page.goto("/no/such/page")
    expect(page.get_by_test_id("not-found-page")).to_be_visible()
    expect(page.get_by_test_id("not-found-page")).not_to_contain_text("/home/")


def test_web_access_small_screen_menu_opens_the_roles_links(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=app_url)
    try:
        tab = context.new_page()
        login(tab, "hr", next_path="/practice")
        expect(tab.locator("[data-testid=scenario-card]").first).to_be_visible()
        expect(tab.get_by_test_id("nav-practice")).to_be_hidden()
        tab.get_by_test_id("nav-menu").click()
        drawer = tab.get_by_test_id("nav-drawer")
        expect(drawer.get_by_test_id("drawer-admin")).to_be_visible()
        expect(drawer.get_by_test_id("drawer-conversations")).to_have_count(0)
        drawer.get_by_test_id("drawer-admin").click()
        expect(tab).to_have_url(re.compile(r"/admin/users/?$"))
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways at 390 px ({width} px wide)"
    finally:
        context.close()


def test_web_access_an_ended_session_says_so_on_the_login_page(page, browser_db_url):
    from sqlalchemy import select

    from trainer.db.models import User
    from trainer.db.session import session_scope
    from trainer.services.auth import revoke_sessions

    login(page, "hr", next_path="/scorecard")
    with session_scope(browser_db_url) as session:
        hr = session.scalar(select(User).where(User.role == "hr"))
        assert revoke_sessions(session, hr.id) >= 1  # as a deactivation or expiry would
    page.goto("/scorecard")
    expect(page).to_have_url(re.compile(r"/login/?\?ended=1&next=%2Fscorecard$"))
    expect(page.get_by_test_id("login-notice")).to_contain_text("Your session has ended")


@pytest.fixture
def admin_token(browser_db_url) -> str:
    """A bearer token of the seeded admin."""
    from sqlalchemy import select

    from trainer.access import Actor
    from trainer.db.models import User
    from trainer.db.session import session_scope
    from trainer.services.auth import issue_api_token

    with session_scope(browser_db_url) as session:
        admin = session.scalar(select(User).where(User.role == "admin"))
        return issue_api_token(session, Actor.local_admin(), admin, "limit test")


@pytest.mark.parametrize("path", ["/api/v1/conversations", "/auth/login"])
def test_web_access_a_chunked_body_over_the_limit_is_cut_off(app_url, admin_token, path):
    """The served app (the API mounted into Reflex) stops reading a body that has no
    Content-Length once it passes TRAINER_MAX_UPLOAD_MB and answers 413; a login form's field
    is refused at 1 MB by the form parser."""
    import socket
    from urllib.parse import urlsplit

    from .conftest import UPLOAD_LIMIT_MB

    address = urlsplit(app_url)
    kind = "application/json" if path.startswith("/api") else "application/x-www-form-urlencoded"
    chunk = b"x" * (256 * 1024)
    with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"Authorization: Bearer {admin_token}\r\nContent-Type: {kind}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent = 0
        try:
            while sent < 3 * UPLOAD_LIMIT_MB * 1024 * 1024:  # bounded: three times the limit
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what we want
        answer = b""
        try:
            while not answer.endswith(b"}") and len(answer) < 10_000:
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    if path == "/auth/login":
        # A form field is capped sooner still, by the form parser (1 MB a field).
        assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
        assert b"exceeded maximum size" in answer
    else:
        assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
        assert b"too big" in answer


def test_web_access_cors_answers_only_the_apps_own_origin(app_url, admin_token):
    """Reflex's default would let any site read answers with the user's credentials; the served
    app names only its own origin (TRAINER_ORIGINS)."""
    import urllib.request

    def allowed_origin(origin: str) -> str | None:
        request = urllib.request.Request(
            f"{app_url}/api/v1/me",
            headers={"Origin": origin, "Authorization": f"Bearer {admin_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("access-control-allow-origin")

    assert allowed_origin(app_url) == app_url
    assert allowed_origin("https://evil.example") is None
