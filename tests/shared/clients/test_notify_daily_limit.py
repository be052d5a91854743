"""GOV.UK Notify's daily limits, one for emails and one for text messages: once Notify says
a channel's limit is reached, the worker asks it nothing more for that channel until the
limit resets at midnight UK time (the rest wait, untried), and the other channel still
goes. Against the Notify stand-in (tests/notify/server.py), which counts what it is asked."""

from datetime import UTC, datetime

import pytest
import time_machine

from shared.services import outbox_worker
from tests import factories
from tests.outbox_helpers import attempts_of, outbox_rows

# 22:30 on a summer evening in London is 21:30 UTC; the limits reset at 23:00 UTC.
EVENING = datetime(2026, 7, 14, 21, 30, tzinfo=UTC)
JUST_BEFORE = datetime(2026, 7, 14, 22, 59, tzinfo=UTC)
MIDNIGHT = datetime(2026, 7, 14, 23, 0, tzinfo=UTC)


@pytest.fixture
def notify(use_sender, notify_server):
    use_sender("notify", **notify_server.settings())
    return notify_server


def _updates_by(*channels: str) -> dict[str, list[int]]:
    """One crime whose victims are kept informed by these channels, in this order, and an
    update each is told of: the outbox message ids, by channel."""
    officer = factories.staff()
    crime = factories.crime(officer)
    links = []
    for channel in channels:
        link = factories.active_victim(crime, officer)
        if channel == "sms":
            factories.by_text(link, officer)
        links.append(link)
    factories.update(crime, officer)
    rows = [row for row in outbox_rows() if row.crime_id == crime.id]
    assert len(rows) == len(channels)
    by_victim = {row.victim_id: row.id for row in rows}
    out: dict[str, list[int]] = {"email": [], "sms": []}
    for link, channel in zip(links, channels, strict=True):
        out[channel].append(by_victim[link.victim_id])
    return out


def _rows(ids: list[int]):
    return [row for row in outbox_rows() if row.id in ids]


def test_after_the_email_limit_no_email_is_tried_until_midnight_and_texts_still_go(ctx, notify):
    limits_met: outbox_worker.LimitsMet = {}  # one worker run, batch after batch
    with time_machine.travel(EVENING, tick=False):
        ids = _updates_by("email", "sms", "email", "sms", "email", "email")
        notify.reach_daily_limit("email")
        counts = {"sent": 0, "retry": 0, "failed": 0, "withheld": 0}
        # Batches of two: the limit met in the first holds the emails of the later ones.
        while any((batch := outbox_worker.deliver_due(now=EVENING, limit=2, limits_met=limits_met)).values()):
            counts = {key: counts[key] + value for key, value in batch.items()}
        assert counts == {"sent": 2, "retry": 4, "failed": 0, "withheld": 0}
        assert limits_met == {"email": MIDNIGHT}

        # Notify was asked for one email only; both texts went.
        assert len(notify.sends("email")) == 1
        assert notify.sends("email")[0].status == 429
        assert [r.status for r in notify.sends("sms")] == [201, 201]
        assert {row.status for row in _rows(ids["sms"])} == {"sent"}
        emails = _rows(ids["email"])
        assert {(row.status, row.attempts, row.next_attempt_at) for row in emails} == {
            ("pending", 0, MIDNIGHT)
        }
        assert all(row.claimed_by is None for row in emails)
        # Only the email Notify refused has a try on record (not counted); the rest were not tried.
        # The worker takes messages oldest first: the first email made is the one tried.
        first, *others = sorted(ids["email"])
        [attempt] = attempts_of(first)
        assert (attempt.outcome, attempt.channel) == ("retry", "email")
        assert "Exceeded send limits" in attempt.detail
        assert all(attempts_of(other) == [] for other in others)

    assert outbox_worker.deliver_due(now=JUST_BEFORE, limits_met=limits_met)["sent"] == 0
    assert len(notify.sends("email")) == 1

    # Midnight: Notify's limit starts again, and so does the worker's.
    notify.reset_daily_limits()
    with time_machine.travel(MIDNIGHT, tick=False):
        assert outbox_worker.deliver_due(now=MIDNIGHT, limits_met=limits_met)["sent"] == 4
    assert {(row.status, row.attempts) for row in _rows(ids["email"])} == {("sent", 1)}
    assert [r.status for r in notify.sends("email")] == [429, 201, 201, 201, 201]


def test_after_the_text_limit_emails_still_go(ctx, notify):
    with time_machine.travel(EVENING, tick=False):
        ids = _updates_by("sms", "email", "sms", "sms", "email")
        notify.reach_daily_limit("sms")
        assert outbox_worker.drain(now=EVENING) == {"sent": 2, "retry": 3, "failed": 0, "withheld": 0}
        assert len(notify.sends("sms")) == 1
        assert len(notify.sends("email")) == 2
        assert {(row.status, row.next_attempt_at) for row in _rows(ids["sms"])} == {("pending", MIDNIGHT)}
        assert {row.status for row in _rows(ids["email"])} == {"sent"}

    notify.reset_daily_limits()
    with time_machine.travel(MIDNIGHT, tick=False):
        assert outbox_worker.drain(now=MIDNIGHT)["sent"] == 3
    assert [r.status for r in notify.sends("sms")] == [429, 201, 201, 201]


def test_a_new_run_asks_notify_once_more_before_holding_back(ctx, notify):
    """What a run learnt is its own: the next run (another `--once`, a restarted worker)
    asks Notify once, with the first due message, and holds back the rest."""
    with time_machine.travel(EVENING, tick=False):
        _updates_by("email")
        notify.reach_daily_limit("email")
        assert outbox_worker.drain(now=EVENING)["retry"] == 1
        _updates_by("email", "email")
        assert outbox_worker.drain(now=EVENING)["retry"] == 2
        assert len(notify.sends("email")) == 2


def test_the_international_text_limit_holds_back_no_other_text(ctx, notify):
    """Notify limits texts abroad on their own: meeting that limit leaves texts to UK
    numbers open, so each message is tried."""
    with time_machine.travel(EVENING, tick=False):
        _updates_by("sms", "sms")
        notify.answer_next(
            429,
            2,
            error="TooManyRequestsError",
            message="Exceeded send limits (international_sms: 100) for today",
        )
        assert outbox_worker.drain(now=EVENING)["retry"] == 2
        assert len(notify.sends("sms")) == 2
