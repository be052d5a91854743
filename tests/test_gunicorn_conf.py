"""gunicorn's settings (shared/web/serving.py, read by gunicorn.conf.py and by the installed
`trackmycrime web`): from the environment, bad values refused by name, every name one
gunicorn knows; and a real gunicorn with two workers answering, logging each request as
a JSON line with its id and without its tokens, and adding up both workers' metrics."""

import json
import os
import runpy
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from prometheus_client.parser import text_string_to_metric_families

from shared.config import SERVER_NUMBERS, ConfigError, server_settings
from shared.web import serving
from tests.paths import ROOT
from tests.smtp_server import free_port

SERVER_VARIABLES = (
    "BIND",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
    "PROMETHEUS_MULTIPROC_DIR",
    "METRICS_TOKEN",
    "SINGLE_PROCESS",
    "REDIS_URL",
)


@pytest.fixture
def environment(monkeypatch):
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("given", "bind"),
    [
        ({}, ["0.0.0.0:8000"]),
        ({"PORT": "9000"}, ["0.0.0.0:9000"]),
        ({"HOST": "127.0.0.1", "PORT": " 8080 "}, ["127.0.0.1:8080"]),
        ({"HOST": "::1"}, ["[::1]:8000"]),
        ({"HOST": "web.internal"}, ["web.internal:8000"]),
        (
            {"BIND": "unix:/run/trackmycrime/web.sock, 127.0.0.1:8001"},
            ["unix:/run/trackmycrime/web.sock", "127.0.0.1:8001"],
        ),
        ({"BIND": "[::]:8000"}, ["[::]:8000"]),
    ],
)
def test_the_server_listens_where_the_environment_says(given, bind):
    assert server_settings(given)["bind"] == bind


def test_the_workers_are_as_many_as_asked_or_as_the_cpus_suggest(monkeypatch):
    assert server_settings({"WEB_CONCURRENCY": "3"})["workers"] == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert server_settings({})["workers"] == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(32)))
    assert server_settings({})["workers"] == 8


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"PORT": "http"}, r'^PORT must be a whole number from 1 to 65535 \(got "http"\)\.$'),
        ({"PORT": "0"}, r"^PORT must be a whole number from 1 to 65535 "),
        ({"PORT": "65536"}, r"^PORT must be a whole number from 1 to 65535 "),
        ({"WEB_CONCURRENCY": "0"}, r"^WEB_CONCURRENCY must be a whole number from 1 to 64 "),
        ({"WEB_CONCURRENCY": "two"}, r"^WEB_CONCURRENCY must be a whole number from 1 to 64 "),
        ({"HOST": "0.0.0.0:80"}, r'^HOST must be an IP address or a host name, .*\(got "0.0.0.0:80"\)\.$'),
        ({"BIND": "127.0.0.1"}, r'^BIND must be addresses .*\(got "127.0.0.1"\)\.$'),
        ({"BIND": "127.0.0.1:8000", "PORT": "8000"}, r"^BIND is set, and so is HOST or PORT"),
        ({"BIND": "127.0.0.1:8000", "HOST": "0.0.0.0"}, r"^BIND is set, and so is HOST or PORT"),
        (
            {"PROMETHEUS_MULTIPROC_DIR": "/nonexistent/metrics"},
            r"^PROMETHEUS_MULTIPROC_DIR must be a directory",
        ),
    ],
)
def test_a_bad_server_setting_is_refused_by_name(given, message):
    with pytest.raises(ConfigError, match=message):
        server_settings(given)


@pytest.mark.parametrize("name", sorted(SERVER_NUMBERS))
def test_each_server_number_is_refused_outside_its_bounds(name):
    number = SERVER_NUMBERS[name]
    for value in (number.low - 1, number.highest + 1, "1.5", "-1"):
        with pytest.raises(ConfigError, match=rf"^{name} must be {number.expected()} "):
            server_settings({name: str(value)})


def test_every_setting_is_one_gunicorn_knows_and_accepts(environment):
    settings = serving.settings()
    config = Config()
    assert sorted(set(settings) - set(config.settings)) == []  # gunicorn ignores a name it does not know
    for name, value in settings.items():
        config.set(name, value)
    assert config.preload_app is True
    assert config.workers >= 1
    assert config.max_requests_jitter > 0
    assert 0 < config.graceful_timeout < 30  # inside the time a container is given to stop
    # The app's ProxyFix (TRUSTED_PROXIES) is the one rule for forwarded headers.
    assert config.forwarded_allow_ips == []
    assert config.secure_scheme_headers == {}
    assert config.forwarder_headers == []
    # Nothing written beside the code.
    assert config.pidfile is None
    assert config.control_socket_disable is True
    assert config.logger_class is serving.ServiceLogger


def test_the_checkout_and_the_installed_command_read_the_same_settings(environment):
    environment.setenv("PORT", "8123")
    environment.setenv("WEB_CONCURRENCY", "3")
    checkout = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    package = runpy.run_module("shared.web.gunicorn_conf")
    expected = serving.settings()
    for name, value in expected.items():
        assert checkout[name] == value
        assert package[name] == value
    assert expected["bind"] == ["0.0.0.0:8123"]
    assert expected["workers"] == 3


