"""`make lock-check` (scripts/check_lock.py): pyproject.toml and the lock agree, and a
change to one without the other is found, without the network."""

import shutil
import subprocess
import sys

import pytest

from tests.paths import ROOT

SCRIPT = ROOT / "scripts" / "check_lock.py"


@pytest.fixture
def project(tmp_path):
    """A copy of pyproject.toml and both lock files, to change."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "requirements").mkdir()
    for name in ("runtime.txt", "dev.txt"):
        shutil.copy(ROOT / "requirements" / name, tmp_path / "requirements" / name)
    return tmp_path


def lock_check(folder):
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--pyproject",
            str(folder / "pyproject.toml"),
            "--runtime",
            str(folder / "requirements" / "runtime.txt"),
            "--dev",
            str(folder / "requirements" / "dev.txt"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_committed_lock_matches_pyproject(project):
    result = lock_check(project)
    assert result.returncode == 0, result.stderr
    assert "The lock matches pyproject.toml" in result.stdout


def test_a_dependency_added_to_pyproject_but_not_locked_fails(project):
    edit(project / "pyproject.toml", "dependencies = [\n", 'dependencies = [\n    "left-pad==1.0.0",\n')
    result = lock_check(project)
    assert result.returncode == 1
    assert "runtime.txt: left-pad==1.0.0 is declared in pyproject.toml but not locked" in result.stderr
    assert "dev.txt: left-pad==1.0.0 is declared in pyproject.toml but not locked" in result.stderr
    assert "make lock" in result.stderr


def test_a_dev_dependency_added_but_not_locked_fails_only_the_dev_lock(project):
    edit(project / "pyproject.toml", "dev = [\n", 'dev = [\n    "left-pad==1.0.0",\n')
    result = lock_check(project)
    assert result.returncode == 1
    assert "dev.txt: left-pad==1.0.0" in result.stderr
    assert "runtime.txt" not in result.stderr


def test_a_version_changed_in_pyproject_only_fails(project):
    edit(project / "pyproject.toml", '"flask==3.1.3"', '"flask==3.1.2"')
    result = lock_check(project)
    assert result.returncode == 1
    assert "runtime.txt: flask is 3.1.2 in pyproject.toml but 3.1.3 in the lock" in result.stderr


def test_a_dependency_dropped_from_pyproject_but_still_locked_fails(project):
    edit(project / "pyproject.toml", '    "segno==1.6.6",\n', "")
    result = lock_check(project)
    assert result.returncode == 1
    assert "segno==1.6.6 is locked as a dependency pyproject.toml no longer declares" in result.stderr


def test_a_dependency_not_pinned_to_one_version_fails(project):
    edit(project / "pyproject.toml", '"flask==3.1.3"', '"flask>=3.1"')
    result = lock_check(project)
    assert result.returncode == 1
    assert "'flask>=3.1' is not pinned to one version" in result.stderr


def test_a_pin_without_hashes_fails(project):
    runtime = project / "requirements" / "runtime.txt"
    lines = runtime.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("segno=="))
    end = start + 1
    while lines[end].lstrip().startswith("--hash="):
        end += 1
    runtime.write_text("".join([*lines[:start], "segno==1.6.6\n", *lines[end:]]))
    result = lock_check(project)
    assert result.returncode == 1
    assert "runtime.txt: segno==1.6.6 has no hash" in result.stderr


def test_a_dev_lock_that_drifted_from_the_runtime_lock_fails(project):
    edit(project / "requirements" / "dev.txt", "\nmako==", "\nmako==0.0.0\nunused==")
    result = lock_check(project)
    assert result.returncode == 1
    assert "dev.txt: mako is 0.0.0, but" in result.stderr
