"""The wheel, as an image installs it. Built from the checkout, it carries the templates,
the static files (the built front-end assets included), the translations and the
migrations (inside `shared`, never as top-level names) and the `trackmycrime` command,
and it is not built without the assets. Installed in a fresh environment, with its
site-packages read-only, it migrates a database and serves from outside the checkout,
writing nothing beside its code."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.smtp_server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.once]

# What the build does not need, or must not see: the environments, the tests and what
# earlier builds and runs left.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "tests",
    "build",
    "dist",
    "instance",
    "test-artifacts",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)
# Built by `make install`, kept by git nowhere.
BUILT = ["shared/static/vendor", "shared/static/fonts", "shared/static/images", "shared/static/manifest.json"]
COMPILED = "translations/cy/LC_MESSAGES/messages.mo"


def _copy_of_the_source(target: Path) -> Path:
    """The checkout's files, as the build sees them, in a folder of their own: a build
    writes into the tree it builds, and two test runs may build at once."""
    shutil.copytree(ROOT, target, ignore=NOT_SOURCE)
    return target


def _build(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    built = _build(_copy_of_the_source(folder / "source"), folder / "dist")
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (folder / "dist").glob("trackmycrime-*.whl")
    return wheel


def _files(folder: Path) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_carries_what_the_service_needs_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for built in BUILT:
        assert (ROOT / built).exists(), f"{built} is missing: run `make install`"
    needed = _files(ROOT / "shared" / "static") | {
        path
        for package in ("shared", "portal", "backoffice")
        for path in _files(ROOT / package / "templates")
    }
    # The migrations and translations at the top of the checkout travel inside `shared`.
    needed |= {
        f"shared/bundled/{path}" for path in _files(ROOT / "migrations") | _files(ROOT / "translations")
    }
    assert sorted(needed - names) == []
    assert f"shared/bundled/{COMPILED}" in names
    assert "shared/bundled/migrations/versions/0001_initial_schema.py" in names
    for built in BUILT:
        assert any(name == built or name.startswith(built + "/") for name in names), built
    dist_info = wheel.name.split("-py3")[0] + ".dist-info"
    # No generic top-level names in site-packages: no migrations/, translations/, wsgi.py.
    assert {name.split("/")[0] for name in names} == {"shared", "portal", "backoffice", "api", dist_info}
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "[console_scripts]\ntrackmycrime = shared.console:main" in entry_points


def test_the_wheel_is_not_built_without_the_built_assets_and_translations(tmp_path):
    source = _copy_of_the_source(tmp_path / "source")
    shutil.rmtree(source / "shared" / "static" / "vendor")
    (source / COMPILED).unlink()
    built = _build(source, tmp_path / "dist")
    assert built.returncode != 0
    assert f"Not built: shared/static/vendor, {COMPILED}. Run `make install` first" in built.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))


# ------------------------------------------------------------ installed, read-only


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0


def _read_only(command: list[str], folders: list[Path]) -> list[str]:
    """`command`, run with `folders` read-only. Their permissions (taken away by the
    test) bind every user but root; for root, the command runs in a mount namespace of
    its own where they are mounted read-only, as in a container with a read-only root
    file system."""
    if not _can_mount():
        return command
    mounts = " && ".join(f"mount --bind -o ro {shlex.quote(str(f))} {shlex.quote(str(f))}" for f in folders)
    return ["unshare", "--mount", "--", "sh", "-c", f'{mounts} && exec "$@"', "sh", *command]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(path): (path.lstat().st_size, path.lstat().st_mtime_ns) for path in sorted(folder.rglob("*"))}


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_installed_service_migrates_and_serves_from_a_read_only_installation(wheel, tmp_path):
    environment = tmp_path / "environment"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True)
    python = environment / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The dependencies are the checkout's environment's, read through a path line, which
    # (unlike a site folder) runs none of the .pth files there: not its editable finder,
    # which would import the checkout's code instead of the wheel's.
    dependencies = Path(sysconfig.get_paths()["purelib"])
    (site / "trackmycrime-dependencies.pth").write_text(f"{dependencies}\n")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for path in [environment, *environment.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    before = _snapshot(environment)

    data = tmp_path / "data"
    data.mkdir()
    elsewhere = tmp_path / "elsewhere"  # the working directory: no checkout in sight
    elsewhere.mkdir()
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(elsewhere),
        "LANG": "C.UTF-8",
        "APP_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "DATABASE_URL": f"sqlite:///{data}/trackmycrime.db",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SINGLE_PROCESS": "on",
        "NOTIFICATION_SENDER": "smtp",
        "SMTP_HOST": "smtp.police.example",
        "SMTP_FROM": "no-reply@police.example",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    read_only = [environment, dependencies]

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            _read_only([str(environment / "bin" / command[0]), *command[1:]], read_only),
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    where = run("python", "-c", "import shared; print(shared.__file__)")
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr

    migrated = run("trackmycrime", "migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Running upgrade 0007 -> 0008" in migrated.stdout

    admin = run(
        "trackmycrime", "staff", "create-admin", "first.admin@police.example", "--name", "First Admin"
    )
    assert admin.returncode == 0, admin.stdout + admin.stderr
    assert f"http://127.0.0.1:{port}/backoffice/set-up/" in admin.stdout

    log = tmp_path / "web.log"
    with open(log, "w") as out:
        web = subprocess.Popen(
            _read_only([str(environment / "bin" / "trackmycrime"), "web"], read_only),
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = _get(base + "/health/ready")
                if status == 200:
                    break
            except OSError:
                pass
            assert web.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert body == b'{"status":"ready"}\n'  # the schema is at the migrations' head

        # The victims' start page, in Welsh from the compiled catalogue, and its styles
        # under their fingerprinted name, kept for a year.
        status, _, body = _get(base + "/", {"Accept-Language": "cy"})
        page = body.decode()
        assert status == 200
        assert "Dilyn eich achos ar-lein" in page
        [stylesheet] = re.findall(r'href="(/assets/app\.[0-9a-f]{12}\.css)"', page)
        status, headers, _ = _get(base + stylesheet)
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # A built asset, by the name GOV.UK Frontend's CSS asks for it.
        font = next((ROOT / "shared" / "static" / "fonts").iterdir()).name
        assert _get(f"{base}/assets/fonts/{font}")[0] == 200
    finally:
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=30) == 0, log.read_text()

    assert _snapshot(environment) == before  # nothing written beside the code
    assert sorted(path.name for path in elsewhere.iterdir()) == []
    assert sorted(path.name for path in data.iterdir()) == ["trackmycrime.db"]
