"""Prometheus metrics at `/metrics`: not served without METRICS_TOKEN, refused without the
token, and with it: requests by endpoint, method and status with their latency, sign-in
failures, throttling, API calls per client, and the outbox and the workers as the
database has them; added up across processes in multiprocess mode."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from shared.extensions import db
from shared.factory import create_app
from shared.models import OutboxAttempt, OutboxMessage
from shared.models.types import utcnow
from shared.services import worker_heartbeat
from tests import factories
from tests.outbox_helpers import outbox_rows
from tests.paths import ROOT

TOKEN = "metrics-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_on(app):
    before = app.config["METRICS_TOKEN"]
    app.config["METRICS_TOKEN"] = TOKEN
    yield
    app.config["METRICS_TOKEN"] = before


def scrape(app) -> dict:
    """Each sample as {(name, (label, value), ...): value}."""
    response = app.test_client().get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert response.headers["Cache-Control"] == "no-store"
    return {
        (sample.name, *sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, *sorted(labels.items())), 0.0)


def test_without_a_token_set_there_are_no_metrics(app):
    assert app.config["METRICS_TOKEN"] is None
    assert app.test_client().get("/metrics", headers=BEARER).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ],
)
def test_without_the_token_the_metrics_are_refused(app, metrics_on, headers):
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "trackmycrime" not in response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_method_and_status_with_their_latency(app, metrics_on):
    before = scrape(app)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/health").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    after = scrape(app)

    requests = "trackmycrime_http_requests_total"
    assert (
        value(after, requests, endpoint="health", method="GET", status="200")
        == value(before, requests, endpoint="health", method="GET", status="200") + 2
    )
    assert (
        value(after, requests, endpoint="none", method="GET", status="404")
        == value(before, requests, endpoint="none", method="GET", status="404") + 1
    )
    latency = "trackmycrime_http_request_duration_seconds_count"
    assert value(after, latency, endpoint="health") == value(before, latency, endpoint="health") + 2


def test_sign_in_failures_and_throttling_are_counted_with_the_status_sent(
    app, victim_client, ctx, metrics_on
):
    victim = factories.active_victim(factories.crime(factories.staff()), factories.staff()).victim
    before = scrape(app)
    token = victim_client.get("/sign-in").csrf()
    statuses = [
        victim_client.post(
            "/sign-in",
            {"email": victim.email, "password": f"guess {n}", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        ).status
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    after = scrape(app)

    failures = "trackmycrime_sign_in_failures_total"
    assert (
        value(after, failures, who="victim", step="password")
        == value(before, failures, who="victim", step="password") + 10
    )
    throttled = "trackmycrime_throttled_total"
    assert (
        value(after, throttled, endpoint="portal.sign_in")
        >= value(before, throttled, endpoint="portal.sign_in") + 1
    )
    # The form sent back for bad input is counted as the 400 it was answered with.
    requests = "trackmycrime_http_requests_total"
    assert (
        value(after, requests, endpoint="portal.sign_in", method="POST", status="400")
        == value(before, requests, endpoint="portal.sign_in", method="POST", status="400") + 10
    )


def test_a_wrong_authenticator_code_is_a_staff_sign_in_failure(app, client, ctx, metrics_on):
    member = factories.staff()
    before = scrape(app)
    step = client.post("/backoffice/sign-in", {"email": member.email, "password": factories.PASSWORD})
    client.post(step.response.headers["Location"], {"code": "999999"})
    after = scrape(app)
    failures = "trackmycrime_sign_in_failures_total"
    assert (
        value(after, failures, who="staff", step="code")
        >= value(before, failures, who="staff", step="code") + 1
    )


def test_api_calls_are_counted_per_client(app, api, metrics_on):
    before = scrape(app)
    assert api.get("/crimes/NX/2026/999999").status_code == 404
    assert api.raw("get", "/crimes/NX/2026/999999").status_code == 401  # no token
    after = scrape(app)
    calls = "trackmycrime_api_calls_total"
    assert (
        value(after, calls, client=api.client_id, status="404")
        == value(before, calls, client=api.client_id, status="404") + 1
    )
    assert (
        value(after, calls, client="none", status="401")
        == value(before, calls, client="none", status="401") + 1
    )


def test_the_outbox_and_the_workers_are_read_from_the_database(app, ctx, metrics_on):
    samples = scrape(app)
    assert value(samples, "trackmycrime_database_up") == 1
    assert value(samples, "trackmycrime_outbox_waiting") == 0
    assert value(samples, "trackmycrime_outbox_oldest_waiting_seconds") == 0
    assert value(samples, "trackmycrime_workers_alive") == 0
    assert ("trackmycrime_worker_heartbeat_age_seconds",) not in samples

    officer = factories.staff()
    crime = factories.crime(officer)
    for _ in range(4):
        factories.active_victim(crime, officer)
    factories.update(crime, officer)
    rows = outbox_rows()
    assert len(rows) == 4
    now = utcnow()
    ids = [row.id for row in rows]
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == ids[0]).values(created_at=now - timedelta(hours=2))
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == ids[1]).values(status="failed", reason="refused")
    )
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == ids[2]).values(status="withheld", reason="opted_out")
    )
    db.session.add_all(
        [
            OutboxAttempt(message_id=ids[0], number=1, at=now, outcome="retry", detail="HTTP 500"),
            OutboxAttempt(message_id=ids[0], number=2, at=now, outcome="retry", detail="timed out"),
            OutboxAttempt(
                message_id=ids[1], number=1, at=now, outcome="failed", detail="HTTP 400 BadRequestError"
            ),
            OutboxAttempt(message_id=ids[2], number=1, at=now, outcome="withheld"),
        ]
    )
    db.session.commit()
    worker_heartbeat.beat("host-a:1:aaaaaa", now - timedelta(days=1))
    worker_heartbeat.beat("host-b:2:bbbbbb", now - timedelta(seconds=5))

    samples = scrape(app)
    assert value(samples, "trackmycrime_outbox_waiting") == 2
    assert 2 * 3600 <= value(samples, "trackmycrime_outbox_oldest_waiting_seconds") < 2 * 3600 + 60
    assert value(samples, "trackmycrime_outbox_failed") == 1
    assert value(samples, "trackmycrime_outbox_withheld") == 1
    assert value(samples, "trackmycrime_outbox_provider_errors_total", outcome="retry") == 2
    assert value(samples, "trackmycrime_outbox_provider_errors_total", outcome="failed") == 1
    assert value(samples, "trackmycrime_workers_alive") == 1
    assert 5 <= value(samples, "trackmycrime_worker_heartbeat_age_seconds") < 65


def test_with_the_database_down_the_metrics_say_so(app):
    down = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/x.db",
            "METRICS_TOKEN": TOKEN,
        }
    )
    samples = scrape(down)
    assert value(samples, "trackmycrime_database_up") == 0
    assert ("trackmycrime_outbox_waiting",) not in samples


SERVE = """
import sys
from shared.factory import create_app
app = create_app({{"APP_ENV": "testing", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                   "METRICS_TOKEN": "{token}"}})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/health").status_code == 200
print(client.get("/metrics", headers={{"Authorization": "Bearer {token}"}}).get_data(as_text=True))
"""


def test_in_multiprocess_mode_a_scrape_adds_up_every_process(tmp_path):
    """As under gunicorn: one process answers requests and exits, another is scraped."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    script = SERVE.format(token=TOKEN)

    def run(requests: int) -> dict:
        done = subprocess.run(
            [sys.executable, "-c", script, str(requests)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return {
            (sample.name, *sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(done.stdout)
            for sample in family.samples
        }

    run(3)
    assert list(tmp_path.glob("*.db"))  # the counts are kept in the directory
    samples = run(2)
    assert (
        value(samples, "trackmycrime_http_requests_total", endpoint="health", method="GET", status="200") == 5
    )
