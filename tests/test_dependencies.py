"""Every package the code imports is one it declares.

A package that arrives only because another one depends on it (joserfc through Authlib,
click through Flask) can disappear or change major version when that other package is
upgraded; the lock would follow and the import would break in production. So each
third-party import maps to a distribution named directly in pyproject.toml: the service's
code (and its migrations) against `dependencies`, the tests, benchmarks and scripts against
`dependencies` and the `dev` extra.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.once

RUNTIME_CODE = ["shared", "portal", "backoffice", "api", "migrations", "wsgi.py"]
DEV_CODE = ["tests", "bench", "scripts"]
# The repository's own top-level modules (installed in editable mode, or only on the path).
FIRST_PARTY = {"shared", "portal", "backoffice", "api", "tests", "bench", "scripts", "wsgi", "migrations"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(group: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] if group == "runtime" else project["optional-dependencies"][group]
    return {canonical(re.split(r"[\s\[=<>!~;]", requirement, maxsplit=1)[0]) for requirement in requirements}


def third_party_imports(paths: list[Path]) -> dict[str, list[str]]:
    """Each third-party top-level module imported under paths, with where."""
    found: dict[str, list[str]] = {}
    files = [p for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*.py")))]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), filename=str(file))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in FIRST_PARTY:
                    continue
                found.setdefault(top, []).append(f"{file.relative_to(file.anchor)}:{node.lineno}")
    return found


def undeclared(paths: list[Path], allowed: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for module, where in sorted(third_party_imports(paths).items()):
        names = {canonical(name) for name in distributions.get(module, [])}
        if not names:
            problems.append(f"{module} (imported at {where[0]}) is not installed")
        elif not names & allowed:
            problems.append(f"{module} (imported at {where[0]}) comes from {sorted(names)}, not declared")
    return problems


def test_the_service_imports_only_its_declared_dependencies():
    assert undeclared([ROOT / path for path in RUNTIME_CODE], declared("runtime")) == []


def test_the_tests_benchmarks_and_scripts_import_only_declared_dependencies():
    allowed = declared("runtime") | declared("dev")
    assert undeclared([ROOT / path for path in DEV_CODE], allowed) == []


def test_an_import_that_arrives_only_through_another_package_is_found(tmp_path):
    # PyJWT is installed (notifications-python-client needs it, and the tests use it) but
    # the service does not declare it: importing it from service code is refused.
    code = tmp_path / "module.py"
    code.write_text("import os\nfrom . import sibling\nimport flask\nfrom jwt import encode\n")
    problems = undeclared([code], declared("runtime"))
    assert len(problems) == 1
    assert problems[0].startswith("jwt (imported at ") and "pyjwt" in problems[0]


@pytest.mark.parametrize("group", ["runtime", "dev"])
def test_the_declared_names_are_read_from_pyproject(group):
    names = declared(group)
    assert ("flask" if group == "runtime" else "pytest") in names
    assert all(name == canonical(name) for name in names)
