"""Working days and Victims' Code deadlines (victims-code.md section 5): the trigger's
local date is day 0, and "within N working days" ends at 23:59:59 in England and Wales
on the Nth working day after it, bank holidays, substitute days and clock changes
included."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.config import ConfigError, load_config
from shared.domain.code_versions import timescales
from shared.domain.victims_code_rules import default_timescales
from shared.services import calendar, entitlements

LONDON = ZoneInfo("Europe/London")
GMT, BST = timedelta(0), timedelta(hours=1)


def trigger(text: str) -> datetime:
    """An ISO time: on the clock in England and Wales unless it names its own offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


# (why, trigger, working days, the local date it is due by, the clock on that date)
DEADLINES = [
    # The worked example: an arrest at 16:00 on Friday 18 December 2026.
    ("worked example, standard", "2026-12-18 16:00", 5, "2026-12-29", GMT),
    ("worked example, enhanced", "2026-12-18 16:00", 1, "2026-12-21", GMT),
    # Easter: Good Friday and Easter Monday.
    ("Easter 2026", "2026-04-02 10:00", 1, "2026-04-07", BST),
    ("Easter 2026, two days", "2026-04-02 10:00", 2, "2026-04-08", BST),
    ("Easter 2027, with the clocks going forward", "2027-03-25 10:00", 1, "2027-03-30", BST),
    ("Easter 2027, five days", "2027-03-25 10:00", 5, "2027-04-05", BST),
    # Christmas and New Year, with substitute days.
    ("Christmas 2026: 25 Dec and the 28 Dec substitute", "2026-12-24 09:00", 1, "2026-12-29", GMT),
    ("New Year 2027 on a Friday", "2026-12-24 09:00", 4, "2027-01-04", GMT),
    ("Christmas 2027: 27 and 28 Dec substitutes", "2027-12-24 09:00", 1, "2027-12-29", GMT),
    ("Christmas 2022: 26 and 27 Dec", "2022-12-23 09:00", 1, "2022-12-28", GMT),
    ("New Year 2022: 3 Jan substitute", "2021-12-31 09:00", 1, "2022-01-04", GMT),
    ("New Year 2023: 2 Jan substitute", "2022-12-30 09:00", 1, "2023-01-03", GMT),
    # One-off bank holidays, and the spring bank holiday moved for them.
    ("30 May 2022 was a working day", "2022-05-27 09:00", 1, "2022-05-30", BST),
    ("2 June 2022 spring bank holiday, 3 June Platinum Jubilee", "2022-06-01 09:00", 1, "2022-06-06", BST),
    ("19 September 2022 State Funeral", "2022-09-16 09:00", 1, "2022-09-20", BST),
    ("8 May 2023 Coronation", "2023-05-05 09:00", 1, "2023-05-09", BST),
    # A trigger on a weekend or a bank holiday counts from its own date.
    ("Saturday trigger", "2026-12-05 11:00", 1, "2026-12-07", GMT),
    ("Sunday trigger", "2026-12-06 11:00", 1, "2026-12-07", GMT),
    ("Sunday trigger, five days", "2026-12-06 11:00", 5, "2026-12-11", GMT),
    ("Good Friday trigger", "2026-04-03 11:00", 1, "2026-04-07", BST),
    ("late summer bank holiday trigger", "2026-08-31 11:00", 1, "2026-09-01", BST),
    ("Boxing Day trigger", "2026-12-26 11:00", 1, "2026-12-29", GMT),
    # Around local midnight: the local date decides, in winter and in summer.
    ("last second of a GMT day", "2026-11-02 23:59:59", 1, "2026-11-03", GMT),
    ("first second of the next GMT day", "2026-11-03 00:00:00", 1, "2026-11-04", GMT),
    ("last second of a BST day", "2026-06-15 23:59:59", 1, "2026-06-16", BST),
    ("first second of the next BST day", "2026-06-16 00:00:00", 1, "2026-06-17", BST),
    ("00:30 BST is 23:30 UTC the day before", "2026-06-15T23:30:00+00:00", 1, "2026-06-17", BST),
    ("23:30 UTC in winter is the same local date", "2026-11-02T23:30:00+00:00", 1, "2026-11-03", GMT),
    # Across the clock changes: always 23:59:59 on the local clock of the due date.
    ("BST starts 29 March 2026", "2026-03-27 12:00", 1, "2026-03-30", BST),
    ("BST starts, five days", "2026-03-25 12:00", 5, "2026-04-01", BST),
    ("on the day BST starts", "2026-03-29 00:30", 0, "2026-03-29", BST),
    ("BST ends 25 October 2026", "2026-10-23 12:00", 1, "2026-10-26", GMT),
    ("on the day BST ends", "2026-10-25 00:30", 0, "2026-10-25", GMT),
    # Leap day, as a trigger and as a working day counted.
    ("leap day trigger", "2028-02-29 10:00", 1, "2028-03-01", GMT),
    ("leap day is a working day", "2028-02-28 10:00", 1, "2028-02-29", GMT),
    ("leap day counted", "2028-02-25 10:00", 2, "2028-02-29", GMT),
    # n = 0: the end of the trigger's own local day.
    ("no working days, weekday", "2026-06-10 09:00", 0, "2026-06-10", BST),
    ("no working days, Saturday", "2026-12-05 09:00", 0, "2026-12-05", GMT),
    ("no working days, bank holiday", "2026-12-25 09:00", 0, "2026-12-25", GMT),
]


