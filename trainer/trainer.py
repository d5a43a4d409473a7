"""The Reflex app (Reflex looks for `<app_name>/<app_name>.py`); the pages live in `trainer.web`."""

import reflex as rx

from trainer.web import routes
from trainer.web.api import api
from trainer.web.pages import (
    ConversationsState,
    PracticeAttemptState,
    PracticeState,
    ReviewState,
    ScorecardState,
    conversations_page,
    practice_attempt_page,
    practice_page,
    review_page,
    scorecard_page,
)

# The theme is configured in rxconfig.py (RadixThemesPlugin). `api` adds the HTTP routes the
# pages use beside Reflex's own (a call's recording: /api/audio/<conversation id>).
app = rx.App(
    api_transformer=api,
    html_lang="en",
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
app.add_page(
    conversations_page,
    route=routes.HOME,
    title="Conversations · Trainer",
    on_load=ConversationsState.on_load,
)
app.add_page(
    conversations_page,
    route=routes.CONVERSATIONS,
    title="Conversations · Trainer",
    on_load=ConversationsState.on_load,
)
app.add_page(
    review_page,
    route=routes.REVIEW,
    title="Conversation review · Trainer",
    on_load=ReviewState.on_load,
)
app.add_page(
    scorecard_page,
    route=routes.SCORECARD,
    title="Scorecard · Trainer",
    on_load=ScorecardState.on_load,
)
app.add_page(
    practice_page,
    route=routes.PRACTICE,
    title="Practice · Trainer",
    on_load=PracticeState.on_load,
)
app.add_page(
    practice_attempt_page,
    route=routes.PRACTICE_SCENARIO,
    title="Role-play practice · Trainer",
    on_load=PracticeAttemptState.on_load,
)
