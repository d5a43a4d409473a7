"""Coded errors a user can cause, each saying what is wrong, where, and how to fix it.

Codes are stable (like spaCy's E-codes) so documentation and support answers can refer to them.
"""

from __future__ import annotations

import re

# An absolute file path inside a message ("/srv/trainer/var/x.wav"): only its last part is shown.
_PATH = re.compile(r"(?<![\w/.:])(?:[A-Za-z]:)?[/\\](?:[^\s'\"()<>,;/\\]+[/\\])+([^\s'\"()<>,;]*)")


def without_paths(text: str | None) -> str | None:
    """`text` with every absolute server path cut to its file name (what people may see)."""
    if text is None:
        return None
    return _PATH.sub(lambda m: m.group(1) or "…", text)


class TrainerError(Exception):
    """An error caused by input the user controls; printed as a message, never as a traceback."""

    code = "E000"

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.format())

    def format(self) -> str:
        """One readable line: `[E101] file.yaml: sections.0.weight: must be > 0 (fix: ...)`."""
        parts = [f"[{self.code}]"]
        if self.where:
            parts.append(f"{self.where}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class ConfigurationError(TrainerError):
    """A setting the server cannot start without, or one with an unusable value (a missing or
    too short TRAINER_SECRET_KEY)."""

    code = "E010"


class RubricError(TrainerError):
    """A rubric file that cannot be used."""

    code = "E100"


class UnknownDetectorError(RubricError):
    """A rubric names a detector that is not registered."""

    code = "E101"


class PatternError(TrainerError):
    """A pattern-bank file (trainer/nlp/patterns/*.yaml) that cannot be compiled."""

    code = "E110"


class IngestError(TrainerError):
    """A source file that cannot be read into a conversation."""

    code = "E200"


class NotFoundError(TrainerError):
    """Something the user named (a conversation, a rubric) does not exist."""

    code = "E300"


class DatabaseError(TrainerError):
    """The database cannot be reached or migrated."""

    code = "E400"


class QueueError(TrainerError):
    """The job queue (SQLite file or Redis) cannot be reached."""

    code = "E420"


class RetentionError(TrainerError):
    """A purge or erasure that cannot be done as asked (a bad period, not an email address)."""

    code = "E410"


class DatasetError(TrainerError):
    """An evaluation data file is missing columns or values."""

    code = "E500"


class AudioError(TrainerError):
    """An audio file that cannot be turned into a call transcript."""

    code = "E600"


class ModelError(TrainerError):
    """A speech model that is missing or unusable (never downloaded at run time)."""

    code = "E700"


class ScenarioError(TrainerError):
    """A role-play scenario file, or a role-play attempt, that cannot be used."""

    code = "E800"


class AuthenticationError(TrainerError):
    """Login, session or token that does not identify an active user."""

    code = "E900"


class RateLimitedError(AuthenticationError):
    """Too many attempts in a short time (failed logins, transcriptions)."""

    code = "E901"


class ForbiddenError(TrainerError):
    """The acting user's role or scope does not allow the action."""

    code = "E910"


class AccountError(TrainerError):
    """A user, team or staff-import row that cannot be stored as given."""

    code = "E920"


class ReviewError(TrainerError):
    """A human review that cannot be saved as given (unknown criterion, value, missing reason)."""

    code = "E930"


class AssignmentError(TrainerError):
    """An assignment rule, draw or replacement that cannot be done as asked (unknown reviewer,
    bad filter, nothing left to draw)."""

    code = "E960"


class CalibrationError(ReviewError):
    """A calibration session or blind score that cannot be stored as asked (no conversation,
    a participant who may not take part, a session closed or a score already submitted)."""

    code = "E950"


class CoachingError(TrainerError):
    """A coaching session or action item that cannot be stored as asked (no title, an agent
    outside the coach's teams, a conversation of someone else, an unknown criterion, scenario
    or date)."""

    code = "E970"


class PathError(ScenarioError):
    """A learning-path file that cannot be used (a bad field, an unknown scenario)."""

    code = "E810"


class OnboardingError(TrainerError):
    """A cohort, enrolment or path assignment that cannot be stored as asked (no name, an
    unknown path, a due date before the start, someone who is not a trainee or agent)."""

    code = "E980"


class ReportError(TrainerError):
    """A scorecard or export that cannot be made as asked (a bad date range or period, an
    unknown team, agent or criterion, an export format not known)."""

    code = "E990"
