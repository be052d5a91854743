"""`make bench`: the service at the scale of a large force, measured side by side.

One run generates a force-year in PostgreSQL (`bench.generate`), serves the app with
gunicorn (2 workers, production settings) and measures, in the same run:

- the victim's crime page, the officer's case list and the officer's Victims' Code queue,
  signed in, with wrk at 32 connections: requests per second, p50 and p99, and the ratio
  to the minimal route (`/health`) of the same app;
- the compliance report of the whole force for a quarter and a year, against the one
  hand-written SQL aggregate it needs, on the same database;
- the crime data integrity audit (`bench.audit`): drawing an audit's sample over the
  year's incidents and crimes, and computing its results once judged, each against the
  hand-written SQL that does the same work;
- the notification worker (`flask send-notifications --once`) sending to GOV.UK Notify's
  stand-in on loopback: messages per second;
- the records-system API: new crimes per second through `POST /api/v1/crimes` with
  idempotency keys, against a direct bulk load (COPY) of the same rows;
- the bulk import (`flask import-crimes`) of new crimes with their victims, as its own
  process, against a COPY of the same rows (`bench.bulk_import`);
- the peak memory (resident set) of a web worker and of the notification worker;

then prints one table. `python -m bench.run --help` lists the settings.
"""

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_bench"
SECRET_KEY = "bench-" + "k" * 40
USER_AGENT = "trackmycrime-bench"


@dataclass
class Figure:
    """One row of the table."""

    measure: str
    result: str
    p50: str = ""
    p99: str = ""
    compared: str = ""
    target: str = ""
    met: bool | None = None
    value: float = 0.0  # the figure as a number, for the tests and the JSON output


class BenchError(RuntimeError):
    """The benchmark could not measure what it set out to (a page not answering 200, the
    server not starting...): the message says what."""


# ------------------------------------------------------------------------ helpers


