"""Fixtures for real-browser tests: a seeded SQLite database, the Reflex app started on it in
production mode on a free port, and headless Chromium driven by Playwright.

Users of every role are seeded (password PASSWORD); `login(page, email)` signs a browser in
through the login form, as a person would.

Missing Chromium, bun or Playwright skips these tests with the reason, or fails them when
TRAINER_REQUIRE_SERVICES=1. The server's output goes to `<tmp>/reflex.log` (its path is printed
in any failure); screenshots go to $TRAINER_SHOTS_DIR (default /tmp/trainer-shots).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from trainer.access import Actor
from trainer.conversation import Conversation, Turn
from trainer.db.repository import store_conversation
from trainer.db.session import session_scope
from trainer.services.accounts import add_user
from trainer.services.scoring import score_stored

from ..call_seed import store_call, store_pending_call, write_wav
from ..conftest import GOOD_CHAT, POOR_CHAT, REPO, missing_service, services_required

START_TIMEOUT_S = float(os.environ.get("TRAINER_BROWSER_START_TIMEOUT", "300"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UPLOAD_LIMIT_MB = 4
SHOTS = Path(os.environ.get("TRAINER_SHOTS_DIR", "/tmp/trainer-shots"))

CALL = [
    ("system", "Call recorded for quality and training purposes."),
    *GOOD_CHAT,
]
# (id, turns, agent, channel, customer, day of March 2026)
SEED = [
    ("b-1", GOOD_CHAT, "Sam Lee", "chat", "Dana Ruiz", 2),
    ("b-2", POOR_CHAT, "Priya Shah", "chat", "Tom Becker", 3),
    ("b-3", CALL, "Sam Lee", "call", "Helen Morris", 5),
    ("b-4", GOOD_CHAT, "Marcus Bell", "chat", "Raj Patel", 6),
]
# Transcribed calls (tests/call_seed.py: timed words, speech metrics, a small WAV to play) and
# calls not transcribed yet: (id, agent, status) with status "ingested" for a finished call.
CALLS = [
    ("b-5", "Laura Chen", "ingested"),  # the player, seeking and the analytics panel
    ("b-6", "Laura Chen", "processing"),  # polled until the test finishes it
    ("b-7", "Laura Chen", "failed"),
    ("b-8", "Laura Chen", "ingested"),  # swapped by a test
]
FAILED_REASON = "AudioError: the file is not audio (no audio stream found)"
IDS = sorted([s[0] for s in SEED] + [c[0] for c in CALLS])
AGENTS = {s[0]: s[2] for s in SEED} | {c[0]: c[1] for c in CALLS}
CHANNELS = {s[0]: s[3] for s in SEED} | {c[0]: "call" for c in CALLS}
# The conversations list shows the newest first (the calls are stored on days 10 to 13).
DAYS = {s[0]: s[5] for s in SEED} | {c[0]: day for day, c in enumerate(CALLS, 10)}
NEWEST_FIRST = sorted(IDS, key=lambda i: DAYS[i], reverse=True)


PASSWORD = "browser-pass-123"
# (name, role, teams): one or more users per role. The lead leads Tier 1 North only (Sam and
# Priya), so Marcus's and Laura's conversations are not theirs to see.
USERS = [
    ("Sam Lee", "agent", ["Tier 1 North"]),
    ("Priya Shah", "agent", ["Tier 1 North"]),
    ("Marcus Bell", "agent", ["Tier 1 South"]),
    ("Laura Chen", "agent", ["Voice Support"]),
    ("Morgan Reyes", "lead", ["Tier 1 North"]),
    ("Jordan Kim", "reviewer", []),
    ("Casey Wong", "reviewer", []),  # a second reviewer: answers disputes, calibrates
    ("Hana Ito", "hr", []),
    ("Alex Admin", "admin", []),
    ("Riley Park", "trainee", ["Tier 1 North"]),
    ("Noor Haddad", "trainee", ["Tier 1 South"]),
    # new hires of the onboarding test: no other test practises as them
    ("Ola Berg", "trainee", ["Tier 1 North"]),
    ("Tomas Ng", "trainee", ["Tier 1 South"]),
    ("Wrong Pass", "trainee", []),  # only ever given the wrong password
]
ROLE_USER = {
    "trainee": "Riley Park",
    "agent": "Sam Lee",
    "reviewer": "Jordan Kim",
    "lead": "Morgan Reyes",
    "hr": "Hana Ito",
    "admin": "Alex Admin",
}


def email(name: str) -> str:
    """A seeded user's email: "Sam Lee" -> sam.lee@example.com."""
    return f"{name.lower().replace(' ', '.')}@example.com"


