"""Victims' Code compliance reports (victims-code.md section 8): metrics M1 to M9 and
crime recording (R2) for a period, for the force or a supervisor's team, optionally
split by enhanced-rights category, offence group, team or officer in charge; and victims'
feedback (shared.services.feedback_results), split by team or offence group and by month.

An entitlement counts in the period in which it was triggered, under the version of the
Victims' Code it was opened under: each figure is also given per version
(`Group.by_version`), and `Report.code_versions` names every version the figures follow.
A crime counts in the period in which it was recorded (principal crimes only:
shared.services.incidents); a cancellation in the period in which it was made. Every number
is counted by the database (GROUP BY with SUM(CASE ...)) with the one status definition,
`entitlements.status_expression`, so a report costs the same few queries however many
entitlements there are. The page, the CSV export and `flask compliance-report` all read
the dataclasses returned here (`shared.services.report_export` writes them out).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    SQLColumnExpression,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from shared.domain import code_versions as versions
from shared.domain.permissions import sees_whole_force
from shared.domain.reference_data import GRAVITY_BANDS, OFFENCE_GROUPS, OFFENCES, UNKNOWN_GRAVITY, gravity_of
from shared.domain.victims_code_rules import ENHANCED_CATEGORIES, M6_EVENTS, METRICS
from shared.extensions import db
from shared.models import Crime, EnhancedRight, Entitlement, OutboxMessage, StaffMember, Team
from shared.models.types import UTCDateTime, utcnow
from shared.services import code_versions, feedback_results
from shared.services.calendar import start_of_local_day
from shared.services.crimes import in_scope
from shared.services.entitlements import status_expression
from shared.services.errors import ServiceError
from shared.services.feedback_results import FEEDBACK_SPLITS, Feedback
from shared.translation import lazy_gettext as _l

# The longest period a report covers, in calendar months (the trend has a bar a month).
MAX_MONTHS = 60
# The last day a report may cover: far beyond any record, and far enough from the last
# date Python has that a day or a month after it always exists.
LATEST_DAY = date(2999, 12, 31)
RECORDING_HOURS = 24
CANCEL_ROLES = ("ddm", "fcr")

SPLITS = {
    "none": _l("No split: the total only"),
    "enhanced": _l("Enhanced rights category"),
    "offence_group": _l("Offence group"),
    "team": _l("Team"),
    "officer": _l("Officer in charge"),
}
NO_ENHANCED_RIGHTS = "none"
WHOLE_FORCE = _l("Whole force")
NO_ENHANCED_RIGHTS_LABEL = _l("No enhanced rights")

# M6 is the part of M5 about decisions not to investigate; the VRR's two deadlines are
# reported apart (M9A, M9D); M10 counts the victims' requests for an update: made (the
# total), answered on time, late, overdue and still to come.
_METRIC_OF_RULE = {
    "acknowledgement": "M1",
    "needs_assessment": "M2",
    "referral": "M3",
    "vps_offer": "M4",
    "event_told": "M5",
    "contact_update": "M7",
    "complaint": "M8",
    "vrr_acknowledge": "M9A",
    "vrr_decide": "M9D",
    "update_request": "M10",
    # Victims and Prisoners Act 2024 s.28: told in writing of a request for their information.
    "info_request_notice": "M11",
    # At court: the Witness Care Unit's duty to tell, and the Victim Contact Scheme referral.
    "court_told": "M12",
    "victim_contact_scheme": "M13",
}
RECORDING_METRICS = {
    "R2": _l("Crimes recorded within 24 hours of the report"),
    "R2C": _l("Cancelled crimes authorised by a designated decision maker or the force crime registrar"),
    "R2G": _l("Cancelled crimes authorised at the right level for the offence’s gravity"),
}


# ----------------------------------------------------------------------- the figures


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Counts:
    """How the entitlements of one metric and group stand. `declined` counts those
    declined and those that do not apply: shown, but out of the rate."""

    met_on_time: int = 0
    met_late: int = 0
    overdue: int = 0
    pending: int = 0
    declined: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        return (self.met_on_time, self.met_late, self.overdue, self.pending, self.declined)

    @property
    def denominator(self) -> int:
        return self.met_on_time + self.met_late + self.overdue

    @property
    def total(self) -> int:
        return sum(self.values())

    @property
    def rate(self) -> float | None:
        """Met on time / (met on time + met late + overdue); None ("no data") when
        nothing is in the denominator."""
        return _rate(self.met_on_time, self.denominator)


@dataclass(frozen=True)
class Recording:
    """Crime recording (R2): crimes recorded in the period and how many within 24 hours
    of the report; crimes cancelled in the period, how many a DDM or the FCR
    authorised, and how many by a role the force's matrix allows for the offence's
    gravity and the reason (R2G: shared.domain.cancellation_authority)."""

    recorded: int = 0
    within_24h: int = 0
    cancelled: int = 0
    authorised: int = 0
    right_level: int = 0

    def __add__(self, other: "Recording") -> "Recording":
        return Recording(
            self.recorded + other.recorded,
            self.within_24h + other.within_24h,
            self.cancelled + other.cancelled,
            self.authorised + other.authorised,
            self.right_level + other.right_level,
        )

    @property
    def recording_rate(self) -> float | None:
        return _rate(self.within_24h, self.recorded)

    @property
    def authorised_rate(self) -> float | None:
        return _rate(self.authorised, self.cancelled)

    @property
    def right_level_rate(self) -> float | None:
        return _rate(self.right_level, self.cancelled)


@dataclass(frozen=True)
class Group:
    """One row of the report: the total, or one group of the split. `recording` is None
    where crime recording cannot be split (by the victims' enhanced rights)."""

    key: str
    label: str
    metrics: dict[str, Counts]
    recording: Recording | None
    # Victims' feedback (shared.services.feedback_results); None where it cannot be split
    # this way (by enhanced rights or officer: the answers are kept without either).
    feedback: Feedback | None = None
    # `metrics` per version of the Victims' Code the entitlements were opened under:
    # every version of the report (Report.code_versions), each with every metric.
    by_version: dict[str, dict[str, Counts]] = field(default_factory=dict)


@dataclass(frozen=True)
class CodeVersionUsed:
    """A version of the Victims' Code a report's figures follow, and when it started."""

    version: str
    title: str
    starts_on: date | None


@dataclass(frozen=True)
class Notifications:
    """What became of the emails and texts written in the period, for the whole report:
    `delivered` (GOV.UK Notify confirmed it), `failed` (could not be sent, or Notify
    could not deliver it), `pending` (waiting to be sent, or sent with no receipt yet;
    SMTP gives none). Withheld messages (not safe to contact...) are not counted."""

    delivered: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.pending


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    split: str
    now: datetime
    total: Group
    groups: list[Group] = field(default_factory=list)
    notifications: Notifications = field(default_factory=Notifications)
    # Victims' feedback month by month (the period's months, as month_starts gives them),
    # and the fewest answers a figure is shown from.
    feedback_months: list[tuple[date, Feedback]] = field(default_factory=list)
    feedback_least: int = 0
    # The versions of the Code the figures follow, oldest first: those in force in the
    # period and those that entitlements triggered in it were opened under.
    code_versions: list[CodeVersionUsed] = field(default_factory=list)

    @property
    def rows(self) -> list[Group]:
        """The total, then each group of the split."""
        return [self.total, *self.groups]


@dataclass(frozen=True)
class Trend:
    """Each metric month by month: `months` are the first day of each month in the
    period (the first is the period's own start), `counts[metric][i]` the figures of
    month i."""

    months: list[date]
    counts: dict[str, list[Counts]]


def percent(rate: float | None) -> str | None:
    """A rate as a percentage for people to read: 50, 66.7; None for no data."""
    if rate is None:
        return None
    value = round(rate * 100, 1)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


# --------------------------------------------------------------------------- period


def _month_count(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def check_period(start: date, end: date) -> None:
    """Raises ServiceError (field "to_date") for a period that ends before it starts,
    spans more than MAX_MONTHS calendar months, or ends after LATEST_DAY (the report
    works out the day and the month after the period, which the last dates there are
    do not have)."""
    if end > LATEST_DAY:
        raise ServiceError(
            _l("The ‘to’ date must be in %(year)d or earlier", year=LATEST_DAY.year), "to_date"
        )
    if end < start:
        raise ServiceError(_l("The ‘to’ date must be the same as or after the ‘from’ date"), "to_date")
    if _month_count(start, end) > MAX_MONTHS:
        raise ServiceError(_l("The period must be %(max)d months or shorter", max=MAX_MONTHS), "to_date")


def month_starts(start: date, end: date) -> list[date]:
    """The period's start, then the first day of every later month up to `end`."""
    out, day = [start], start
    while True:
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        if day > end:
            return out
        out.append(day)


def _between(column: SQLColumnExpression[datetime | None], start: date, end: date) -> ColumnElement[bool]:
    """`column` falls on a local date from `start` to `end`, both included."""
    return (column >= start_of_local_day(start)) & (column < start_of_local_day(end + timedelta(days=1)))


def _scope(staff: StaffMember | None) -> ColumnElement[bool]:
    return true() if staff is None else in_scope(staff)


def _whole_force(staff: StaffMember | None) -> bool:
    return staff is None or sees_whole_force(staff)


# The splits that group by a column of the crime.
_CRIME_SPLITS = ("offence_group", "team", "officer")


def _text(text: str | LazyString) -> str:
    """A label in the reader's language; in English outside a request (the command line)."""
    if has_request_context():
        return str(text)
    with force_locale("en"):
        return str(text)


def scope_label(staff: StaffMember | None) -> str:
    if staff is None or sees_whole_force(staff):
        return _text(WHOLE_FORCE)
    return staff.team.name


# ---------------------------------------------------------------------------- SQL


class day_later(FunctionElement):
    """`column` plus RECORDING_HOURS hours, in SQL. SQLite keeps UTC times as text
    (YYYY-MM-DD HH:MM:SS.ffffff), so there the hours are added to the text and its
    fraction of a second is kept, which keeps the comparison exact."""

    type = UTCDateTime()
    inherit_cache = True
    name = "day_later"


@compiles(day_later)
def _day_later(element: day_later, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"({column} + INTERVAL '{RECORDING_HOURS} hours')"


@compiles(day_later, "sqlite")
def _day_later_sqlite(element: day_later, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%S', {column}, '+{RECORDING_HOURS} hours') || substr({column}, 20))"


def _current_categories() -> Subquery:
    """Each victim's enhanced-rights categories that apply now: the newest row per victim
    and category, when it applies."""
    newest = select(func.max(EnhancedRight.id)).group_by(
        EnhancedRight.crime_victim_id, EnhancedRight.category
    )
    return (
        select(EnhancedRight.crime_victim_id, EnhancedRight.category)
        .where(EnhancedRight.id.in_(newest), EnhancedRight.applies.is_(True))
        .subquery("current_category")
    )


def _split_keys(split: str, stmt: Select) -> tuple[list[SQLColumnExpression[Any]], Select]:
    """The columns a split groups by, and `stmt` (which reads from Crime, and from
    Entitlement for the enhanced split) joined to reach them."""
    if split == "enhanced":
        current = _current_categories()
        return [current.c.category], stmt.outerjoin(
            current, current.c.crime_victim_id == Entitlement.crime_victim_id
        )
    if split == "offence_group":
        return [Crime.offence_group], stmt
    if split == "team":
        return [Team.id, Team.name], stmt.join(Team, Team.id == Crime.team_id)
    if split == "officer":
        return [StaffMember.id, StaffMember.name, StaffMember.collar_number], stmt.join(
            StaffMember, StaffMember.id == Crime.officer_in_charge_id
        )
    return [], stmt


_STATUS_SUMS = (
    ("met_on_time", ("met_on_time",)),
    ("met_late", ("met_late",)),
    ("overdue", ("overdue",)),
    ("pending", ("pending",)),
    ("declined", ("declined", "not_applicable")),
)


def _entitlement_rows(
    staff: StaffMember | None,
    start: date,
    end: date,
    now: datetime,
    split: str,
    extra: Sequence[SQLColumnExpression[Any]] = (),
) -> tuple[int, Sequence[Row]]:
    """Counts per (split keys..., extra..., Code version, rule, event kind): one query. The keys are
    worked out in a subquery so that the outer GROUP BY names plain columns (a CASE
    with parameters cannot be grouped by portably)."""
    base = select(
        Entitlement.code_version,
        Entitlement.rule,
        Entitlement.event_kind,
        status_expression(now).label("status"),
    )
    # The whole force's figures, unsplit or by enhanced rights, read the entitlements
    # alone: joining a million crimes only to keep them all would double the time.
    if split in _CRIME_SPLITS or not _whole_force(staff):
        base = base.join(Crime, Crime.id == Entitlement.crime_id)
    keys, base = _split_keys(split, base)
    keys = [*keys, *extra]
    inner = (
        base.add_columns(*(key.label(f"k{i}") for i, key in enumerate(keys)))
        .where(_scope(staff), _between(Entitlement.triggered_at, start, end))
        .subquery()
    )
    key_columns = [inner.c[f"k{i}"] for i in range(len(keys))]
    sums = [func.sum(case((inner.c.status.in_(statuses), 1), else_=0)) for _name, statuses in _STATUS_SUMS]
    grouped = [*key_columns, inner.c.code_version, inner.c.rule, inner.c.event_kind]
    return len(keys), db.session.execute(select(*grouped, *sums).group_by(*grouped)).all()


def _fold(rows: Sequence[Row], width: int) -> dict[tuple, dict[str, dict[str, Counts]]]:
    """Aggregated rows to {keys: {version: {metric: Counts}}}: a handful of rows per
    group and version, never one per entitlement."""
    out: dict[tuple, dict[str, dict[str, Counts]]] = {}
    for row in rows:
        keys, version, rule, event_kind = tuple(row[:width]), row[width], row[width + 1], row[width + 2]
        metric = _METRIC_OF_RULE.get(rule)
        if metric is None:
            continue
        counts = Counts(*(int(n or 0) for n in row[width + 3 :]))
        metrics = out.setdefault(keys, {}).setdefault(version, {})
        metrics[metric] = metrics.get(metric, Counts()) + counts
        if rule == "event_told" and event_kind in M6_EVENTS:
            metrics["M6"] = metrics.get("M6", Counts()) + counts
    return out


def _merged(per_version: dict[str, dict[str, Counts]] | None) -> dict[str, Counts]:
    """Every version's figures added together, metric by metric."""
    out: dict[str, Counts] = {}
    for metrics in (per_version or {}).values():
        for code, counts in metrics.items():
            out[code] = out.get(code, Counts()) + counts
    return out


def _used_versions(
    start: date, end: date, starting: dict[str, date], found: dict[tuple, dict[str, dict[str, Counts]]]
) -> list[str]:
    """The versions in force on some day of the period, and those the figures found were
    opened under, oldest first."""
    in_force = {versions.version_on(start, starting)} | {
        version for version, day in starting.items() if start <= day <= end
    }
    seen = {version for per_version in found.values() for version in per_version}
    return [version for version in versions.VERSIONS if version in in_force | seen] + sorted(
        seen - set(versions.VERSIONS)
    )


def _by_version(
    per_version: dict[str, dict[str, Counts]] | None, used: list[str]
) -> dict[str, dict[str, Counts]]:
    return {version: _complete((per_version or {}).get(version)) for version in used}


def _version_used(version: str, starting: dict[str, date]) -> CodeVersionUsed:
    code = versions.VERSIONS.get(version)
    return CodeVersionUsed(version, _text(code.title) if code else version, starting.get(version))


def _complete(metrics: dict[str, Counts] | None) -> dict[str, Counts]:
    metrics = metrics or {}
    return {code: metrics.get(code, Counts()) for code in METRICS}


def _recording_rows(staff: StaffMember | None, start: date, end: date, split: str) -> dict[tuple, Recording]:
    """R2 per group of a split by the crime (none, offence group, team, officer). One query.
    Only principal crimes count as recorded (May 2023 rules): the others of an incident
    are linked to its principal crime and still investigated, but not counted again.
    Each cancellation counts, principal or not: each needs its own authorisation."""
    recorded = _between(Crime.recorded_at, start, end) & Crime.principal_crime_id.is_(None)
    within = Crime.recorded_at <= day_later(Crime.reported_at)
    cancelled = _between(Crime.cancelled_at, start, end)
    authorised = Crime.cancelled_by_role.in_(CANCEL_ROLES)
    flags = [recorded, recorded & within, cancelled, cancelled & authorised, cancelled & _right_level()]
    keys, stmt = _split_keys(
        split, select(*(func.sum(case((flag, 1), else_=0)) for flag in flags)).select_from(Crime)
    )
    stmt = stmt.add_columns(*keys).where(_scope(staff), recorded | cancelled)
    if keys:
        stmt = stmt.group_by(*keys)
    width = len(flags)
    return {
        tuple(row[width:]): Recording(*(int(n or 0) for n in row[:width])) for row in db.session.execute(stmt)
    }


def _right_level() -> ColumnElement[bool]:
    """A cancellation authorised by a role the force's matrix allows today for the
    offence's gravity band and the reason, as SQL: one term per band and reason. An
    offence the reference data does not know is most serious (gravity_of)."""
    matrix = current_app.config["CANCELLATION_AUTHORISERS"]
    offences_of: dict[str, list[str]] = {band: [] for band in GRAVITY_BANDS}
    for code in OFFENCES:
        offences_of[gravity_of(code)].append(code)
    terms = []
    for (band, reason), roles in matrix.items():
        offence: ColumnElement[bool] = Crime.offence.in_(offences_of[band])
        if band == UNKNOWN_GRAVITY:
            offence = offence | Crime.offence.not_in(list(OFFENCES))
        terms.append(
            offence & (Crime.cancellation_reason == reason) & Crime.cancelled_by_role.in_(sorted(roles))
        )
    return or_(*terms)


# ------------------------------------------------------------------------- groups


def _group_label(split: str, keys: tuple) -> str:
    if split == "enhanced":
        return _text(ENHANCED_CATEGORIES.get(keys[0], NO_ENHANCED_RIGHTS_LABEL))
    if split == "offence_group":
        return _text(OFFENCE_GROUPS.get(keys[0], keys[0]))
    if split == "team":
        return keys[1]
    if split == "officer":
        return _text(_l("%(name)s (%(collar)s)", name=keys[1], collar=keys[2]))
    return ""


def _group_key(split: str, keys: tuple) -> str:
    if split == "enhanced":
        return keys[0] if keys[0] in ENHANCED_CATEGORIES else NO_ENHANCED_RIGHTS
    return str(keys[0])


def _order(split: str, group: Group) -> tuple[int, str]:
    if split == "enhanced":
        order = [*ENHANCED_CATEGORIES, NO_ENHANCED_RIGHTS]
        return (order.index(group.key), "")
    if split == "offence_group":
        order = list(OFFENCE_GROUPS)
        return (order.index(group.key) if group.key in order else len(order), group.label.casefold())
    return (0, group.label.casefold())


# ------------------------------------------------------------------------ reports


def compliance(
    staff: StaffMember | None, start: date, end: date, split: str | None = None, now: datetime | None = None
) -> Report:
    """The compliance report for the local dates `start` to `end` (both included), for
    what `staff` may see (the whole force when `staff` is None, as on the command line).
    With a split, a group per enhanced-rights category (a victim with two counts in
    both, and those with none in "No enhanced rights"), offence group, team or officer
    in charge. Raises ServiceError for a period `check_period` refuses, or an unknown
    split. Eight queries at most (three of them for victims' feedback, one for the
    start days of the Code's versions)."""
    split = split or "none"
    if split not in SPLITS:
        raise ServiceError(_l("Select how to split the report"), "split")
    check_period(start, end)
    now = now or utcnow()
    width, rows = _entitlement_rows(staff, start, end, now, "none")
    folded = _fold(rows, width)
    starting = code_versions.starts()
    used = _used_versions(start, end, starting, folded)
    used_versions = [_version_used(version, starting) for version in used]
    totals = folded.get((), {})
    recording = _recording_rows(staff, start, end, "none").get((), Recording())
    feedback = feedback_results.results(staff, start, end, "none").get((), feedback_results.empty())
    total = Group(
        "total",
        scope_label(staff),
        _complete(_merged(totals)),
        recording,
        feedback,
        _by_version(totals, used),
    )
    sent = notifications(staff, start, end)
    months = month_starts(start, end)
    feedback_months = list(zip(months, feedback_results.by_month(staff, months, end), strict=True))
    least = feedback_results.least()
    if split == "none":
        return Report(start, end, split, now, total, [], sent, feedback_months, least, used_versions)
    width, rows = _entitlement_rows(staff, start, end, now, split)
    per_group = _fold(rows, width)
    by_crime = split != "enhanced"
    recordings = _recording_rows(staff, start, end, split) if by_crime else {}
    by_feedback = split in FEEDBACK_SPLITS
    feedback_of = feedback_results.results(staff, start, end, split) if by_feedback else {}
    groups = {}
    for keys in [*per_group, *recordings, *feedback_of]:
        key = _group_key(split, keys)
        if key in groups:
            continue
        groups[key] = Group(
            key,
            _group_label(split, keys),
            _complete(_merged(per_group.get(keys))),
            recordings.get(keys, Recording()) if by_crime else None,
            feedback_of.get(keys, feedback_results.empty()) if by_feedback else None,
            _by_version(per_group.get(keys), used),
        )
    ordered = sorted(groups.values(), key=lambda group: _order(split, group))
    return Report(start, end, split, now, total, ordered, sent, feedback_months, least, used_versions)


def notifications(staff: StaffMember | None, start: date, end: date) -> Notifications:
    """Messages to victims written in the period, about the crimes `staff` may see (and,
    for the whole force, account messages such as invitations): delivered, failed and
    pending. One query."""
    delivered = OutboxMessage.delivery.in_(("delivered", "sent"))
    failed = OutboxMessage.status == "failed"
    about: ColumnElement[bool] = OutboxMessage.crime_id.in_(select(Crime.id).where(_scope(staff)))
    if _whole_force(staff):
        about = about | OutboxMessage.crime_id.is_(None)
    row = db.session.execute(
        select(
            func.count().filter(delivered),
            func.count().filter(failed),
            func.count().filter(~delivered | OutboxMessage.delivery.is_(None), ~failed),
        ).where(
            OutboxMessage.victim_id.is_not(None),
            OutboxMessage.status != "withheld",
            _between(OutboxMessage.created_at, start, end),
            about,
        )
    ).one()
    return Notifications(*row)


def trend(staff: StaffMember | None, start: date, end: date, now: datetime | None = None) -> Trend:
    """Every metric month by month over the period, for what `staff` may see (the whole
    force when None). One query: the months are worked out here as the UTC instants of
    local midnights, and a CASE puts each entitlement in its month."""
    check_period(start, end)
    now = now or utcnow()
    months = month_starts(start, end)
    later = [
        (Entitlement.triggered_at < start_of_local_day(first), index)
        for index, first in enumerate(months[1:])
    ]
    month_of = case(*later, else_=len(months) - 1) if later else literal(0)
    width, rows = _entitlement_rows(staff, start, end, now, "none", extra=[month_of])
    per_month = _fold(rows, width)
    counts = {code: [Counts()] * len(months) for code in METRICS}
    for (index,), per_version in per_month.items():
        for code, value in _merged(per_version).items():
            counts[code][int(index)] = value
    return Trend(months, counts)
