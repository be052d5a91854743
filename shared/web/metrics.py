"""Prometheus metrics at `/metrics`, for the people who run the service.

Not public: served only when METRICS_TOKEN is set (404 otherwise), to a scraper that
sends it as a bearer token (401 otherwise), so one port serves the site and the metrics
and no second listener needs opening.

Counted in each web process: requests by endpoint, method and status, with their
latency; sign-in failures; throttled guesses; records-system API calls per client.
Under gunicorn the workers are separate processes, so prometheus-client runs in its
multiprocess mode: each process keeps its counts in PROMETHEUS_MULTIPROC_DIR and a
scrape adds them up.

Read from the database at each scrape (shared.services.outbox_status and
worker_heartbeat), so the figures are the same whichever process or container
answers: the outbox (waiting, the oldest waiting's age, failed, withheld), provider
errors, and the notification workers alive.
"""

import hmac
import logging
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from shared.extensions import db
from shared.models.types import utcnow
from shared.services import outbox_status, worker_heartbeat
from shared.web.login import public

logger = logging.getLogger("trackmycrime.metrics")
PREFIX = "trackmycrime"

REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time taken to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SIGN_IN_FAILURES = Counter(
    f"{PREFIX}_sign_in_failures",
    "Sign-ins refused, by who (victim or staff) and step (password, code, single_sign_on).",
    ["who", "step"],
)
THROTTLED = Counter(
    f"{PREFIX}_throttled", "Guesses refused by the sign-in throttle, by endpoint.", ["endpoint"]
)
API_CALLS = Counter(
    f"{PREFIX}_api_calls",
    "Records-system API calls, by client id (none without a valid token) and status.",
    ["client", "status"],
)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response):
    """Runs after every other after-request function (it is registered first), so it
    sees the status actually sent."""
    started = g.pop("metrics_started", None)
    endpoint = request.endpoint or "none"
    status = str(response.status_code)
    REQUESTS.labels(endpoint, request.method, status).inc()
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    if request.blueprint == "api":
        client = g.get("api_client")
        API_CALLS.labels(client.client_id if client is not None else "none", status).inc()
    return response


class _ThisProcess:
    """The metrics of this process alone (the development server, or one process)."""

    def collect(self):
        yield from REGISTRY.collect()


class _FromDatabase:
    """What the database says, read once for the scrape."""

    def __init__(self):
        now = utcnow()
        self.backlog: outbox_status.Backlog | None
        self.workers: worker_heartbeat.Workers | None
        try:
            self.backlog = outbox_status.backlog()
            self.workers = worker_heartbeat.workers(now)
        except SQLAlchemyError:
            db.session.rollback()
            self.backlog = self.workers = None
        self.now = now

    def collect(self):
        yield GaugeMetricFamily(
            f"{PREFIX}_database_up",
            "Whether the database answered the scrape.",
            value=int(self.backlog is not None),
        )
        if self.backlog is None or self.workers is None:
            return
        backlog, workers = self.backlog, self.workers
        oldest = (
            0.0 if backlog.oldest_waiting is None else (self.now - backlog.oldest_waiting).total_seconds()
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_waiting", "Notifications waiting to be sent.", value=backlog.waiting
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_waiting_seconds",
            "Age of the oldest notification waiting to be sent (0 when none waits).",
            value=oldest,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_failed",
            "Notifications that finally failed and no officer has dealt with yet.",
            value=backlog.failed,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_withheld", "Notifications withheld on purpose.", value=backlog.withheld
        )
        errors = CounterMetricFamily(
            f"{PREFIX}_outbox_provider_errors",
            "Attempts the provider refused or failed, by outcome (retry or failed).",
            labels=["outcome"],
        )
        for outcome, count in sorted(backlog.provider_errors.items()):
            errors.add_metric([outcome], count)
        yield errors
        yield GaugeMetricFamily(
            f"{PREFIX}_workers_alive", "Notification workers with a recent heartbeat.", value=workers.alive
        )
        silent = workers.silent_for(self.now)
        if silent is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_worker_heartbeat_age_seconds",
                "Time since the latest heartbeat of any notification worker.",
                value=silent.total_seconds(),
            )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    directory = current_app.config["PROMETHEUS_MULTIPROC_DIR"]
    if directory:
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(_FromDatabase())
    return registry


@public
def _metrics():
    """The metrics, to a scraper with the token. Public in the sense of needing no
    sign-in: the token is checked here."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        logger.warning("Metrics refused: no token or the wrong one")
        return Response(
            "Send the metrics token as a bearer token.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain; charset=utf-8"},
        )
    body = generate_latest(_registry())
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """First of the request hooks, so that its after-request function runs last."""
    app.before_request(_start)
    app.after_request(_count)
    app.add_url_rule("/metrics", "metrics", _metrics, methods=["GET"])
