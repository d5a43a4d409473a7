"""One module per page, each owning its state (thin: it calls the services and the view models)."""

from trainer.web.pages.conversations import ConversationsState, conversations_page
from trainer.web.pages.practice import (
    PracticeAttemptState,
    PracticeState,
    practice_attempt_page,
    practice_page,
)
from trainer.web.pages.review import ReviewState, review_page
from trainer.web.pages.scorecard import ScorecardState, scorecard_page

__all__ = [
    "ConversationsState",
    "PracticeAttemptState",
    "PracticeState",
    "ReviewState",
    "ScorecardState",
    "conversations_page",
    "practice_attempt_page",
    "practice_page",
    "review_page",
    "scorecard_page",
]