@pytest.mark.parametrize(
    ("why", "when", "days", "due_date", "offset"), DEADLINES, ids=[row[0] for row in DEADLINES]
)
def test_deadline(why, when, days, due_date, offset):
    due = calendar.working_day_deadline(trigger(when), days)
    local = due.astimezone(LONDON)
    assert local.replace(tzinfo=None) == datetime.combine(date.fromisoformat(due_date), time(23, 59, 59)), why
    assert local.utcoffset() == offset, why
    # Stored in UTC: 23:59:59 in winter, 22:59:59 in summer.
    assert due.utcoffset() == timedelta(0)
    assert due == datetime.combine(date.fromisoformat(due_date), time(23, 59, 59), tzinfo=UTC) - offset


def test_the_worked_example_in_utc():
    arrest = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)
    assert calendar.working_day_deadline(arrest, 5) == datetime(2026, 12, 29, 23, 59, 59, tzinfo=UTC)
    assert calendar.working_day_deadline(arrest, 1) == datetime(2026, 12, 21, 23, 59, 59, tzinfo=UTC)


def test_the_same_moment_in_any_time_zone_has_the_same_deadline():
    moment = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)  # 00:30 on 16 June in London
    for zone in ("Europe/London", "America/New_York", "Asia/Tokyo"):
        assert calendar.working_day_deadline(moment.astimezone(ZoneInfo(zone)), 1) == datetime(
            2026, 6, 17, 22, 59, 59, tzinfo=UTC
        )


def test_the_bank_holidays_of_england_and_wales():
    for day in (
        "2026-12-25",
        "2026-12-28",
        "2027-12-27",
        "2027-12-28",
        "2022-06-02",
        "2022-06-03",
        "2022-09-19",
        "2023-05-08",
        "2026-04-06",
    ):
        assert calendar.is_bank_holiday(date.fromisoformat(day)), day
        assert not calendar.is_working_day(date.fromisoformat(day)), day
    for day in ("2022-05-30", "2028-02-29", "2026-12-29"):
        assert calendar.is_working_day(date.fromisoformat(day)), day


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        calendar.working_day_deadline(datetime(2026, 12, 18, 16, 0), 5)
    with pytest.raises(ValueError):
        calendar.working_day_deadline(datetime(2026, 12, 18, 16, 0, tzinfo=UTC), -1)


# ------------------------------------------------------------------------ properties

moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
day_counts = st.integers(min_value=0, max_value=40)


