"""scripts/audit.py (`make audit`) tells "vulnerable", "checked and clean" and "no database
reachable" apart; pip-audit itself is simulated (no network in tests)."""

from __future__ import annotations

import importlib.util
import json
import stat
import sys

import pytest

from ..conftest import REPO


def _load():
    spec = importlib.util.spec_from_file_location("trainer_audit", REPO / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


audit = _load()
NOT_FOUND = "Dependency not found on PyPI and could not be audited: {0} (1.0)"


def _report(*deps) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_audit_says_plainly_when_no_database_answered():
    # What pip-audit prints here: every package "not found", exit status 0.
    stdout = _report(
        {"name": "fastapi", "skip_reason": NOT_FOUND.format("fastapi")},
        {"name": "pyyaml", "skip_reason": NOT_FOUND.format("pyyaml")},
    )
    status, message = audit.judge(0, stdout, "No known vulnerabilities found")
    assert status == 0
    assert "no vulnerability database is reachable" in message
    assert "none of the 2 installed packages could be checked" in message


def test_audit_says_plainly_when_the_service_cannot_be_resolved():
    stderr = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"
    status, message = audit.judge(1, "", stderr)
    assert status == 0
    assert "no vulnerability database is reachable" in message
    assert "\n" not in message  # one plain line


def test_audit_fails_on_real_findings():
    stdout = _report(
        {"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217"}]},
        {"name": "fastapi", "version": "0.165.0", "vulns": []},
    )
    status, message = audit.judge(1, stdout, "")
    assert status == 1
    assert "jinja2 2.10: PYSEC-2019-217" in message


def test_audit_reports_a_clean_check_with_what_was_skipped():
    stdout = _report(
        {"name": "fastapi", "version": "0.165.0", "vulns": []},
        {"name": "trainer", "skip_reason": NOT_FOUND.format("trainer")},
    )
    status, message = audit.judge(0, stdout, "")
    assert status == 0
    assert (
        message
        == "audit: no known vulnerabilities in 1 audited package(s) (1 could not be checked)"
    )


def test_audit_other_failures_are_not_hidden():
    status, message = audit.judge(2, "", "error: unrecognized arguments: --bogus")
    assert status == 2
    assert "unrecognized arguments" in message


@pytest.mark.parametrize(
    ("stdout", "code", "expected"),
    [
        (_report({"name": "x", "skip_reason": NOT_FOUND.format("x")}), 0, 0),
        (_report({"name": "x", "version": "1", "vulns": [{"id": "CVE-1"}]}), 1, 1),
    ],
)
def test_audit_main_runs_the_given_pip_audit(tmp_path, capsys, stdout, code, expected):
    fake = tmp_path / "pip-audit"
    (tmp_path / "out.json").write_text(stdout)
    fake.write_text(f"#!/bin/sh\ncat {tmp_path / 'out.json'}\nexit {code}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert audit.main(["--pip-audit", str(fake)]) == expected
    assert capsys.readouterr().out.startswith("audit: ")
