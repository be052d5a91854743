"""Which Victims' Code applies: the start day of each version (the Code's own, or the one
a force's administrator scheduled), the version a crime's victims are owed, and
scheduling a later Code's start (shared.domain.code_versions has the rules)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from shared.domain import code_versions
from shared.domain.code_versions import CodeVersion
from shared.extensions import db
from shared.models import CodeVersionStart, Crime, StaffMember
from shared.models.types import utcnow
from shared.services import audit, calendar
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

# Any number, the same in every process: scheduling takes this PostgreSQL lock so two
# administrators' starts are checked against each other, never side by side.
_SCHEDULE_LOCK = 0x7C0DE


def scheduled() -> dict[str, date]:
    """The start days the force has set, by version. One query, of a handful of rows."""
    return {row.version: row.starts_on for row in db.session.scalars(select(CodeVersionStart))}


def starts() -> dict[str, date]:
    """Each version's start day, where it has one (shared.domain.code_versions.starts)."""
    return code_versions.starts(scheduled())


def version_on(day: date) -> str:
    """The version of the Code in force on the local date `day`."""
    return code_versions.version_on(day, starts())


def version_for(crime: Crime) -> str:
    """The version of the Code a crime's victims are owed: the one in force on the local
    date it was reported."""
    return version_on(calendar.local_date(crime.reported_at))


@dataclass(frozen=True)
class Row:
    """One version as the administrators' page shows it."""

    code: CodeVersion
    starts_on: date | None
    scheduled: bool  # the start was set by the force, not fixed by the Code
    in_force: bool  # it has started
    current: bool  # the version crimes reported today follow
    may_schedule: bool  # a start may still be set or changed


def overview(today: date) -> list[Row]:
    """Every version, oldest first, with its start and where it stands on `today`."""
    force = scheduled()
    starting = code_versions.starts(force)
    current = code_versions.version_on(today, starting)
    first = next(iter(code_versions.VERSIONS))
    return [
        Row(
            code,
            starting.get(version),
            version in force,
            version in starting and starting[version] <= today,
            version == current,
            version != first and not (version in starting and starting[version] <= today),
        )
        for version, code in code_versions.VERSIONS.items()
    ]


@transactional
def schedule(version: str, day: date | None, by: StaffMember) -> None:
    """Set the day a later version of the Code comes into force, and commit. Raises
    ServiceError (nothing saved) for an unknown version, a day missing, in the past or
    today, or one that would make two versions' periods overlap; or a version already in
    force or fixed in law."""
    if day is None:
        raise ServiceError(_l("Enter the date the version comes into force"), "starts_on")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_SCHEDULE_LOCK)))
    force = scheduled()
    today = calendar.local_date(utcnow())
    refused = code_versions.clash(version, day, code_versions.starts(force), today)
    if refused is not None:
        raise ServiceError(refused, "version" if version not in code_versions.VERSIONS else "starts_on")
    row = db.session.get(CodeVersionStart, version)
    if row is None:
        db.session.add(CodeVersionStart(version=version, starts_on=day, set_by_id=by.id))
    else:
        row.starts_on, row.set_by_id, row.set_at = day, by.id, utcnow()
    audit.record("code_version.schedule", "code_version", version, detail=day.isoformat(), actor=by)