def _median_seconds(call, times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _ms(microseconds: float) -> str:
    return f"{microseconds / 1000:.1f} ms"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    """The peak resident set (VmHWM) of a running process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return kilobytes / 1024


# ------------------------------------------------------------------------ the app


def _app(database_url: str, **config):
    from shared.factory import create_app

    return create_app(
        {"APP_ENV": "testing", "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url, **config}
    )


def _cookie(app, user) -> str:
    """A real sign-in session for `user` (a row in user_session, as signing in makes),
    and the session cookie a browser would hold for it after its first page: with the
    CSRF token the forms use (without one, every page would set a new cookie)."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from shared.web import sessions

    # From loopback, as wrk's requests come: the session is bound to the address and the
    # browser it was made for.
    with app.test_request_context(
        "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ):
        sessions.start(user, "password+totp" if user.kind == "staff" else "password")
        # The caller's app context (and its `g`) outlives this request: forget the
        # previous user's token, so that this session gets its own.
        g.pop("csrf_token", None)
        generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def _sample_users(app, users: int):
    """Cookies and paths: victims with an online account on their crime's page; officers
    on their case list and their queue. Random people across the force."""
    from shared.extensions import db
    from shared.models import CrimeVictim, StaffMember, StaffRole, Victim

    with app.app_context():
        links = db.session.scalars(
            sa.select(CrimeVictim)
            .join(Victim, Victim.id == CrimeVictim.victim_id)
            .where(Victim.activated_at.is_not(None))
            .order_by(sa.func.random())
            .limit(users)
        ).all()
        officers = db.session.scalars(
            sa.select(StaffMember)
            .join(StaffRole, StaffRole.staff_id == StaffMember.id)
            .where(StaffRole.role == "officer", StaffMember.active.is_(True))
            .order_by(sa.func.random())
            .limit(users)
        ).all()
        if not links or not officers:
            raise BenchError(
                "The database holds no victim with an online account or no officer: generate it again."
            )
        victims = [(_cookie(app, link.victim), f"/cases/{link.public_id}") for link in links]
        staff = [_cookie(app, officer) for officer in officers]
        db.session.remove()
    return victims, staff


# ---------------------------------------------------------------------- processes


@contextmanager
def _gunicorn(database_url: str, workdir: Path, environment: dict[str, str]):
    """The app under gunicorn, 2 sync workers, production settings; yields its base URL
    and the master process."""
    port = _free_port()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115  (closed below)
    env = {
        **os.environ,
        **environment,
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        # Throughput, not the per-client quota, is measured.
        "API_RATE_LIMIT": "1000000 per minute",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as answer:  # noqa: S310  (loopback)
                    if answer.status == 200:
                        break
            except (
                urllib.error.URLError,
                ConnectionError,
                TimeoutError,
            ):  # still starting, or slow to answer
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(
                    f"gunicorn did not start; its log: {workdir / 'gunicorn.log'}\n"
                    + _tail(workdir / "gunicorn.log")
                )
            time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _workers(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _get(base: str, path: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def _check_pages(base: str, targets: list[tuple[str, str]], marker: str, what: str) -> None:
    """Each page answers 200 with what it should show, before any load is put on it (wrk
    would count a redirect to the sign-in page as a success)."""
    for cookie, path in targets:
        status, body = _get(base, path, cookie)
        if status != 200 or marker not in body:
            raise BenchError(
                f"{what} {path} answered {status} without {marker!r}: the benchmark would measure the wrong page"
            )


def _wrk(base: str, script: str, args: list[str], seconds: float, connections: int, name: str) -> dict:
    """Load `base` with a wrk script; its figures. Raises BenchError if a request failed
    (a connection error, a timeout, or an answer of 400 or more)."""
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--script",
        str(HERE / script),
        base,
        "--",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH-RESULT ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH-RESULT "))
    failed = sum(
        figures[key] for key in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    if failed:
        raise BenchError(f"{name}: {failed} requests failed under load: {figures}")
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1_000_000)
    return figures


def _load(
    base: str, targets: list[tuple[str, str]], workdir: Path, name: str, seconds: float, connections: int
) -> dict:
    listing = workdir / f"{name}.tsv"
    listing.write_text("".join(f"{cookie}\t{path}\n" for cookie, path in targets))
    # A short warm-up first: the workers' first requests load templates and fill caches.
    _wrk(base, "pages.lua", [str(listing)], 1, connections, name)
    return _wrk(base, "pages.lua", [str(listing)], seconds, connections, name)


# ------------------------------------------------------------------------ reports

# The one aggregate the report needs, written by hand: each rule's entitlements by their
# status now, among those triggered in the period. The report also counts crime
# recording (R2) for the period, a second, smaller aggregate over crimes.
RAW_REPORT_SQL = """
SELECT rule, event_kind,
       SUM(CASE WHEN state = 'met' AND (due_at IS NULL OR met_at <= due_at) THEN 1 ELSE 0 END) AS met_on_time,
       SUM(CASE WHEN state = 'met' AND met_at > due_at THEN 1 ELSE 0 END) AS met_late,
       SUM(CASE WHEN state = 'open' AND due_at < :now THEN 1 ELSE 0 END) AS overdue,
       SUM(CASE WHEN state = 'open' AND (due_at IS NULL OR due_at >= :now) THEN 1 ELSE 0 END) AS pending,
       SUM(CASE WHEN state IN ('declined', 'not_applicable') THEN 1 ELSE 0 END) AS declined
FROM entitlement
WHERE triggered_at >= :start AND triggered_at < :end
GROUP BY rule, event_kind
"""


def _report_figures(app, now: datetime, repeats: int) -> list[Figure]:
    from shared.extensions import db
    from shared.services import reports
    from shared.services.calendar import local_date, start_of_local_day

    today = local_date(now)
    periods = [("quarter", today - timedelta(days=91), today), ("year", today - timedelta(days=364), today)]
    figures = []
    with app.app_context():
        for name, start, end in periods:
            bounds = {
                "start": start_of_local_day(start),
                "end": start_of_local_day(end + timedelta(days=1)),
                "now": now,
            }

            def raw(bounds=bounds):
                db.session.execute(sa.text(RAW_REPORT_SQL), bounds).all()

            def report(start=start, end=end):
                reports.compliance(None, start, end, now=now)

            raw()
            report()  # warm: the first run reads the table from disk into the cache
            raw_seconds = _median_seconds(raw, repeats)
            report_seconds = _median_seconds(report, repeats)
            ratio = report_seconds / raw_seconds
            figures.append(
                Figure(
                    f"Compliance report, whole force, {name}",
                    f"{report_seconds * 1000:.0f} ms",
                    compared=f"{ratio:.2f}x the raw SQL aggregate ({raw_seconds * 1000:.0f} ms)",
                    target="at most 2x",
                    met=ratio <= 2,
                    value=ratio,
                )
            )
        db.session.remove()
    return figures


def _audit_figures(app, now: datetime, repeats: int) -> list[Figure]:
    from bench.audit import AuditBenchError, audit_figures

    try:
        return audit_figures(app, now, repeats, Figure)
    except AuditBenchError as error:
        raise BenchError(f"crime data integrity audit: {error}") from error


# ---------------------------------------------------------------------------- API


def _api_client(app) -> tuple[str, str, str]:
    from shared.extensions import db
    from shared.models import StaffMember, StaffRole
    from shared.services import api_clients

    with app.app_context():
        client, secret = api_clients.register(f"Benchmark {secrets.token_hex(4)}", ["crimes:write"], None)
        collar = db.session.scalar(
            sa.select(StaffMember.collar_number)
            .join(StaffRole, StaffRole.staff_id == StaffMember.id)
            .where(StaffRole.role == "officer", StaffMember.active.is_(True))
            .limit(1)
        )
        client_id = client.client_id
        db.session.remove()
    return client_id, secret, collar


def _token(base: str, client_id: str, secret: str) -> str:
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "crimes:write",
        }
    ).encode()
    request = urllib.request.Request(base + "/api/v1/oauth/token", data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  (loopback)
        return json.loads(answer.read())["access_token"]


def _api_figures(app, base: str, database_url: str, seconds: float, connections: int) -> Figure:
    client_id, secret, collar = _api_client(app)
    token = _token(base, client_id, secret)
    prefix = f"B{secrets.token_hex(3).upper()}/"
    reported = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    times = [
        (reported - timedelta(hours=3)).isoformat(),
        reported.isoformat(),
        (reported + timedelta(hours=1)).isoformat(),
    ]
    figures = _wrk(base, "api.lua", [token, collar, prefix, *times], seconds, connections, "API")
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        created = conn.scalar(
            sa.text("SELECT count(*) FROM crime WHERE reference LIKE :p"), {"p": prefix + "%"}
        )
    engine.dispose()
    # Requests still in flight when wrk stops may be stored without being counted.
    if created < figures["requests"]:
        raise BenchError(f"API: {figures['requests']} crimes answered, only {created} stored")
    api_rate = figures["requests"] / (figures["duration_us"] / 1_000_000)
    copy_rate = _copy_rate(database_url, collar, max(created, 1000))
    return Figure(
        "API: new crimes through POST /api/v1/crimes",
        f"{api_rate:.0f} crimes/s",
        _ms(figures["p50_us"]),
        _ms(figures["p99_us"]),
        compared=f"{api_rate / copy_rate:.2%} of a direct bulk load ({copy_rate:.0f} crimes/s)",
        value=api_rate,
    )


def _copy_rate(database_url: str, collar: str, count: int) -> float:
    """Crimes per second loaded by COPY straight into the table, the same rows the API
    made, in a transaction then rolled back."""
    url = sa.make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        officer, team = conn.execute(
            "SELECT id, team_id FROM staff_member WHERE collar_number = %s", (collar,)
        ).fetchone()
        # Far above the ids in use: requests still finishing may take the next ones.
        start = conn.execute("SELECT coalesce(max(id), 0) + 10000000 FROM crime").fetchone()[0]
        now = datetime.now(UTC)
        reported = now - timedelta(days=2)
        columns = (
            "id, reference, offence, offence_group, occurred_at, reported_at, recorded_at, stage, officer_in_charge_id, "
            "team_id, created_at, source_updated_at"
        )
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY crime ({columns}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row(
                    (
                        start + n,
                        f"COPY/{start}/{n}",
                        "burglary_residential",
                        "burglary",
                        reported - timedelta(hours=3),
                        reported,
                        reported + timedelta(hours=1),
                        "under_investigation",
                        officer,
                        team,
                        now,
                        reported,
                    )
                )
        elapsed = time.perf_counter() - started
        conn.rollback()
    return count / elapsed


# ------------------------------------------------------------------ notifications

WORKER_TARGET_RATE = 200  # messages a second
PEAK_MEMORY_MB = 150  # a web worker's and the notification worker's

# A process started from this one would report this one's peak memory as its own when
# this one's is higher: Linux keeps the high-water mark of the memory a process had before
# it called exec (all of this process's, when Python starts a child with vfork), and the
# benchmark's process holds the generator's hundreds of megabytes after generating. So a
# small launcher starts the command, and reports the peak of the command alone.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _run_measured(command: list[str], env: dict[str, str], log_path: Path) -> tuple[int, float]:
    """Run `command` to its end, its output to `log_path`: its exit status and its peak
    memory (resident set) in MB."""
    peak_file = log_path.with_suffix(".peak")
    with open(log_path, "w") as log:
        returncode = subprocess.call(
            [sys.executable, "-c", _LAUNCHER, str(peak_file), *command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    peak_kb = int(peak_file.read_text() or 0) if peak_file.exists() else 0
    return returncode, peak_kb / 1024


def _worker_figures(app, database_url: str, messages: int, workdir: Path) -> list[Figure]:
    """Queue `messages` "you have a new update" messages to victims with an online
    account, run the worker once as its own process against Notify's stand-in, and time
    the stand-in's receipts, first to last."""
    from shared.extensions import db
    from shared.models import Crime, CrimeVictim, OutboxMessage, Victim
    from shared.services import outbox
    from tests.notify.server import NotifyServer

    notify = NotifyServer(app)
    notify.start()
    try:
        with app.app_context():
            db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.status == "pending"))
            first_id = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboxMessage.id), 0)))
            crimes = db.session.scalars(
                sa.select(Crime)
                .join(CrimeVictim, CrimeVictim.crime_id == Crime.id)
                .join(Victim, Victim.id == CrimeVictim.victim_id)
                .where(
                    Victim.activated_at.is_not(None),
                    Victim.email.is_not(None),
                    Victim.contact_channel == "email",
                )
                .order_by(Crime.id.desc())
                .limit(messages)
            ).all()
            for crime in crimes:
                outbox.notify_victims(crime)
            db.session.commit()
            queued = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "pending"))
            db.session.remove()
        env = {
            **os.environ,
            **notify.environment(),
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url,
            # Production needs them, though the worker's messages are already written.
            "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
            "REDIS_URL": "redis://127.0.0.1:6379/12",
            "OUTBOX_BATCH": "50",
        }
        returncode, peak_mb = _run_measured(
            [sys.executable, "-m", "flask", "--app", "wsgi", "send-notifications", "--once"],
            env,
            workdir / "worker.log",
        )
        if returncode != 0:
            raise BenchError("the notification worker failed:\n" + _tail(workdir / "worker.log"))
        received = notify.notifications
        stamps = sorted(request.at for request in notify.requests if request.status == 201)
    finally:
        notify.stop()
    with app.app_context():
        outcomes = {
            f"{status} ({reason})" if reason else status: count
            for status, reason, count in db.session.execute(
                sa.select(OutboxMessage.status, OutboxMessage.reason, sa.func.count())
                .where(OutboxMessage.id > first_id)
                .group_by(OutboxMessage.status, OutboxMessage.reason)
            )
        }
        db.session.remove()
    # Messages to victims who opted out or are not safe to contact are withheld, as they
    # must be, and a text message to a victim with no mobile number fails; every other
    # message must have reached the provider.
    sent = outcomes.get("sent", 0)
    expected = {"sent", "failed (no_address)"}
    unexpected = [key for key in outcomes if key not in expected and not key.startswith("withheld")]
    if sent != len(received) or unexpected or sent < 2:
        raise BenchError(
            f"notification worker: {queued} messages queued, {outcomes}, {len(received)} received by the provider"
        )
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    return [
        Figure(
            "Notification worker to a loopback provider",
            f"{rate:.0f} messages/s",
            target=f"at least {WORKER_TARGET_RATE}/s",
            met=rate >= WORKER_TARGET_RATE,
            value=rate,
        ),
        Figure(
            "Notification worker, peak memory",
            f"{peak_mb:.0f} MB",
            target=f"under {PEAK_MEMORY_MB} MB",
            met=peak_mb < PEAK_MEMORY_MB,
            value=peak_mb,
        ),
    ]


