"""Housekeeping: what the purge deletes once the retention periods have passed, and what
it always keeps. The clock is the tests' (NOW), the periods the defaults: 30 days for
sessions and links, 90 for messages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from shared.extensions import db
from shared.models import AccountLink, AuditEvent, EntitlementEvent, OutboxAttempt, OutboxMessage, UserSession
from shared.models.append_only import PURGE, AppendOnlyError
from shared.services import audit, retention

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def _session(name: str, *, user_type="victim", created=None, last_seen=None, ended=None) -> str:
    created = created or last_seen or ended
    db.session.add(
        UserSession(
            token_hash=name,  # names the row for the test
            user_type=user_type,
            user_id=1,
            method="password",
            created_at=created,
            last_seen_at=last_seen or created,
            ended_at=ended,
            ended_reason="signed_out" if ended else None,
        )
    )
    return name


def _link(name: str, *, created, expires, used=None, revoked=None) -> str:
    db.session.add(
        AccountLink(
            purpose="activation",
            token_hash=name,  # names the row for the test
            created_at=created,
            expires_at=expires,
            used_at=used,
            revoked_at=revoked,
        )
    )
    return name


def _message(name: str, status: str, *, finished=None, dealt_with=None, tries=("sent",)) -> str:
    created = (finished or NOW) - DAY
    message = OutboxMessage(
        kind=name,  # the kind column names the row for the test
        status=status,
        attempts=len(tries),
        next_attempt_at=created,
        created_at=created,
        finished_at=finished,
        dealt_with_at=dealt_with,
        reason=None if status in ("sent", "pending") else "refused",
    )
    db.session.add(message)
    db.session.flush()
    for number, outcome in enumerate(tries, start=1):
        db.session.add(OutboxAttempt(message_id=message.id, number=number, at=created, outcome=outcome))
    return name


def _remaining(column) -> set[str]:
    return set(db.session.scalars(select(column)))


def _policy(app) -> retention.Policy:
    return retention.Policy.from_config(app.config)


@pytest.fixture
def rows(app, ctx, time_machine):
    """Rows either side of each retention period, as of NOW, and what the purge keeps."""
    time_machine.move_to(NOW, tick=False)
    kept = {
        "sessions": {
            _session("ended 29 days ago", ended=NOW - 29 * DAY),
            _session("live", created=NOW - timedelta(minutes=10), last_seen=NOW - timedelta(minutes=1)),
            _session("idle 29 days ago, never ended", last_seen=NOW - 29 * DAY),
            # A staff member's session lasts longer without a request (30 minutes) than a
            # victim's (15): gone idle 30 days and 20 minutes ago, it ran out 29 days and
            # 23 hours and 50 minutes ago.
            _session(
                "staff, seen 30 days 20 minutes ago",
                user_type="staff",
                last_seen=NOW - 30 * DAY - timedelta(minutes=20),
            ),
        },
        "links": {
            _link("live", created=NOW - DAY, expires=NOW + DAY),
            _link("used 29 days ago", created=NOW - 30 * DAY, expires=NOW - 27 * DAY, used=NOW - 29 * DAY),
            _link("expired 29 days ago", created=NOW - 32 * DAY, expires=NOW - 29 * DAY),
        },
        "messages": {
            _message("sent 89 days ago", "sent", finished=NOW - 89 * DAY),
            _message("waiting", "pending", tries=("retry", "retry")),
            _message("failed, never dealt with", "failed", finished=NOW - 400 * DAY, tries=("failed",)),
            _message(
                "failed, dealt with 89 days ago",
                "failed",
                finished=NOW - 100 * DAY,
                dealt_with=NOW - 89 * DAY,
                tries=("failed",),
            ),
            _message("withheld long ago", "withheld", finished=NOW - 400 * DAY, tries=("withheld",)),
        },
    }
    gone = {
        "sessions": {
            _session("ended 31 days ago", ended=NOW - 31 * DAY),
            _session("victim, idle 31 days ago, never ended", last_seen=NOW - 31 * DAY),
            _session(
                "staff, seen 30 days 40 minutes ago",
                user_type="staff",
                last_seen=NOW - 30 * DAY - timedelta(minutes=40),
            ),
            # Signed in 31 days ago and in use until it reached the 10 hours' limit.
            _session(
                "staff, ran out at its time limit",
                user_type="staff",
                created=NOW - 31 * DAY,
                last_seen=NOW - 31 * DAY + timedelta(hours=9, minutes=59),
            ),
        },
        "links": {
            _link("used 31 days ago", created=NOW - 32 * DAY, expires=NOW - 29 * DAY, used=NOW - 31 * DAY),
            _link(
                "replaced 31 days ago", created=NOW - 32 * DAY, expires=NOW - 29 * DAY, revoked=NOW - 31 * DAY
            ),
            _link("expired 31 days ago", created=NOW - 34 * DAY, expires=NOW - 31 * DAY),
        },
        "messages": {
            _message("sent 91 days ago", "sent", finished=NOW - 91 * DAY, tries=("retry", "sent")),
            _message("sent a year ago", "sent", finished=NOW - 365 * DAY),
            _message(
                "failed, dealt with 91 days ago",
                "failed",
                finished=NOW - 100 * DAY,
                dealt_with=NOW - 91 * DAY,
                tries=("failed",),
            ),
        },
    }
    audit.record("staff.sign_in", "staff_member", 1, detail="password")
    db.session.commit()
    return kept, gone


@pytest.mark.parametrize("batch", [1, 2, retention.BATCH])
def test_the_purge_deletes_what_is_past_its_retention_and_keeps_the_rest(app, rows, batch):
    kept, gone = rows
    audit_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    purged = retention.purge(_policy(app), batch=batch)

    assert _remaining(UserSession.token_hash) == kept["sessions"]
    assert _remaining(AccountLink.token_hash) == kept["links"]
    assert _remaining(OutboxMessage.kind) == kept["messages"]
    kept_ids = select(OutboxMessage.id)
    assert db.session.scalar(select(func.count()).where(OutboxAttempt.message_id.not_in(kept_ids))) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxAttempt)) == 2 + 1 + 1 + 1 + 1
    assert purged == retention.Purged(sessions=4, links=3, notifications=3, attempts=4)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audit_events


def test_a_second_purge_finds_nothing_more(app, rows):
    retention.purge(_policy(app))
    assert retention.purge(_policy(app)) == retention.Purged(sessions=0, links=0, notifications=0, attempts=0)


def test_longer_retention_keeps_more(app, rows, monkeypatch):
    monkeypatch.setitem(app.config, "RETAIN_NOTIFICATIONS", 366 * DAY)
    monkeypatch.setitem(app.config, "RETAIN_SESSIONS", 365 * DAY)
    purged = retention.purge(_policy(app))
    assert (purged.sessions, purged.notifications) == (0, 0)
    assert "sent a year ago" in _remaining(OutboxMessage.kind)


def test_the_purge_is_the_only_statement_that_may_delete_history(ctx):
    _message("sent", "sent", finished=NOW - 100 * DAY)
    db.session.commit()
    refused = [
        (delete(OutboxAttempt), {}),
        (delete(OutboxAttempt.__table__), {}),
        (delete(AuditEvent), {PURGE: True}),
        (delete(EntitlementEvent), {PURGE: True}),
    ]
    for statement, options in refused:
        with pytest.raises(AppendOnlyError):
            db.session.execute(statement, execution_options=options)
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxAttempt)) == 1
