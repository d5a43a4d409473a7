"""Trainer: training and quality assurance for customer-service teams."""

__version__ = "0.1.0"

from trainer import startup as _startup  # noqa: E402 - before anything imports spaCy

_startup.install()