# ---------------------------------------------------------------------- the import


def _import_figures(app, database_url: str, count: int, workdir: Path) -> list[Figure]:
    """`flask import-crimes` loading `count` new crimes with their victims, as its own
    process from start to end, against a COPY of the same rows (bench.bulk_import)."""
    from bench import bulk_import
    from shared.domain.permissions import CASE_HOLDING_ROLES
    from shared.extensions import db
    from shared.models import StaffMember, StaffRole
    from shared.services import api_clients

    with app.app_context():
        client, _secret = api_clients.register(
            f"Benchmark import {secrets.token_hex(4)}", ["crimes:write"], None
        )
        client_id = client.client_id
        collars = list(
            db.session.scalars(
                sa.select(StaffMember.collar_number)
                .join(StaffRole, StaffRole.staff_id == StaffMember.id)
                .where(StaffRole.role.in_(sorted(CASE_HOLDING_ROLES)), StaffMember.active.is_(True))
                .distinct()
                .limit(500)
            )
        )
        db.session.remove()
    prefix = f"I{secrets.token_hex(3).upper()}/"
    path = workdir / "import.csv"
    victims = bulk_import.write_file(path, count, collars, prefix, datetime.now(UTC))
    from tests.notify.server import NotifyServer

    env = {
        **os.environ,
        # Production needs a sender's settings, though the import sends nothing.
        **NotifyServer(app).environment(),
        "APP_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "REDIS_URL": "redis://127.0.0.1:6379/12",
    }
    started = time.perf_counter()
    returncode, _peak = _run_measured(
        [sys.executable, "-m", "flask", "--app", "wsgi", "import-crimes", str(path), "--client", client_id],
        env,
        workdir / "import.log",
    )
    elapsed = time.perf_counter() - started
    summary = (
        f"Crimes: {count} created, 0 updated, 0 unchanged, 0 ignored (older). Victims: {victims} created"
    )
    if returncode != 0 or summary not in (workdir / "import.log").read_text():
        raise BenchError("flask import-crimes did not load the file:\n" + _tail(workdir / "import.log"))
    rate = count / elapsed
    copied = bulk_import.copy_rate(database_url, path)
    return [
        Figure(
            "Bulk import, flask import-crimes",
            f"{rate:,.0f} crimes/s ({count:,} crimes, {victims:,} victims)",
            compared=f"{rate / copied:.2%} of a direct COPY ({copied:,.0f} crimes/s)",
            target=f"at least {bulk_import.TARGET_RATE:,}/s",
            met=rate >= bulk_import.TARGET_RATE,
            value=rate,
        )
    ]


