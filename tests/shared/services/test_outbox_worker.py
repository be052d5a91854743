"""The outbox worker (`flask send-notifications`) run as its own process, against a real SMTP
server: killed mid-batch it loses nothing, a provider that is down for a while only
delays messages, and two workers on PostgreSQL never send the same message twice."""

import json
import os
import signal
import subprocess
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from shared.extensions import db
from shared.models import OutboxAttempt, Victim
from shared.models.types import utcnow
from shared.services import victim_accounts, victims_code_actions, worker_heartbeat
from tests import clock, factories
from tests.outbox_helpers import outbox_rows
from tests.paths import ROOT
from tests.signed_in import sign_in_as

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")


@pytest.fixture
def workers(database_url, tmp_path):
    """Start `flask send-notifications` processes on the test database, sending to the given
    SMTP server; every one still running is killed when the test ends."""
    started = []

    def environment(smtp, settings):
        env = dict(os.environ)
        env.update(
            APP_ENV="development",
            # The test app's key: the worker must unseal what the app sealed.
            SECRET_KEY="test-secret-key",
            PYTHONUNBUFFERED="1",
            DATABASE_URL=database_url,
            # A claim must outlast the slowest batch: OUTBOX_BATCH x SEND_TIMEOUT_SECONDS.
            OUTBOX_LEASE_SECONDS="6",
            OUTBOX_BATCH="5",
            SEND_TIMEOUT_SECONDS="1",
            OUTBOX_BACKOFF_SECONDS="1",
            **smtp.environment(),
        )
        env.update({name: str(value) for name, value in settings.items()})
        return env

    def start(smtp, *args, **settings):
        log = open(tmp_path / f"worker-{len(started)}.log", "w+")
        process = subprocess.Popen(
            clock.python_command("-m", "flask", "--app", "wsgi", "send-notifications", *args),
            cwd=ROOT,
            env=environment(smtp, settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append((process, log))
        return process

    def once(smtp, **settings):
        return subprocess.run(
            clock.python_command("-m", "flask", "--app", "wsgi", "send-notifications", "--once"),
            cwd=ROOT,
            env=environment(smtp, settings),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def output(process) -> str:
        log = next(log for p, log in started if p is process)
        log.flush()
        log.seek(0)
        return log.read()

    start.once = once
    start.output = output
    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        log.close()


def wait_for(condition, what: str, timeout: float = 30, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def _attempts() -> dict[int, list[OutboxAttempt]]:
    out: dict[int, list[OutboxAttempt]] = {}
    for attempt in db.session.scalars(
        select(OutboxAttempt).order_by(OutboxAttempt.message_id, OutboxAttempt.number)
    ):
        out.setdefault(attempt.message_id, []).append(attempt)
    db.session.commit()
    return out


def _victims_of_one_crime(officer, count: int):
    """A crime with `count` victims who use the service."""
    crime = factories.crime(officer)
    links = [factories.victim(crime, officer) for _ in range(count)]
    db.session.execute(
        update(Victim).where(Victim.id.in_([link.victim_id for link in links])).values(activated_at=utcnow())
    )
    db.session.commit()
    return crime


def _sent_once_each(rows) -> dict[int, OutboxAttempt]:
    """Every row is sent, with exactly one `sent` attempt recorded: that attempt, by row."""
    assert {row.status for row in rows} == {"sent"}
    attempts = _attempts()
    sent = {}
    for row in rows:
        [attempt] = [a for a in attempts.get(row.id, []) if a.outcome == "sent"]
        sent[row.id] = attempt
    return sent


def test_a_worker_killed_mid_batch_loses_nothing(ctx, smtp_server, workers):
    officer = factories.staff()
    crime = factories.crime(officer)
    for _ in range(30):
        victim_accounts.invite(factories.victim(crime, officer), by=officer)
    references = {row.reference for row in outbox_rows()}
    assert len(references) == 30

    smtp_server.handler.delay = 0.1
    worker = workers(smtp_server, "--poll", "0.2")
    wait_for(lambda: len(smtp_server.received) >= 3, "the first messages")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert len(smtp_server.received) < 30
    rows = outbox_rows()
    assert [row for row in rows if row.status == "pending"], "the worker finished before it was killed"

    # Its claims run out; then another worker sends the rest.
    smtp_server.handler.delay = 0
    wait_for(
        lambda: all(row.claimed_until is None or row.claimed_until < utcnow() for row in outbox_rows()),
        "the claims to run out",
        timeout=10,
    )
    done = workers.once(smtp_server)
    assert done.returncode == 0, done.stdout + done.stderr

    received = smtp_server.received
    assert {r.reference for r in received} == references  # each at least once
    assert all("/activate/" in r.body for r in received)  # the worker could unseal the links
    _sent_once_each(outbox_rows())


def test_messages_wait_while_the_provider_is_down(app, client, victim_client, ctx, smtp_server, workers):
    officer = factories.staff()
    told = [factories.active_victim(factories.crime(officer), officer) for _ in range(2)]
    to_invite = factories.victim(told[0].crime, officer)
    sign_in_as(client, officer)

    smtp_server.stop()
    worker = workers(smtp_server, "--poll", "0.1", OUTBOX_BACKOFF_MAX_SECONDS=2)
    # The service keeps working meanwhile.
    for link in told:
        page = client.post(
            f"/backoffice/crimes/{link.crime_id}/updates/new",
            {"kind": "general", "victim_text": "We have spoken to a witness.", "visible": "yes"},
        )
        assert page.status == 302, page.error_summary
        assert client.follow(page).status == 200
    crime_page = client.get(f"/backoffice/crimes/{to_invite.crime_id}")
    page = client.post(
        f"/backoffice/crimes/{to_invite.crime_id}/victims/{to_invite.id}/invite",
        {"csrf_token": crime_page.csrf()},
    )
    assert page.status == 302
    assert "Invitation sent" in client.follow(page).main_text
    assert victim_client.victim_sign_in(told[0].victim.email, factories.PASSWORD).status == 302
    assert victim_client.get(f"/cases/{told[0].public_id}").status == 200
    assert victim_client.post("/forgot-password", {"email": told[1].victim.email}).status == 200

    # The worker tries, and tries again later.
    rows = wait_for(
        lambda: (rows := outbox_rows()) and all(row.attempts >= 2 for row in rows) and rows,
        "two tries of each",
    )
    assert len(rows) == 4
    assert sorted(row.kind for row in rows) == ["invitation", "new_update", "new_update", "password_reset"]
    assert {row.status for row in rows} == {"pending"}
    assert {(a.outcome, a.detail.split()[0]) for tries in _attempts().values() for a in tries} == {
        ("retry", "SMTP")
    }
    assert smtp_server.received == []
    assert client.get(f"/backoffice/crimes/{to_invite.crime_id}").status == 200

    smtp_server.start()
    wait_for(lambda: all(row.status != "pending" for row in outbox_rows()), "the messages to go", timeout=20)
    rows = outbox_rows()
    _sent_once_each(rows)
    assert sorted(r.reference for r in smtp_server.received) == sorted(row.reference for row in rows)
    assert all(len(_attempts()[row.id]) == row.attempts >= 3 for row in rows)
    assert len({a.worker for tries in _attempts().values() for a in tries}) == 1

    # SIGTERM stops it after the message in hand.
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0, workers.output(worker)


@pytest.mark.skipif(not ON_POSTGRES, reason="several workers at once need PostgreSQL")
def test_two_workers_never_send_the_same_message_twice(ctx, smtp_server, workers):
    officer = factories.staff()
    crime = _victims_of_one_crime(officer, 80)
    # Small batches, so that the two often claim at the same moment.
    smtp_server.handler.delay = 0.02
    settings = {"OUTBOX_BATCH": 2, "OUTBOX_LEASE_SECONDS": 60}
    both = [workers(smtp_server, "--poll", "0.1", **settings) for _ in range(2)]
    for worker in both:
        wait_for(lambda worker=worker: "Sending messages as" in workers.output(worker), "the worker to start")
    # Both are waiting: 80 messages become due at once.
    factories.update(crime, officer)
    assert len(outbox_rows()) == 80
    wait_for(lambda: all(row.status == "sent" for row in outbox_rows()), "every message to go", timeout=30)
    for worker in both:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, workers.output(worker)

    rows = outbox_rows()
    counted = Counter(r.reference for r in smtp_server.received)
    assert counted == Counter(row.reference for row in rows)  # each exactly once
    sent = _sent_once_each(rows)
    assert all(len(tries) == 1 for tries in _attempts().values())
    by_worker = Counter(attempt.worker for attempt in sent.values())
    assert len(by_worker) == 2, by_worker


def test_send_notifications_once_prints_the_counts(ctx, smtp_server, workers):
    officer = factories.staff()
    crime = factories.crime(officer)
    factories.active_victim(crime, officer)
    opted_out = factories.active_victim(crime, officer)
    victims_code_actions.change_contact_plan(
        opted_out,
        frequency_days=28,
        channel="email",
        language="en",
        safe_to_contact=True,
        opted_out=True,
        note=None,
        by=officer,
    )
    factories.update(crime, officer)

    done = workers.once(smtp_server)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 sent, 0 retry, 0 failed, 1 withheld"
    assert sorted(row.status for row in outbox_rows()) == ["sent", "withheld"]
    assert len(smtp_server.received) == 1

    again = workers.once(smtp_server)
    assert (again.returncode, again.stdout.strip()) == (0, "0 sent, 0 retry, 0 failed, 0 withheld")
    assert db.session.scalar(select(func.count()).select_from(OutboxAttempt)) == 2


def test_a_running_worker_beats_and_logs_json_lines(ctx, smtp_server, workers):
    """Set up like the web server: JSON lines on standard output with LOG_FORMAT=json,
    and a heartbeat each time round the loop."""
    worker = workers(smtp_server, "--poll", "0.1", LOG_FORMAT="json")
    first = wait_for(lambda: worker_heartbeat.workers().latest_beat, "the first heartbeat")
    wait_for(lambda: worker_heartbeat.workers().latest_beat > first, "the heartbeat to be renewed")
    assert worker_heartbeat.workers().alive == 1
    db.session.commit()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0, workers.output(worker)
    lines = [json.loads(line) for line in workers.output(worker).splitlines()]
    [started] = [line for line in lines if line["message"].startswith("Sending messages as ")]
    assert (started["level"], started["logger"], started["user_kind"]) == (
        "INFO",
        "trackmycrime.outbox",
        "none",
    )
