"""`flask purge`: the daily housekeeping command prints what it deleted."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AccountLink, OutboxAttempt, OutboxMessage, UserSession
from shared.services import outbox_worker
from tests import factories
from tests.outbox_helpers import invited

START = datetime(2027, 2, 1, 0, 5, tzinfo=UTC)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_purge_deletes_in_batches_and_prints_the_counts(app, ctx, client, time_machine):
    time_machine.move_to(START, tick=False)
    officer = factories.staff()
    for _ in range(3):
        client.staff_sign_in(officer.email, factories.PASSWORD)
    invited()
    outbox_worker.drain()
    db.session.remove()
    sessions = _count(UserSession)
    assert sessions >= 3 and _count(AccountLink) == 1 and _count(OutboxAttempt) == 1

    time_machine.move_to(START + timedelta(days=91), tick=False)
    result = app.test_cli_runner().invoke(args=["purge", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    # What the command prints, beside its log line (JSON, on the same standard output).
    printed = [line for line in result.output.splitlines() if not line.startswith("{")]
    assert printed == [
        f"Sessions: {sessions}",
        "Links: 1",
        "Messages: 1 (tries at sending: 1)",
    ]
    assert [_count(model) for model in (UserSession, AccountLink, OutboxMessage, OutboxAttempt)] == [
        0,
        0,
        0,
        0,
    ]


def test_the_batch_size_is_a_whole_number_from_one(app):
    result = app.test_cli_runner().invoke(args=["purge", "--batch-size", "0"])
    assert result.exit_code == 2
    assert "--batch-size" in result.output