# --------------------------------------------------------------------------- pages

PAGE_TARGET_SHARE = 0.15
PAGE_TARGET_P99_US = 100_000


def _page_figures(base: str, victims, staff, workdir: Path, seconds: float, connections: int) -> list[Figure]:
    _check_pages(base, [("", "/health")], "OK", "The minimal route")
    _check_pages(base, victims, "govuk-summary-list", "The victim's crime page")
    cases = [(cookie, "/backoffice/cases") for cookie in staff]
    queue = [(cookie, "/backoffice/tasks") for cookie in staff]
    _check_pages(base, cases, 'name="q"', "The officer's case list")
    _check_pages(base, queue, 'id="overdue"', "The officer's queue")
    minimal = _load(base, [("", "/health")], workdir, "minimal", seconds, connections)
    rows = [
        Figure(
            "Minimal route (GET /health)",
            f"{minimal['rps']:.0f} req/s",
            _ms(minimal["p50_us"]),
            _ms(minimal["p99_us"]),
            compared="the baseline",
            value=minimal["rps"],
        )
    ]
    for name, targets, share_target in (
        ("Victim's crime page, signed in", victims, True),
        ("Officer's case list, signed in", cases, False),
        ("Officer's Victims' Code queue, signed in", queue, False),
    ):
        figures = _load(
            base,
            targets,
            workdir,
            name.split(",")[0].replace(" ", "_").replace("'", ""),
            seconds,
            connections,
        )
        share = figures["rps"] / minimal["rps"]
        row = Figure(
            name,
            f"{figures['rps']:.0f} req/s",
            _ms(figures["p50_us"]),
            _ms(figures["p99_us"]),
            compared=f"{share:.1%} of the minimal route",
            value=share,
        )
        if share_target:
            row.target = f"at least {PAGE_TARGET_SHARE:.0%}, p99 under {PAGE_TARGET_P99_US // 1000} ms"
            row.met = share >= PAGE_TARGET_SHARE and figures["p99_us"] < PAGE_TARGET_P99_US
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------- run


