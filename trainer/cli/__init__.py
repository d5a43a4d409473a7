"""The `trainer` command, one module per command group (each registers on the shared app)."""

from trainer.cli import (  # noqa: F401 - importing a group registers its commands
    api,
    calibration,
    coaching,
    conversations,
    disputes,
    evaluation,
    fcr,
    onboarding,
    queue,
    reasons,
    report,
    retention,
    reviews,
    roleplay,
    rubrics,
    system,
    transcripts,
    users,
)
from trainer.cli.common import app


def main() -> None:
    """Entry point of the `trainer` script."""
    app()


__all__ = ["app", "main"]
