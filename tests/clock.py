"""The clock the tests control.

Every clock of the test process is time-machine's: `pytest --now=2027-03-28T00:30:00Z` (or
`make test NOW=...`) starts the whole run at that instant, before any test module is
imported, and time goes on from there; a test that needs one instant of its own moves to it
with the `time_machine` fixture (`time_machine.move_to(..., tick=False)`).

The processes the tests start keep the same clock: a Python one (the message worker) is
started through this module, which moves its clocks to the parent's instant before it runs
the command; the OpenID provider (Node.js) is told how far the tests' clock is from the real
one. Chromium keeps the real clock, which matters only for cookies with an expiry date: an
instant in the past can make it drop the OpenID provider's cookies.

Tests whose result depends on the instant they run at are marked `time_sensitive`; CI runs
them at the instants where dates and deadlines go wrong (`INSTANTS`).
"""

import runpy
import sys
import time
from datetime import UTC, datetime

import time_machine

# Where dates go wrong in England and Wales (London time in the comments). CI runs the
# time-sensitive tests at each of these, besides today.
INSTANTS = {
    "the 1st of a month, just after midnight, GMT": "2027-02-01T00:05:00+00:00",  # 00:05 GMT
    "the 1st of a month, just after midnight, BST": "2027-05-31T23:05:00+00:00",  # 1 June, 00:05 BST
    "just before the clocks go forward": "2027-03-28T00:59:00+00:00",  # 00:59 GMT
    "just after the clocks go forward": "2027-03-28T01:01:00+00:00",  # 02:01 BST
    "just before the clocks go back": "2027-10-31T00:59:00+00:00",  # 01:59 BST, the first time
    "just after the clocks go back": "2027-10-31T01:01:00+00:00",  # 01:01 GMT, the second time
    "the last half hour of a reporting year": "2026-12-31T23:30:00+00:00",  # 23:30 GMT
    "the leap day": "2028-02-29T12:00:00+00:00",  # noon GMT
    "the Friday before a bank holiday weekend": "2027-08-27T22:59:00+00:00",  # 23:59 BST, Monday 30 August
}


def parse(text: str) -> datetime:
    """An instant given on the command line: ISO 8601 with its offset (`Z` for UTC)."""
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no offset: write it as UTC (…Z) or with +01:00")
    return instant


def start_at(instant: datetime) -> None:
    """Move every clock of this process to `instant`, time going on from there, until the
    process ends."""
    time_machine.travel(instant, tick=True).start()


def real_time() -> float:
    """The real clock's time, whatever the tests' clock says."""
    if not time_machine.escape_hatch.is_travelling():
        return time.time()
    return time_machine.escape_hatch.time.time()


def offset_seconds() -> float:
    """How far the tests' clock is ahead of the real one (negative if behind)."""
    return time.time() - real_time()


def python_command(*args: str) -> list[str]:
    """The command line that runs `python ARGS...` at the tests' current instant."""
    if not time_machine.escape_hatch.is_travelling():
        return [sys.executable, *args]
    return [sys.executable, "-m", "tests.clock", datetime.now(UTC).isoformat(), *args]


USAGE = """usage: python -m tests.clock --list
       python -m tests.clock INSTANT -m MODULE [ARGS...]"""


def _main(argv: list[str]) -> None:
    """`--list` prints the instants CI runs at, one a line; `INSTANT -m MODULE ARGS...`
    runs MODULE as `python -m` would, with this process's clocks moved to INSTANT."""
    if argv == ["--list"]:
        print("\n".join(INSTANTS.values()))  # noqa: T201  (the command's output)
        return
    if len(argv) < 3 or argv[1] != "-m":
        raise SystemExit(USAGE)
    instant, _flag, module, *args = argv
    start_at(parse(instant))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
