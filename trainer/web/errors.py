"""Reflex's handler for an exception that escapes an event handler: logged in full on the server,
shown to the person as a short apology, never as a traceback or a server path.

(No `from __future__ import annotations` here: Reflex checks the handler's annotations as
objects.)"""

import logging

import reflex as rx
from reflex.event import EventSpec

from trainer.web.state import UNEXPECTED

log = logging.getLogger(__name__)


def backend_exception_handler(exception: Exception) -> EventSpec:
    """Log the exception; tell the person something went wrong."""
    log.error("unhandled error in an event handler", exc_info=exception)
    return rx.toast.error(UNEXPECTED, id="backend_error", position="top-center")
