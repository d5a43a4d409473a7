"""`make audit`: pip-audit over the installed dependencies, said plainly.

pip-audit asks a vulnerability service about every installed package. Where none is reachable
(an offline machine, a registry mirror without the advisory API) it marks each package
"not found" and still prints "No known vulnerabilities found" - which reads like a pass. This
script tells the three cases apart:

- vulnerabilities found: lists them, exits 1;
- no vulnerability service reachable (nothing could be checked): says so in one line, exits 0,
  so an offline build is not failed for what it cannot know;
- checked: says how many packages were audited (and how many skipped), exits 0.

Usage: python scripts/audit.py [--pip-audit PATH] [extra pip-audit arguments...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

UNREACHABLE = 0
CLEAN = 0
VULNERABLE = 1
BROKEN = 2
# What pip-audit prints when it cannot reach a vulnerability service at all.
NETWORK_SIGNS = (
    "connectionerror",
    "connection refused",
    "max retries exceeded",
    "name or service not known",
    "temporary failure in name resolution",
    "failed to resolve",
    "network is unreachable",
    "timed out",
    "ssl",
)


@dataclass
class Outcome:
    """What one pip-audit run found: vulnerable packages (name, version, ids), the number
    audited, and those it could not check with the reason."""

    vulnerable: list[tuple[str, str, list[str]]] = field(default_factory=list)
    audited: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def parse_report(report: dict) -> Outcome:
    """The outcome of pip-audit's `--format json` report."""
    outcome = Outcome()
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            outcome.skipped.append((dep.get("name", "?"), dep["skip_reason"]))
            continue
        outcome.audited += 1
        ids = [v.get("id", "?") for v in dep.get("vulns", [])]
        if ids:
            outcome.vulnerable.append((dep.get("name", "?"), dep.get("version", "?"), ids))
    return outcome


def judge(returncode: int, stdout: str, stderr: str) -> tuple[int, str]:
    """(exit status, message) for one pip-audit run."""
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if report is None:
        if any(sign in stderr.lower() for sign in NETWORK_SIGNS):
            return UNREACHABLE, (
                "audit: no vulnerability database is reachable from this machine; nothing was "
                "checked (run `make audit` where pypi.org or osv.dev can be reached)"
            )
        tail = stderr.strip().splitlines()[-1:] or [f"exit status {returncode}"]
        return BROKEN, f"audit: pip-audit failed: {tail[0]}"
    outcome = parse_report(report)
    if outcome.vulnerable:
        lines = [f"audit: {len(outcome.vulnerable)} vulnerable package(s):"]
        lines += [
            f"  {name} {version}: {', '.join(ids)}" for name, version, ids in outcome.vulnerable
        ]
        return VULNERABLE, "\n".join(lines)
    if outcome.audited == 0:
        return UNREACHABLE, (
            f"audit: no vulnerability database is reachable from this machine; none of the "
            f"{len(outcome.skipped)} installed packages could be checked "
            f"(run `make audit` where pypi.org or osv.dev can be reached)"
        )
    message = f"audit: no known vulnerabilities in {outcome.audited} audited package(s)"
    if outcome.skipped:
        message += f" ({len(outcome.skipped)} could not be checked)"
    return CLEAN, message


def run_pip_audit(executable: str, extra: list[str]) -> subprocess.CompletedProcess:
    """pip-audit over the local environment's installed packages, as JSON."""
    command = [
        executable,
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--local",
        "--skip-editable",
        *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def main(argv: list[str] | None = None) -> int:
    """Run pip-audit, print one plain verdict, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", dest="executable", default=None)
    args, extra = parser.parse_known_args(argv)
    executable = args.executable or str(Path(sys.executable).with_name("pip-audit"))
    if not Path(executable).exists():
        executable = shutil.which("pip-audit") or executable
    if not Path(executable).exists():
        print("audit: pip-audit is not installed (pip install -e '.[test]')", file=sys.stderr)
        return BROKEN
    try:
        done = run_pip_audit(executable, extra)
    except subprocess.TimeoutExpired:
        print("audit: pip-audit did not finish in 15 minutes; no verdict", file=sys.stderr)
        return BROKEN
    status, message = judge(done.returncode, done.stdout, done.stderr)
    print(message, file=sys.stderr if status == BROKEN else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
