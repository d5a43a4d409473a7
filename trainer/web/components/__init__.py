"""Pieces the pages share: the page shell and role-built navigation, score and status badges,
callouts and empty states, tables, and the transcript with evidence highlighting."""

from trainer.web.components.badges import (
    TONE_SCHEMES,
    error_callout,
    notice_callout,
    scheme,
    score_badge,
    status_badge,
)
from trainer.web.components.layout import page, testid
from trainer.web.components.tables import data_table, empty_state, labelled

__all__ = [
    "TONE_SCHEMES",
    "data_table",
    "empty_state",
    "error_callout",
    "labelled",
    "notice_callout",
    "page",
    "scheme",
    "score_badge",
    "status_badge",
    "testid",
]
