"""The Victims' Code as versioned rule sets (victims-code.md section 1).

A Code is a `CodeVersion`: its version, the day it comes into force and its rules. A new
Code is added to `VERSIONS` beside the old one, never by editing the old one's rules, so
an entitlement opened under one Code is always read with that Code's rules (it keeps its
version in `Entitlement.code_version`).

Which Code a crime's victims are owed is chosen by the local date the crime was
**reported**: the newest version whose start is on or before that day. A crime reported
before a new Code starts follows the old Code to its end, whatever happens after the new
one starts; one reported on or after the start follows the new one. The first version
also covers crimes reported before it started (there is no earlier set).

The rules of the Code of Practice for Victims of Crime 2020 are `RULES` in
`shared.domain.victims_code_rules`: a rule added there is a rule of the 2020 Code. A
later Code defined here may have no start day yet: a force's administrator schedules it
(shared.services.code_versions), and `clash` says which days it may not take.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.domain.numbers import whole_number
from shared.domain.victims_code_rules import ON_RECORDING, RULES, Rule, default_timescales, timescale_key
from shared.translation import lazy_gettext as _l


@dataclass(frozen=True)
class CodeVersion:
    version: str  # short and stable: kept on every entitlement opened under it
    title: object  # its name, as staff and victims read it
    starts_on: date | None  # the day it comes into force, when the Code fixes it
    rules: Mapping[str, Rule]
    on_recording: tuple[str, ...]  # the rules opened for each victim added to a crime


# The Code in force since 1 April 2021.
BASE = "2020"

# Every Code the service knows, oldest first: each later one starts after the one before.
VERSIONS: dict[str, CodeVersion] = {
    BASE: CodeVersion(
        BASE, _l("Code of Practice for Victims of Crime 2020"), date(2021, 4, 1), RULES, ON_RECORDING
    ),
}


def get(version: str) -> CodeVersion:
    """The Code of this version; KeyError for one the service does not know."""
    return VERSIONS[version]


def rule(version: str, code: str) -> Rule:
    """The rule `code` as the Code of this `version` has it."""
    return VERSIONS[version].rules[code]


def starts(scheduled: Mapping[str, date]) -> dict[str, date]:
    """Each version's start day: the one a force scheduled, else the Code's own. A
    version with neither is left out (it is not in force on any day)."""
    out: dict[str, date] = {}
    for version, code in VERSIONS.items():
        day = scheduled.get(version, code.starts_on)
        if day is not None:
            out[version] = day
    return out


def version_on(day: date, starts_on: Mapping[str, date]) -> str:
    """The version in force on `day`: the newest whose start is on or before it, or the
    first for a day before any starts."""
    chosen = next(iter(VERSIONS))
    for version in VERSIONS:
        start = starts_on.get(version)
        if start is not None and start <= day:
            chosen = version
    return chosen


def clash(version: str, day: date, starts_on: Mapping[str, date], today: date) -> object | None:
    """Why `version` may not start on `day`, given every version's start, or None when it
    may: the first Code's start is the law's, not a force's; a version already in force
    keeps its start; a start must be after today; and each version's period must begin
    after every earlier version's and before every later one's, so that no two overlap."""
    if version not in VERSIONS:
        return _l("Select a version of the Victims’ Code")
    if version == next(iter(VERSIONS)):
        return _l("The first version’s start is fixed in law and cannot be changed")
    current = starts_on.get(version)
    if current is not None and current <= today:
        return _l("This version is already in force: its start cannot be changed")
    if day <= today:
        return _l("The start must be a date in the future")
    order = list(VERSIONS)
    position = order.index(version)
    for other in order[:position]:
        if other in starts_on and starts_on[other] >= day:
            return _l(
                "The start must be after %(other)s starts, on %(day)s",
                other=other,
                day=starts_on[other].isoformat(),
            )
    for other in order[position + 1 :]:
        if other in starts_on and starts_on[other] <= day:
            return _l(
                "The start must be before %(other)s starts, on %(day)s",
                other=other,
                day=starts_on[other].isoformat(),
            )
    return None


# --- A force's timescales (VICTIMS_CODE_DAYS) ------------------------------------------


def timescales(value: str | None) -> dict[str, int]:
    """VICTIMS_CODE_DAYS over the defaults. A plain entry (`referral=3`) is a timescale of
    the 2020 Code, for which a force first set them; an entry with a later version in
    front (`2027:referral=3`) is that Code's, which otherwise keeps its own defaults: a
    force's choice under one Code is never carried into the next unasked. The result
    holds every 2020 timescale under its plain name, and only the later versions' entries
    the force set, under `version:name`. Raises ValueError naming an unknown version or
    timescale, or a value that is not a whole number of days from 0 to 365."""
    out = default_timescales(VERSIONS[BASE].rules)
    for entry in filter(None, (part.strip() for part in (value or "").split(","))):
        key, sep, days = entry.partition("=")
        key, days = key.strip(), days.strip()
        version, colon, name = key.rpartition(":")
        version, name = version.strip(), name.strip()
        if colon and version not in VERSIONS:
            raise ValueError(
                f"VICTIMS_CODE_DAYS: unknown version {version!r} in {key!r}; known: {', '.join(VERSIONS)}"
            )
        known = default_timescales(VERSIONS[version].rules) if colon else out
        if not sep or name not in known:
            raise ValueError(
                f"VICTIMS_CODE_DAYS: unknown timescale {key!r}; known: {', '.join(sorted(known))}"
            )
        number = whole_number(days, high=365)
        if number is None:
            raise ValueError(f"VICTIMS_CODE_DAYS: {key} must be a whole number of days from 0 to 365")
        out[name if not colon or version == BASE else f"{version}:{name}"] = number
    return out


def timescale_of(days: Mapping[str, int], version: str, code: str, enhanced: bool) -> int | None:
    """The timescale in days of rule `code` under `version`, read from the force's
    `days` (what `timescales` gives), or None when the rule has none."""
    key = timescale_key(code, enhanced)
    if version == BASE:
        return days.get(key)
    if f"{version}:{key}" in days:
        return days[f"{version}:{key}"]
    own = rule(version, code)
    return own.enhanced_days if enhanced else own.days