# The measures a run can be limited to (`--only`), in the order they run.
MEASURES = ("pages", "api", "reports", "audit", "worker", "import")


def run(
    database_url: str = DEFAULT_URL,
    crimes: int = 1_000_000,
    seconds: float = 10,
    connections: int = 32,
    users: int = 64,
    messages: int = 2000,
    repeats: int = 5,
    reuse: bool = False,
    echo=print,
    only: tuple[str, ...] = MEASURES,
    import_crimes: int = 100_000,
) -> list[Figure]:
    """Generate the data (unless `reuse` and it is there), measure everything (or the
    measures named in `only`) and return the rows of the table. Raises BenchError when
    something cannot be measured."""
    if sa.make_url(database_url).get_backend_name() != "postgresql":
        raise BenchError("The benchmarks run on PostgreSQL: give a postgresql+psycopg:// URL.")
    unknown = [name for name in only if name not in MEASURES]
    if unknown:
        raise BenchError(f"No measure is called {', '.join(unknown)}: choose from {', '.join(MEASURES)}.")
    if not reuse or not _has_data(database_url):
        from bench.generate import generate

        echo(f"Generating {crimes:,} crimes into {sa.make_url(database_url).database} ...")
        generate(database_url, crimes=crimes, echo=echo)
    app = _app(database_url)
    figures: list[Figure] = []
    web_peak = None
    with tempfile.TemporaryDirectory(prefix="tmc-bench-") as folder:
        workdir = Path(folder)
        if "pages" in only:
            echo("Signing in sample victims and officers ...")
            victims, staff = _sample_users(app, users)
        if "pages" in only or "api" in only:
            from tests.notify.server import NotifyServer

            notify = NotifyServer(app)  # the web server only needs its settings; nothing is sent
            with _gunicorn(database_url, workdir, notify.environment()) as (base, master):
                if "pages" in only:
                    echo(f"Loading the pages with wrk, {connections} connections, {seconds:g} s each ...")
                    figures += _page_figures(base, victims, staff, workdir, seconds, connections)
                if "api" in only:
                    echo("Pushing crimes through the API ...")
                    figures.append(_api_figures(app, base, database_url, seconds, connections))
                web_peak = max(_peak_rss_mb(pid) for pid in _workers(master))
        if "reports" in only:
            echo("Timing the compliance reports ...")
            figures += _report_figures(app, datetime.now(UTC), repeats)
        if "audit" in only:
            echo("Drawing, judging and counting a crime data integrity audit ...")
            figures += _audit_figures(app, datetime.now(UTC), repeats)
        if "worker" in only:
            echo("Sending messages with the notification worker ...")
            figures += _worker_figures(app, database_url, messages, workdir)
        if "import" in only:
            echo(f"Importing {import_crimes:,} crimes with flask import-crimes ...")
            figures += _import_figures(app, database_url, import_crimes, workdir)
    if web_peak is not None:
        figures.append(
            Figure(
                "Web worker, peak memory",
                f"{web_peak:.0f} MB",
                target="under 150 MB",
                met=web_peak < 150,
                value=web_peak,
            )
        )
    with app.app_context():
        from shared.extensions import db

        db.engine.dispose()
    return figures


