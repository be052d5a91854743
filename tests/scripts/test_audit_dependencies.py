"""`make audit` (scripts/audit_dependencies.py): how pip-audit's answers are read. pip-audit
itself is replaced here by canned answers, so the tests need no network."""

import importlib.util
import json
import sys

import pytest

from tests.paths import ROOT

spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "scripts" / "audit_dependencies.py"
)
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = audit  # its dataclasses look their module up
spec.loader.exec_module(audit)

LOCK = str(ROOT / "requirements" / "runtime.txt")
CLEAN = json.dumps(
    {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {"name": "jinja2", "version": "3.1.6", "vulns": []},
        ]
    }
)
VULNERABLE = json.dumps(
    {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.6",
                "vulns": [{"id": "PYSEC-0000-1", "aliases": ["CVE-0000-1"], "fix_versions": ["3.1.7"]}],
            },
        ]
    }
)
NOT_FOUND = json.dumps(
    {
        "dependencies": [
            {
                "name": "flask",
                "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)",
            },
            {
                "name": "jinja2",
                "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2",
            },
        ]
    }
)
HALF_FOUND = json.dumps(
    {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2",
            },
        ]
    }
)
NO_NETWORK = (
    1,
    "",
    "Traceback (most recent call last):\nrequests.exceptions.ConnectionError: HTTPSConnectionPool("
    "host='vulns.example', port=443): Max retries exceeded (Caused by NameResolutionError)",
)


class Answers(dict):
    """What pip-audit answers, by service; `asked` records which services were asked."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []


@pytest.fixture
def answers(monkeypatch):
    given = Answers()

    def run(pip_audit, lock, service):
        given.asked.append(service)
        return given[service]

    monkeypatch.setattr(audit, "run_pip_audit", run)
    return given


def test_no_known_vulnerability_passes(answers, capsys):
    answers["pypi"] = (0, CLEAN, "")
    assert audit.main([LOCK]) == 0
    assert "no known vulnerabilities in 2 packages (pypi)" in capsys.readouterr().out
    assert answers.asked == ["pypi"]


def test_a_known_vulnerability_fails_even_where_only_a_reachable_database_is_asked_for(answers, capsys):
    answers["pypi"] = (1, VULNERABLE, "")
    assert audit.main(["--if-reachable", LOCK]) == 1
    out = capsys.readouterr().out
    assert "KNOWN VULNERABILITIES" in out
    assert "jinja2==3.1.6: PYSEC-0000-1 (CVE-0000-1); fixed in 3.1.7" in out


def test_no_reachable_database_fails_unless_asked_to_pass_and_says_nothing_was_audited(answers, capsys):
    # pip-audit's own summary for this is "No known vulnerabilities found", exit status 0.
    answers["pypi"] = (0, NOT_FOUND, "No known vulnerabilities found\n")
    answers["osv"] = NO_NETWORK
    assert audit.main([LOCK]) == 2
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out
    assert "pypi: answered for 0 of 2 packages" in out
    assert "osv: could not be reached" in out
    assert answers.asked == ["pypi", "osv"]

    assert audit.main(["--if-reachable", LOCK]) == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out
    assert "No vulnerability database could be reached" in out
    assert "no known vulnerabilities" not in out


def test_the_next_database_is_asked_when_the_first_cannot_be_reached(answers, capsys):
    answers["pypi"] = NO_NETWORK
    answers["osv"] = (0, CLEAN, "")
    assert audit.main([LOCK]) == 0
    assert "no known vulnerabilities in 2 packages (osv)" in capsys.readouterr().out


def test_a_database_that_answers_for_only_some_packages_fails_even_if_reachable_is_all_asked(answers, capsys):
    answers["pypi"] = (0, HALF_FOUND, "")
    answers["osv"] = (0, HALF_FOUND, "")
    assert audit.main(["--if-reachable", LOCK]) == 2
    assert "PARTLY AUDITED" in capsys.readouterr().out


def test_pip_audit_failing_for_another_reason_fails(answers, capsys):
    answers["pypi"] = (2, "", "ValueError: the requirements file has no hashes\n")
    assert audit.main(["--if-reachable", LOCK]) == 3
    assert "pip-audit failed (ValueError: the requirements file has no hashes)" in capsys.readouterr().out
