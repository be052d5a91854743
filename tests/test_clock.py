"""The clock the tests control: `--now` moves a whole run to another instant before any
test module is imported, the processes the tests start keep the same clock, and the
instants CI runs at are the ones they are said to be."""

import os
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from tests import clock
from tests.paths import ROOT

pytestmark = pytest.mark.once

LONDON = ZoneInfo("Europe/London")
BST = timedelta(hours=1)


@pytest.fixture
def run_pytest(pytester, monkeypatch):
    """Runs pytest in a process of its own, with this suite's plugins and options."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    def run(*args):
        return pytester.runpytest_subprocess("-p", "tests.conftest", "-p", "no:cacheprovider", *args)

    return run


def test_a_run_at_another_instant_starts_there_before_any_module_is_imported(pytester, run_pytest):
    pytester.makepyfile(
        test_seen="""
        import time
        from datetime import UTC, date, datetime

        IMPORTED = datetime.now(UTC)

        def test_seen():
            assert IMPORTED.isoformat()[:16] == "2028-02-29T23:59"
            assert date.today() == date(2028, 2, 29) or date.today() == date(2028, 3, 1)
            time.sleep(0.01)
            assert datetime.now(UTC) > IMPORTED  # time goes on
        """
    )
    result = run_pytest("--now=2028-02-29T23:59:30Z")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["clock: 2028-02-29T23:59:30+00:00 (--now)"])


def test_an_instant_without_an_offset_is_refused(pytester, run_pytest):
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = run_pytest("--now=2027-03-28T00:30")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--now: '2027-03-28T00:30' has no offset*"])


def test_a_python_process_the_tests_start_runs_at_the_tests_instant(tmp_path, time_machine):
    time_machine.move_to(datetime(2027, 10, 31, 1, 1, tzinfo=UTC), tick=False)
    (tmp_path / "show_now.py").write_text(
        "from datetime import UTC, datetime\nprint(datetime.now(UTC).isoformat())\n"
    )
    command = clock.python_command("-m", "show_now")
    seen = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert seen.startswith("2027-10-31T01:01"), seen


@pytest.mark.parametrize("days", [0, 400, -30])
def test_the_openid_provider_keeps_the_tests_clock(days):
    offset = timedelta(days=days)
    script = "await import('./tests/oidc/clock.mjs'); console.log(Date.now()); process.exit(0);"
    printed = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT,
        env={**os.environ, "OIDC_PROVIDER_CLOCK_OFFSET_MS": str(round(offset.total_seconds() * 1000))},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    provider_now = datetime.fromtimestamp(int(printed) / 1000, UTC)
    real_now = datetime.fromtimestamp(clock.real_time(), UTC)
    assert abs(provider_now - (real_now + offset)) < timedelta(seconds=30)


def _london(label: str) -> datetime:
    return clock.parse(clock.INSTANTS[label]).astimezone(LONDON)


def test_each_instant_ci_runs_at_is_what_it_is_said_to_be():
    first_gmt, first_bst = (
        _london("the 1st of a month, just after midnight, GMT"),
        _london("the 1st of a month, just after midnight, BST"),
    )
    for moment, offset in ((first_gmt, timedelta(0)), (first_bst, BST)):
        assert (moment.day, moment.hour, moment.utcoffset()) == (1, 0, offset)
        assert moment.astimezone(UTC).date() != moment.date() or offset == timedelta(0)

    for before, after, change in (
        ("just before the clocks go forward", "just after the clocks go forward", (timedelta(0), BST)),
        ("just before the clocks go back", "just after the clocks go back", (BST, timedelta(0))),
    ):
        early, late = _london(before), _london(after)
        assert (early.utcoffset(), late.utcoffset()) == change
        assert timedelta(0) < late.astimezone(UTC) - early.astimezone(UTC) <= timedelta(minutes=5)

    year_end = _london("the last half hour of a reporting year")
    assert (year_end.month, year_end.day, year_end.hour) == (12, 31, 23) and year_end.minute >= 30

    assert (_london("the leap day").month, _london("the leap day").day) == (2, 29)

    friday = _london("the Friday before a bank holiday weekend")
    monday = friday.date() + timedelta(days=3)
    assert (friday.strftime("%A"), friday.hour, friday.minute) == ("Friday", 23, 59)
    assert monday in holidays.UK(subdiv="ENG", years=monday.year)