def seed(url: str, audio_dir: Path) -> None:
    """Store the USERS, then store and score the SEED conversations and CALLS (their agents are
    linked to the accounts) in the database at `url`."""
    with session_scope(url) as session:
        admin = Actor.local_admin()
        for name, role, teams in USERS:
            add_user(session, admin, name, email(name), role, teams, PASSWORD)
    with session_scope(url) as session:
        for day, (external_id, agent, status) in enumerate(CALLS, 10):
            if status == "ingested":
                wav = write_wav(audio_dir / f"{external_id}.wav")
                store_call(session, external_id, wav, agent=agent, day=day)
            else:
                reason = FAILED_REASON if status == "failed" else None
                store_pending_call(
                    session, external_id, status, 0.3, "left channel", reason, agent=agent, day=day
                )
        for external_id, turns, agent, channel, customer, day in SEED:
            timed = channel == "call"
            conversation = Conversation(
                external_id=external_id,
                turns=[
                    Turn(s, t, *((i * 6.0, i * 6.0 + 5.0) if timed else (None, None)))  # type: ignore[arg-type]
                    for i, (s, t) in enumerate(turns)
                ],
                channel=channel,
                agent=agent,
                customer=customer,
                started_at=datetime(2026, 3, day, 10, 0),
            )
            store_conversation(session, conversation)
        score_stored(session, [s[0] for s in SEED] + [c[0] for c in CALLS if c[2] == "ingested"])


def _bun() -> str | None:
    local = REPO / ".tools" / "node_modules" / ".bin" / "bun"
    return str(local) if local.exists() else shutil.which("bun")


def _chromium() -> str | None:
    """$TRAINER_CHROMIUM if set, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    wanted = os.environ.get("TRAINER_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() else shutil.which(wanted)
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and everything it started (its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Chromium's executable, or a skip/fail saying it is missing."""
    path = _chromium()
    if path is None:
        missing_service("Chromium not found (apt-get install chromium, or set TRAINER_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_service("Playwright for Python is not installed (pip install -e '.[test]')")
    return path


@pytest.fixture(scope="session")
def browser_db_url(tmp_path_factory) -> str:
    """A seeded SQLite database for the app under test (overrides the suite's per-test one)."""
    folder = tmp_path_factory.mktemp("browser-db")
    url = f"sqlite:///{folder / 'trainer.db'}"
    seed(url, folder / "audio")
    return url


@pytest.fixture(scope="session")
def app_url(browser_db_url, chromium_path, tmp_path_factory) -> str:
    """The base URL of the Trainer web app: `reflex run --env prod` on the seeded database."""
    bun = _bun()
    if bun is None:
        missing_service("bun not found (run `make bun`: it installs bun from the npm registry)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("reflex") / "reflex.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(
        TRAINER_DATABASE_URL=browser_db_url,
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        REFLEX_DIR=str(REPO / ".tools" / "reflex"),
        # The only origin browsers may call the backend from (rxconfig's CORS, the login form).
        TRAINER_ORIGINS=f"http://127.0.0.1:{port}",
        TRAINER_PORT=str(port),
        # Small, so a test can pass it quickly (the practice recordings are far smaller).
        TRAINER_MAX_UPLOAD_MB=str(UPLOAD_LIMIT_MB),
        PATH=os.pathsep.join(
            [str(Path(bun).parent), str(Path(sys.executable).parent), env["PATH"]]
        ),
    )
    env.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/")
    command = [
        sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
        "--backend-port", str(port), "--loglevel", "info",
    ]  # fmt: skip
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"reflex exited with {process.returncode} before serving; log {log_path}:\n"
                    + _tail(log_path),
                    pytrace=False,
                )
            if _get(f"{base}/ping") == 200 and _get(f"{base}/login") == 200:
                break
            if time.monotonic() - started > START_TIMEOUT_S:
                pytest.fail(
                    f"reflex did not serve {base} within {START_TIMEOUT_S:.0f}s; log {log_path}:\n"
                    + _tail(log_path),
                    pytrace=False,
                )
            time.sleep(0.5)
        print(f"\nreflex served {base} after {time.monotonic() - started:.1f}s (log {log_path})")
        yield base
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Chromium (the system's, never a Playwright download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser page (own context, so no state leaks between tests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=app_url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot():
    """Save a screenshot of what a page shows under SHOTS (for people to look at, not asserted)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        tab.screenshot(path=str(path))
        return path

    return take


def login(tab, who: str, password: str = PASSWORD, next_path: str = "/") -> None:
    """Sign `tab` in through the login form as `who` (a role, a seeded name or an email) and
    wait until it has left the login page."""
    from playwright.sync_api import expect

    address = who if "@" in who else email(ROLE_USER.get(who, who))
    tab.goto("/login" if next_path == "/" else f"/login?next={next_path}")
    submit = tab.get_by_test_id("login-submit")
    expect(submit).to_be_enabled()
    tab.locator("#email").fill(address)
    tab.locator("#password").fill(password)
    submit.click()
    tab.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def signed_in(page):
    """`signed_in(role_or_name)` signs the test's page in and returns it."""

    def sign(who: str, next_path: str = "/"):
        login(page, who, next_path=next_path)
        return page

    return sign


@contextlib.contextmanager
def signed_in_as(browser, app_url: str, who: str, next_path: str = "/"):
    """A fresh browser context (its own cookies) signed in as `who` at `next_path`, for tests
    where several people take turns; fails on any JavaScript error on its pages."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=app_url)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(tab, who, next_path=next_path)
        yield tab
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page as {who}: {errors}"


def require_playwright():
    """Playwright's `expect`, for a browser test module to call at import: the module is
    skipped when Playwright for Python is missing (it fails instead under
    TRAINER_REQUIRE_SERVICES=1)."""
    try:
        from playwright.sync_api import expect
    except ImportError:  # pragma: no cover - playwright is in the [test] extra
        if services_required():
            raise
        pytest.skip("Playwright for Python is not installed", allow_module_level=True)
    return expect
