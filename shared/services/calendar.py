"""Working days and Victims' Code deadlines (victims-code.md section 5).

Working days are Monday to Friday except England and Wales bank holidays, substitute
days and one-off holidays included. Times are stored in UTC and counted on the clock in
England and Wales: the trigger's local date is day 0, and "within N working days" ends at
23:59:59 local time on the Nth working day after it. A clock change never moves a
deadline, because the end of a local day is worked out on the local calendar first.
"""

import calendar as months
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[date]:
    # Without subdiv the UK calendar leaves out Easter Monday and the August bank holiday.
    return frozenset(holidays.UK(subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def local_date(moment: datetime) -> date:
    """The date in England and Wales at this moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware time")
    return moment.astimezone(LONDON).date()


def end_of_local_day(day: date) -> datetime:
    """23:59:59 on this date in England and Wales, as a UTC time."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON).astimezone(UTC)


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of this date in England and Wales, as a UTC time."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day` (day 0); `day` itself when count is 0."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_day_deadline(trigger: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the `days`th working day after the trigger's local date."""
    return end_of_local_day(add_working_days(local_date(trigger), days))


def calendar_day_deadline(trigger: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the local date `days` calendar days after the trigger."""
    return end_of_local_day(local_date(trigger) + timedelta(days=days))


def add_months(day: date, count: int) -> date:
    """The same day `count` months later; the month's last day where it is shorter."""
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start`, up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
