"""The Reflex app (Reflex looks for `<app_name>/<app_name>.py`); the pages live in `trainer.web`.

The backend also serves the REST API and the login routes (`trainer.api`): `api_transformer`
applies its entries in order, each wrapping the app so far, so the FastAPI app mounts Reflex
under itself, then the body-size limit and the security headers wrap everything (outermost
last)."""

import reflex as rx

from trainer.api.app import SecurityHeaders, create_api
from trainer.api.limits import BodyLimitMiddleware
from trainer.services.secret_key import refuse_to_serve_without_key, refuse_to_start_without_key
from trainer.web import routes
from trainer.web.admin.audit import AuditState, audit_page
from trainer.web.admin.staff_import import ImportState, import_page
from trainer.web.admin.teams import AgentsState, TeamsState, agents_page, teams_page
from trainer.web.admin.tokens import TokensState, tokens_page
from trainer.web.admin.users import UsersState, users_page
from trainer.web.agreement.page import agreement_page
from trainer.web.agreement.state import AgreementState
from trainer.web.auth.account import AccountState, account_page
from trainer.web.auth.login import LoginState, login_page
from trainer.web.calibration.page import calibration_page
from trainer.web.calibration.session_page import calibration_session_page
from trainer.web.calibration.state import CalibrationListState, CalibrationSessionState
from trainer.web.coaching.page import coaching_page
from trainer.web.coaching.session_page import coaching_session_page
from trainer.web.coaching.state import CoachingListState, CoachingSessionState, CoachLinkState
from trainer.web.components import page
from trainer.web.conversations.page import conversations_page
from trainer.web.conversations.review_page import review_page
from trainer.web.conversations.review_state import ReviewState
from trainer.web.conversations.state import ConversationsState
from trainer.web.errors import backend_exception_handler
from trainer.web.not_found import not_found_page
from trainer.web.onboarding.cohort_page import cohort_page
from trainer.web.onboarding.page import onboarding_page
from trainer.web.onboarding.state import CohortState, OnboardingState
from trainer.web.practice.attempt_page import practice_attempt_page
from trainer.web.practice.attempt_state import PracticeAttemptState
from trainer.web.practice.page import practice_page
from trainer.web.practice.state import PracticeState
from trainer.web.queue.page import queue_page
from trainer.web.queue.state import QueueState
from trainer.web.scorecards.page import scorecard_page
from trainer.web.scorecards.state import ScorecardState
from trainer.web.state import AppState

# `reflex run` refuses before building the frontend (minutes) when there is no secret key
# outside demo mode; the lifespan task below covers any other way of starting the server.
refuse_to_serve_without_key()

# The theme is configured in rxconfig.py (RadixThemesPlugin).
app = rx.App(
    api_transformer=[create_api(), BodyLimitMiddleware, SecurityHeaders],
    backend_exception_handler=backend_exception_handler,
    html_lang="en",
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
app.register_lifespan_task(refuse_to_start_without_key)


def home_page() -> rx.Component:
    """`/` sends each role to its first page (see AppState.go_home)."""
    return page(rx.center(rx.spinner(size="3"), padding="3rem"), testid_name="home-page")


def signed_in(handler) -> list:
    """A page's on_load: the login check first, then the page's own loading."""
    return [AppState.check_login, handler]


# (component, route, title, on_load) of every signed-in page.
PAGES = [
    (home_page, routes.HOME, "Trainer", signed_in(AppState.go_home)),
    (
        conversations_page,
        routes.CONVERSATIONS,
        "Conversations",
        signed_in(ConversationsState.on_load),
    ),
    (
        review_page,
        routes.REVIEW,
        "Conversation review",
        [*signed_in(ReviewState.on_load), CoachLinkState.on_load],
    ),
    (scorecard_page, routes.SCORECARD, "Scorecards", signed_in(ScorecardState.on_load)),
    (queue_page, routes.QUEUE, "Review queue", signed_in(QueueState.on_load)),
    (agreement_page, routes.AGREEMENT, "Agreement", signed_in(AgreementState.on_load)),
    (
        calibration_page,
        routes.CALIBRATION,
        "Calibration",
        signed_in(CalibrationListState.on_load),
    ),
    (
        calibration_session_page,
        routes.CALIBRATION_SESSION,
        "Calibration session",
        signed_in(CalibrationSessionState.on_load),
    ),
    (coaching_page, routes.COACHING, "Coaching", signed_in(CoachingListState.on_load)),
    (
        coaching_session_page,
        routes.COACHING_SESSION,
        "Coaching session",
        signed_in(CoachingSessionState.on_load),
    ),
    (onboarding_page, routes.ONBOARDING, "Onboarding", signed_in(OnboardingState.on_load)),
    (cohort_page, routes.ONBOARDING_COHORT, "Cohort", signed_in(CohortState.on_load)),
    (practice_page, routes.PRACTICE, "Practice", signed_in(PracticeState.on_load)),
    (
        practice_attempt_page,
        routes.PRACTICE_SCENARIO,
        "Role-play practice",
        signed_in(PracticeAttemptState.on_load),
    ),
    (account_page, routes.ACCOUNT, "Your account", signed_in(AccountState.on_load)),
    (users_page, routes.ADMIN, "Users", signed_in(UsersState.on_load)),
    (users_page, routes.ADMIN_USERS, "Users", signed_in(UsersState.on_load)),
    (teams_page, routes.ADMIN_TEAMS, "Teams", signed_in(TeamsState.on_load)),
    (import_page, routes.ADMIN_IMPORT, "Staff import", signed_in(ImportState.on_load)),
    (agents_page, routes.ADMIN_AGENTS, "Unmatched agents", signed_in(AgentsState.on_load)),
    (tokens_page, routes.ADMIN_TOKENS, "API tokens", signed_in(TokensState.on_load)),
    (audit_page, routes.ADMIN_AUDIT, "Audit log", signed_in(AuditState.on_load)),
]

for component, route, title, on_load in PAGES:
    app.add_page(component, route=route, title=f"{title} · Trainer", on_load=on_load)

app.add_page(login_page, route=routes.LOGIN, title="Sign in · Trainer", on_load=LoginState.on_load)
app.add_page(
    not_found_page,
    route=routes.NOT_FOUND,
    title="Page not found · Trainer",
    on_load=AppState.load_user,
)