def test_the_metrics_directory_is_emptied_at_start_and_needed_by_several_workers(environment, tmp_path):
    left = [tmp_path / "counter_123.db", tmp_path / "histogram_123.db"]
    for path in left:
        path.write_bytes(b"old counts")
    (tmp_path / "notes.txt").write_text("not prometheus-client's")
    environment.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=2)))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]

    environment.delenv("PROMETHEUS_MULTIPROC_DIR")
    environment.setenv("METRICS_TOKEN", "m" * 40)
    with pytest.raises(ConfigError, match=r"^PROMETHEUS_MULTIPROC_DIR is not set\. .* by 2 web workers"):
        serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=2)))
    serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))  # one process: its own counts


def test_a_worker_that_exits_takes_its_live_gauges_with_it(environment, tmp_path):
    environment.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name in ("gauge_livesum_41.db", "gauge_liveall_41.db", "counter_41.db", "gauge_livesum_42.db"):
        (tmp_path / name).write_bytes(b"")
    serving.child_exit(None, SimpleNamespace(pid=41))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_41.db", "gauge_livesum_42.db"]


# ------------------------------------------------------------------ a real gunicorn

TOKEN = "metrics-token-for-the-gunicorn-test-0123456789"


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _workers(master: subprocess.Popen) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()]


@pytest.mark.slow
def test_gunicorn_serves_with_two_workers_logs_each_request_and_adds_up_their_metrics(
    app, database_url, tmp_path
):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if name not in SERVER_VARIABLES},
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # Two workers count sign-in guesses in one place.
        "REDIS_URL": "redis://127.0.0.1:6379/10",
        "NOTIFICATION_SENDER": "smtp",
        "SMTP_HOST": "smtp.police.example",
        "SMTP_FROM": "no-reply@police.example",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        # From the checkout, as `gunicorn` alone: it reads gunicorn.conf.py there.
        master = subprocess.Popen(
            [sys.executable, "-m", "gunicorn"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert master.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert not (metrics / "counter_1.db").exists()  # emptied at start

        status, headers, _ = _get(
            base + "/health?token=query-token-never-logged&code=8642097531",
            {"X-Request-ID": "request-from-the-proxy-1"},
        )
        assert status == 200
        # The service's own id, whatever a client sends (no proxy is trusted here).
        health_id = headers["X-Request-ID"]
        assert health_id != "request-from-the-proxy-1"
        status, headers, _ = _get(base + "/activate/path-token-never-logged-0123456789")
        assert status == 404
        activation_id = headers["X-Request-ID"]
        assert _get(base + "/health/ready")[0] == 200
        status, headers, _ = _get(base + "/assets/app.css")
        assert status == 200
        static_id = headers["X-Request-ID"]

        # Requests at once, until both workers have answered some. Two to /health so far:
        # the first that answered while it started, and the one above.
        sent = 2
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                statuses = list(pool.map(lambda _: _get(base + "/health")[0], range(16)))
                assert statuses == [200] * 16
                sent += 16
                answered = {path.name.split("_")[-1] for path in metrics.glob("counter_*.db")}
                if {f"{pid}.db" for pid in _workers(master)} <= answered:
                    break
            else:
                pytest.fail("one worker answered every request")

        status, _, body = _get(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        samples = {
            (sample.name, sample.labels.get("endpoint"), sample.labels.get("status")): sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        }
        assert samples[("trackmycrime_http_requests_total", "health", "200")] == sent
    finally:
        master.send_signal(signal.SIGTERM)
        assert master.wait(timeout=30) == 0  # a graceful stop

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert len(lines) == len(log.read_text().splitlines()), log.read_text()  # every line is JSON
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) == sent + 4  # the activation page, readiness, the CSS file and the scrape
    first = next(line for line in access if line["request_id"] == health_id)
    assert "request-from-the-proxy-1" not in log.read_text()
    assert first["message"] == "GET /health 200"
    assert first["path"] == "/health"
    assert first["method"] == "GET"
    assert first["status"] == 200
    assert first["remote_addr"] == "127.0.0.1"
    assert {"time", "level", "user_kind", "user_id", "duration_ms", "bytes"} <= set(first)
    [activation] = [line for line in access if line["request_id"] == activation_id]
    assert activation["path"] == "/activate/[hidden]"
    [static] = [line for line in access if line["request_id"] == static_id]
    assert static["path"] == "/assets/app.css"
    assert static["bytes"] > 0
    text = log.read_text()
    assert "never-logged" not in text
    assert "8642097531" not in text
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)


def test_single_process_without_redis_refuses_several_workers(environment):
    environment.setenv("SINGLE_PROCESS", "on")
    with pytest.raises(ConfigError, match=r"^SINGLE_PROCESS is on but gunicorn runs 3 workers"):
        serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
    serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=1)))
    # With Redis the guesses are counted in one place, however many workers count them.
    environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    serving.on_starting(SimpleNamespace(cfg=SimpleNamespace(workers=3)))
