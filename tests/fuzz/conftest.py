"""The fuzz suite ends its run with a line counting what was tried (see harness.COUNTS).

Hypothesis settings are per test (harness.fuzz), not a global profile: other suites use
hypothesis too (schemathesis) and keep their own settings.
"""

from __future__ import annotations

from tests.fuzz.harness import COUNTS


def pytest_terminal_summary(terminalreporter):
    """Print the figures the issue asks for: inputs tried, tracebacks, hangs, partial stores."""
    if not COUNTS["inputs"]:
        return
    terminalreporter.write_line(
        f"fuzz: {COUNTS['inputs']} inputs tried ({COUNTS['read']} read, {COUNTS['refused']} "
        f"refused with a coded error), tracebacks {COUNTS['tracebacks']}, hangs "
        f"{COUNTS['hangs']}, partial stores {COUNTS['partial_stores']}"
    )