@given(moments, day_counts)
def test_a_deadline_ends_a_local_working_day(moment, days):
    due = calendar.working_day_deadline(moment, days)
    local = due.astimezone(LONDON)
    assert local.time() == time(23, 59, 59)
    start = calendar.local_date(moment)
    if days == 0:
        assert local.date() == start
        assert due >= moment.replace(microsecond=0)
    else:
        assert calendar.is_working_day(local.date())
        assert calendar.working_days_between(start, local.date()) == days
        assert due > moment


@given(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)), day_counts)
def test_a_later_trigger_never_gives_an_earlier_deadline(moment, later_by, days):
    assert calendar.working_day_deadline(moment + later_by, days) >= calendar.working_day_deadline(
        moment, days
    )


@given(moments, day_counts, day_counts)
def test_more_days_never_give_an_earlier_deadline(moment, a, b):
    low, high = sorted((a, b))
    assert calendar.working_day_deadline(moment, low) <= calendar.working_day_deadline(moment, high)


@given(moments)
def test_the_enhanced_deadline_is_never_later_than_the_standard(moment):
    assert calendar.working_day_deadline(moment, 1) <= calendar.working_day_deadline(moment, 5)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=moments)
def test_the_engine_tells_enhanced_victims_sooner(ctx, moment):
    enhanced = entitlements.due_at("event_told", moment, True)
    standard = entitlements.due_at("event_told", moment, False)
    assert moment < enhanced <= standard
    assert enhanced == calendar.working_day_deadline(moment, 1)
    assert standard == calendar.working_day_deadline(moment, 5)


# ------------------------------------------------------------------- configuration


def test_a_force_can_change_the_default_timescales():
    days = timescales("referral=3, event_told_enhanced=2")
    assert days["referral"] == 3 and days["event_told_enhanced"] == 2
    assert {k: v for k, v in days.items() if k not in ("referral", "event_told_enhanced")} == {
        k: v for k, v in default_timescales().items() if k not in ("referral", "event_told_enhanced")
    }
    assert days["event_told"] == 5 and days["complaint"] == 10
    assert timescales(None) == timescales("") == default_timescales()


@pytest.mark.parametrize(
    "value", ["referral=x", "referral=-1", "referral=366", "referral", "unknown=3", "referral=2.5", "=3"]
)
def test_a_bad_timescale_is_refused(value):
    with pytest.raises(ValueError, match="VICTIMS_CODE_DAYS"):
        timescales(value)


def test_the_configuration_reads_the_timescales(monkeypatch, tmp_path):
    monkeypatch.setenv("VICTIMS_CODE_DAYS", "referral=3,event_told_enhanced=2")
    config = load_config(str(tmp_path), {"APP_ENV": "testing"})
    assert config["VICTIMS_CODE_DAYS"]["referral"] == 3
    assert config["VICTIMS_CODE_DAYS"]["event_told_enhanced"] == 2
    monkeypatch.setenv("VICTIMS_CODE_DAYS", "referal=3")
    with pytest.raises(ConfigError, match="unknown timescale 'referal'"):
        load_config(str(tmp_path), {"APP_ENV": "testing"})
    monkeypatch.setenv("VICTIMS_CODE_DAYS", "referral=three")
    with pytest.raises(ConfigError, match="whole number"):
        load_config(str(tmp_path), {"APP_ENV": "testing"})


def test_the_engine_uses_the_forces_timescales(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "VICTIMS_CODE_DAYS", timescales("event_told_enhanced=2,event_told=3"))
    arrest = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)
    assert entitlements.due_at("event_told", arrest, True) == datetime(2026, 12, 22, 23, 59, 59, tzinfo=UTC)
    assert entitlements.due_at("event_told", arrest, False) == datetime(2026, 12, 23, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 11, 24), 3, date(2027, 2, 24)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # February is shorter
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 10, 31), 2, date(2026, 12, 31)),
    ],
)
def test_months_later_keep_the_day_or_take_the_month_end(day, count, expected):
    """A request for review is due within 3 months of the decision."""
    assert calendar.add_months(day, count) == expected
