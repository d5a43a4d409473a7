"""One module per page, each owning its state (thin: it calls the services and the view models)."""

from trainer.web.pages.conversations import ConversationsState, conversations_page
from trainer.web.pages.review import ReviewState, review_page
from trainer.web.pages.scorecard import ScorecardState, scorecard_page

__all__ = [
    "ConversationsState",
    "ReviewState",
    "ScorecardState",
    "conversations_page",
    "review_page",
    "scorecard_page",
]