def _has_data(database_url: str) -> bool:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM crime)")))
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def table(figures: list[Figure]) -> str:
    """The figures as one plain-text table."""
    header = ("Measure", "Result", "p50", "p99", "Compared", "Target", "")
    rows = [header] + [
        (
            f.measure,
            f.result,
            f.p50,
            f.p99,
            f.compared,
            f.target,
            "" if f.met is None else ("met" if f.met else "MISSED"),
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def machine() -> str:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // (1024 * 1024)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GB memory, Python {sys.version.split()[0]}"


def _measures(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in MEASURES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(MEASURES)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--crimes", type=int, default=1_000_000, help="crimes in the generated force-year")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--users", type=int, default=64, help="victims and officers signed in for the page loads"
    )
    parser.add_argument("--messages", type=int, default=2000, help="messages the notification worker sends")
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="runs of each report query and audit measure (the median is kept)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data already generated in the database"
    )
    parser.add_argument(
        "--only",
        type=_measures,
        default=MEASURES,
        help=f"measure only these, separated by commas (of {','.join(MEASURES)}; all by default)",
    )
    parser.add_argument(
        "--import-crimes",
        type=int,
        default=100_000,
        help="crimes (each with a victim) in the file flask import-crimes loads",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    try:
        figures = run(
            args.database_url,
            args.crimes,
            args.seconds,
            args.connections,
            args.users,
            args.messages,
            args.repeats,
            args.reuse,
            only=args.only,
            import_crimes=args.import_crimes,
        )
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        return 1
    print()
    print(f"Track My Crime benchmarks, {date.today().isoformat()}: {machine()}")
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
