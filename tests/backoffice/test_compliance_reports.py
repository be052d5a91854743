"""Victims' Code compliance reports: a constructed data set whose every figure was
worked out by hand, read back from the service, the page, the CSV export and
`flask compliance-report`, which must all agree."""

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, Entitlement
from shared.models.types import utcnow
from shared.services import calendar, crimes, entitlements, reports, updates, victims, victims_code_actions
from shared.services.errors import ServiceError
from tests import factories
from tests.queries import count_queries
from tests.signed_in import sign_in_as

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
STATUSES = ("met_on_time", "met_late", "overdue", "pending", "declined")
ADULT, CHILD_AGE = date(1980, 1, 1), 10


@dataclass(frozen=True)
class Victim:
    link: object
    team: str
    officer: str
    offence_group: str
    categories: tuple


_refs = iter(range(1, 100_000))


def _crime(oic, offence, reported, recorded=None):
    crime = crimes.record_crime(
        reference=f"RPT/{next(_refs):05d}",
        offence=offence,
        occurred_at=reported - HOUR,
        reported_at=reported,
        officer_in_charge=oic,
        stage="under_investigation",
        by=oic,
    )
    if recorded is not None:
        # The service stamps the recording with the clock; a report counts by when things
        # happened. The recording is dated back before any victim is added, so no
        # entitlement or history has been worked out from it yet.
        crime.recorded_at = recorded
        db.session.commit()
    return crime


_names = iter(range(1, 10_000))


def _victim(crime, by, born=ADULT):
    n = next(_names)
    details = victims.VictimDetails(
        name=f"Report Victim {n}",
        date_of_birth=born,
        email=f"report-victim{n}@example.com",
        phone=None,
        preferred_language="en",
        contact_channel="email",
        interpreter_language=None,
        communication_needs=None,
    )
    return victims.add_victim(crime, details, by=by)


def _open(link, rule, event_kind=None):
    stmt = select(Entitlement).where(
        Entitlement.crime_victim_id == link.id, Entitlement.rule == rule, Entitlement.state == "open"
    )
    if event_kind:
        stmt = stmt.where(Entitlement.event_kind == event_kind)
    return db.session.scalars(stmt.order_by(Entitlement.id)).one()


def _act(link, rule, way, at, by, event_kind=None, **kwargs):
    victims_code_actions.record_action(_open(link, rule, event_kind), way, at, by, **kwargs)


def _date_updates_back(link, since):
    """The first agreed update starts when the victim is added, by the clock. Dated back
    (with the due date the rules give) straight after adding the victim, before anything
    else reads it, so that an update can be met late or left overdue."""
    ent = _open(link, "contact_update")
    ent.triggered_at = since
    ent.due_at = entitlements.due_at("contact_update", since, ent.enhanced, 28)
    db.session.commit()


def _key_event(crime, kind, at, by):
    return updates.post_update(
        crime,
        kind=kind,
        victim_text=None,
        internal_note=f"{kind} recorded",
        visible=False,
        by=by,
        occurred_at=at,
        factors=("solvability",) if kind == "not_investigated" else None,
    )


@pytest.fixture
def english(ctx):
    """Labels read outside a request, as on the command line, are in English."""
    with force_locale("en"):
        yield


@pytest.fixture
def world(english):
    """Two teams, three officers, six crimes (one recorded before the period), eight
    victims, and every entitlement driven to a known state through the services. `rows`
    is the hand-written answer: (victim, metric, status, when it started)."""
    t0 = utcnow()
    alpha, bravo = factories.team("Alpha"), factories.team("Bravo")
    a1 = factories.staff(alpha, name="Ann Able")
    a2 = factories.staff(alpha, name="Bob Brook")
    b1 = factories.staff(bravo, name="Cat Cole")
    ddm = factories.staff(bravo, roles=("ddm",), name="Dee Marsh")
    officer = {
        a1.id: f"Ann Able ({a1.collar_number})",
        a2.id: f"Bob Brook ({a2.collar_number})",
        b1.id: f"Cat Cole ({b1.collar_number})",
    }

    # Recorded long before the period: only its first agreed update (started when its
    # victim was added, now) falls in the period.
    c0 = _crime(a1, "burglary_residential", t0 - 200 * DAY, t0 - 200 * DAY + HOUR)
    v0 = _victim(c0, a1)

    # C1, theft, Alpha, Ann: recorded exactly 24 hours after the report (in time).
    r1 = t0 - 60 * DAY
    rec1 = r1 + 24 * HOUR
    c1 = _crime(a1, "burglary_residential", r1, rec1)
    v1 = _victim(c1, a1)
    _date_updates_back(v1, t0 - 40 * DAY)
    v6 = _victim(c1, a1)
    # Assessed as persistently targeted, then not: the newest row says it no longer applies.
    victims_code_actions.assess_enhanced_rights(v6, {"persistently_targeted": "assessed"}, None, a1)
    victims_code_actions.assess_enhanced_rights(v6, {}, None, a1)
    _act(v1, "acknowledgement", "email", rec1 + HOUR, a1)
    _act(v6, "acknowledgement", "email", rec1 + 25 * DAY, a1)
    _act(v1, "needs_assessment", "needs_identified", rec1 + HOUR, a1)
    _act(v6, "needs_assessment", "victim_declined", rec1 + HOUR, a1)
    _act(v1, "referral", "referred", r1 + 3 * HOUR, a1, service="victim_support")
    _act(v6, "referral", "victim_declined", r1 + 3 * HOUR, a1)
    _act(v1, "vps_offer", "offered", rec1 + DAY, a1)
    _act(v1, "contact_update", "phone", t0 - 30 * DAY, a1)  # the next is due 28 days on
    _key_event(c1, "arrest", t0 - 30 * DAY, a1)
    _act(v1, "event_told", "phone", t0 - 30 * DAY + 2 * HOUR, a1, "arrest")
    _key_event(c1, "not_investigated", t0 - 20 * DAY, a1)
    _act(v1, "event_told", "phone", t0 - 20 * DAY + HOUR, a1, "not_investigated")
    _act(v6, "event_told", "letter", t0 - 2 * DAY, a1, "not_investigated")
    victims_code_actions.record_complaint(v1, t0 - 25 * DAY, "Not called back", a1)
    _act(v1, "complaint", "acknowledged", t0 - 24 * DAY, a1)
    victims_code_actions.record_complaint(v6, t0 - 30 * DAY, "No letter", a1)

    # C2, rape (sexual: most serious and intimidated), Alpha, Bob: recorded 2 days late.
    r2 = t0 - 50 * DAY
    rec2 = t0 - 48 * DAY
    c2 = _crime(a2, "rape", r2, rec2)
    v2 = _victim(c2, a2)
    _date_updates_back(v2, t0 - 45 * DAY)
    _act(v2, "acknowledgement", "letter", rec2 + 25 * DAY, a2)
    _act(v2, "needs_assessment", "needs_identified", rec2 + HOUR, a2)
    _act(v2, "referral", "referred", r2 + 30 * DAY, a2, service="isva", consent=True)
    _key_event(c2, "charge", t0 - 15 * DAY, a2)  # the VPS offer is due by the charge
    _act(v2, "vps_offer", "offered", t0 - 10 * DAY, a2)
    _act(v2, "contact_update", "visit", t0 - 10 * DAY, a2)
    victims_code_actions.record_complaint(v2, t0 - 5 * DAY, "Slow", a2)

    # C3, common assault (violence), Bravo, Cat: recorded within 24 hours; a child victim
    # (vulnerable) and an adult; interview, outcome 15, two reviews.
    r3 = t0 - 80 * DAY
    rec3 = r3 + 23 * HOUR
    c3 = _crime(b1, "common_assault", r3, rec3)
    today = calendar.local_date(t0)
    v3 = _victim(c3, b1, born=date(today.year - CHILD_AGE, 1, 1))
    v7 = _victim(c3, b1)
    _act(v3, "referral", "referred", r3 + HOUR, b1, service="children")
    _act(v7, "acknowledgement", "sms", rec3 + HOUR, b1)
    _act(v7, "needs_assessment", "no_needs", rec3 + 2 * HOUR, b1)
    _act(v7, "referral", "victim_declined", r3 + HOUR, b1)
    _key_event(c3, "interview", t0 - 75 * DAY, b1)
    _act(v3, "event_told", "visit", t0 - 75 * DAY + HOUR, b1, "interview")
    _act(v7, "event_told", "phone", t0 - 60 * DAY, b1, "interview")
    crimes.record_outcome(c3, 15, None, False, b1)
    # The outcome is stamped with the clock and a review is requested after it: dated
    # back (nothing but the review requests reads it) so a request can be old enough to
    # be answered late.
    c3.outcome_at = t0 - 70 * DAY
    db.session.commit()
    victims_code_actions.record_review_request(v3, t0 - 65 * DAY, b1)
    _act(v3, "vrr_acknowledge", "acknowledged", t0 - 40 * DAY, b1)
    _act(v3, "vrr_decide", "not_upheld", t0 - 5 * DAY, b1)
    victims_code_actions.record_review_request(v7, t0 - 3 * DAY, b1)
    _act(v7, "vrr_acknowledge", "acknowledged", t0 - 2 * DAY, b1)

    # C4, shoplifting (theft), Bravo, Cat: recorded now, an hour after the report, then
    # cancelled by a designated decision maker.
    c4 = _crime(b1, "shoplifting", t0 - HOUR)
    v4 = _victim(c4, b1)
    victims_code_actions.cancel_crime(c4, "C4", "Recorded against the wrong person", ddm)

    # C5, criminal damage, Alpha, Ann: recorded now, 30 hours after the report; nothing
    # done yet; assessed as persistently targeted.
    c5 = _crime(a1, "criminal_damage", t0 - 30 * HOUR)
    v5 = _victim(c5, a1)
    victims_code_actions.assess_enhanced_rights(v5, {"persistently_targeted": "assessed"}, None, a1)

    people = {
        "v0": Victim(v0, "Alpha", officer[a1.id], "theft", ()),
        "v1": Victim(v1, "Alpha", officer[a1.id], "theft", ()),
        "v6": Victim(v6, "Alpha", officer[a1.id], "theft", ()),
        "v2": Victim(v2, "Alpha", officer[a2.id], "sexual", ("most_serious", "intimidated")),
        "v3": Victim(v3, "Bravo", officer[b1.id], "violence", ("vulnerable",)),
        "v7": Victim(v7, "Bravo", officer[b1.id], "violence", ()),
        "v4": Victim(v4, "Bravo", officer[b1.id], "theft", ()),
        "v5": Victim(v5, "Alpha", officer[a1.id], "damage", ("persistently_targeted",)),
    }
    now = t0
    rows = [
        ("v0", "M7", "pending", now),
        ("v1", "M1", "met_on_time", rec1),
        ("v1", "M2", "met_on_time", rec1),
        ("v1", "M3", "met_on_time", r1),
        ("v1", "M4", "met_on_time", rec1),
        ("v1", "M7", "met_on_time", t0 - 40 * DAY),
        ("v1", "M7", "overdue", t0 - 30 * DAY),
        ("v1", "M5", "met_on_time", t0 - 30 * DAY),
        ("v1", "M5", "met_on_time", t0 - 20 * DAY),
        ("v1", "M6", "met_on_time", t0 - 20 * DAY),
        ("v1", "M8", "met_on_time", t0 - 25 * DAY),
        ("v6", "M1", "met_late", rec1),
        ("v6", "M2", "declined", rec1),
        ("v6", "M3", "declined", r1),
        ("v6", "M4", "pending", rec1),
        ("v6", "M7", "pending", now),
        ("v6", "M5", "overdue", t0 - 30 * DAY),
        ("v6", "M5", "met_late", t0 - 20 * DAY),
        ("v6", "M6", "met_late", t0 - 20 * DAY),
        ("v6", "M8", "overdue", t0 - 30 * DAY),
        ("v2", "M1", "met_late", rec2),
        ("v2", "M2", "met_on_time", rec2),
        ("v2", "M3", "met_late", r2),
        ("v2", "M4", "met_late", rec2),
        ("v2", "M5", "overdue", t0 - 15 * DAY),
        ("v2", "M7", "met_late", t0 - 45 * DAY),
        ("v2", "M7", "pending", t0 - 10 * DAY),
        ("v2", "M8", "pending", t0 - 5 * DAY),
        ("v3", "M1", "overdue", rec3),
        ("v3", "M2", "overdue", rec3),
        ("v3", "M3", "met_on_time", r3),
        ("v3", "M4", "declined", rec3),
        ("v3", "M7", "declined", now),
        ("v3", "M5", "met_on_time", t0 - 75 * DAY),
        ("v3", "M5", "pending", now),
        ("v3", "M9A", "met_late", t0 - 65 * DAY),
        ("v3", "M9D", "met_late", t0 - 65 * DAY),
        ("v7", "M1", "met_on_time", rec3),
        ("v7", "M2", "met_on_time", rec3),
        ("v7", "M3", "declined", r3),
        ("v7", "M4", "declined", rec3),
        ("v7", "M7", "declined", now),
        ("v7", "M5", "met_late", t0 - 75 * DAY),
        ("v7", "M5", "pending", now),
        ("v7", "M9A", "met_on_time", t0 - 3 * DAY),
        ("v7", "M9D", "pending", t0 - 3 * DAY),
        ("v4", "M1", "declined", now),
        ("v4", "M2", "declined", now),
        ("v4", "M3", "declined", t0 - HOUR),
        ("v4", "M4", "declined", now),
        ("v4", "M7", "declined", now),
        ("v4", "M5", "pending", now),
        ("v5", "M1", "pending", now),
        ("v5", "M2", "pending", now),
        ("v5", "M3", "pending", t0 - 30 * HOUR),
        ("v5", "M4", "pending", now),
        ("v5", "M7", "pending", now),
    ]
    start = calendar.local_date(t0 - 90 * DAY)
    # To tomorrow: what the services started a moment ago is in the period even at midnight.
    end = today + DAY
    return {
        "now": t0,
        "start": start,
        "end": end,
        "people": people,
        "rows": rows,
        "alpha": alpha,
        "bravo": bravo,
        "a1": a1,
        "ddm": ddm,
    }


def _expected(world, belongs=lambda person: True) -> dict[str, tuple[int, ...]]:
    """Per metric: (met on time, met late, overdue, pending, declined) over the rows of
    the victims `belongs` picks."""
    tally = Counter(
        (metric, status) for who, metric, status, _at in world["rows"] if belongs(world["people"][who])
    )
    return {code: tuple(tally[code, status] for status in STATUSES) for code in reports.METRICS}


def _actual(group) -> dict[str, tuple[int, ...]]:
    return {code: counts.values() for code, counts in group.metrics.items()}


# ------------------------------------------------------------------------- service


@pytest.mark.time_sensitive
def test_every_metric_matches_the_hand_computed_figures(world):
    report = reports.compliance(None, world["start"], world["end"], None, now=world["now"])
    total = report.total
    assert total.label == "Whole force"
    assert _actual(total) == _expected(world)
    # The same, written out, with the rates people will read.
    figures = {
        code: (counts.values(), reports.percent(counts.rate)) for code, counts in total.metrics.items()
    }
    assert figures == {
        "M1": ((2, 2, 1, 1, 1), "40"),
        "M2": ((3, 0, 1, 1, 2), "75"),
        "M3": ((2, 1, 0, 1, 3), "66.7"),
        "M4": ((1, 1, 0, 2, 3), "50"),
        "M5": ((3, 2, 2, 3, 0), "42.9"),
        "M6": ((1, 1, 0, 0, 0), "50"),
        "M7": ((1, 1, 1, 4, 3), "33.3"),
        "M8": ((1, 0, 1, 1, 0), "50"),
        "M9A": ((1, 1, 0, 0, 0), "50"),
        "M9D": ((0, 1, 0, 1, 0), "0"),
        "M10": ((0, 0, 0, 0, 0), None),
        "M11": ((0, 0, 0, 0, 0), None),
        "M12": ((0, 0, 0, 0, 0), None),
        "M13": ((0, 0, 0, 0, 0), None),
    }
    assert total.metrics["M7"].total == 10
    # Five crimes recorded in the period, three within 24 hours (C1 exactly at 24
    # hours); one cancellation, by a designated decision maker.
    assert total.recording == reports.Recording(
        recorded=5, within_24h=3, cancelled=1, authorised=1, right_level=1
    )
    assert reports.percent(total.recording.recording_rate) == "60"
    assert reports.percent(total.recording.authorised_rate) == "100"


@pytest.mark.time_sensitive
def test_statuses_are_what_the_engine_says(world):
    """The hand-written answer agrees with the engine's own status of each entitlement."""
    status = entitlements.status_expression(world["now"])
    metric = {
        "acknowledgement": "M1",
        "needs_assessment": "M2",
        "referral": "M3",
        "vps_offer": "M4",
        "event_told": "M5",
        "contact_update": "M7",
        "complaint": "M8",
        "vrr_acknowledge": "M9A",
        "vrr_decide": "M9D",
    }
    found = db.session.execute(
        select(Entitlement.rule, status).where(
            Entitlement.triggered_at >= calendar.start_of_local_day(world["start"])
        )
    ).all()
    counted = Counter(
        (metric[rule], "declined" if state == "not_applicable" else state) for rule, state in found
    )
    written = Counter((code, state) for _who, code, state, _at in world["rows"] if code != "M6")
    assert counted == written


@pytest.mark.parametrize(
    ("split", "belongs", "keys"),
    [
        ("team", lambda label: lambda p: p.team == label, ["Alpha", "Bravo"]),
        (
            "offence_group",
            lambda label: lambda p: p.offence_group == label,
            ["violence", "sexual", "theft", "damage"],
        ),
        (
            "enhanced",
            lambda label: lambda p: label in p.categories or (label == "none" and not p.categories),
            ["most_serious", "persistently_targeted", "vulnerable", "intimidated", "none"],
        ),
    ],
)
def test_each_split_matches_the_hand_computed_figures(world, split, belongs, keys):
    report = reports.compliance(None, world["start"], world["end"], split, now=world["now"])
    # A team is known by its id, shown by its name.
    ident = {group.key: group.label if split == "team" else group.key for group in report.groups}
    assert list(ident.values()) == keys
    for group in report.groups:
        assert _actual(group) == _expected(world, belongs(ident[group.key])), group.key
    # The total counts each entitlement once, even when a victim is in two groups.
    assert _actual(report.total) == _expected(world)


@pytest.mark.time_sensitive
def test_enhanced_split_counts_a_victim_in_each_of_their_categories(world):
    report = reports.compliance(None, world["start"], world["end"], "enhanced", now=world["now"])
    groups = {group.key: group for group in report.groups}
    # V2 (rape): most serious and intimidated, both with M1 met late and M3 met late.
    assert groups["most_serious"].metrics["M1"].values() == (0, 1, 0, 0, 0)
    assert groups["intimidated"].metrics["M1"].values() == (0, 1, 0, 0, 0)
    assert groups["vulnerable"].metrics["M1"].values() == (0, 0, 1, 0, 0)
    assert reports.percent(groups["vulnerable"].metrics["M1"].rate) == "0"
    assert groups["none"].label == "No enhanced rights"
    # Crime recording is about crimes, not victims: not split by enhanced rights.
    assert all(group.recording is None for group in report.groups)


def test_officer_split_and_crime_recording_by_group(world):
    people = world["people"]
    report = reports.compliance(None, world["start"], world["end"], "officer", now=world["now"])
    ann, bob, cat = people["v1"].officer, people["v2"].officer, people["v3"].officer
    assert [group.label for group in report.groups] == [ann, bob, cat]
    for group in report.groups:
        assert _actual(group) == _expected(world, lambda p, label=group.label: p.officer == label)
    recording = {group.label: group.recording for group in report.groups}
    assert recording == {
        ann: reports.Recording(recorded=2, within_24h=1, cancelled=0, authorised=0),
        bob: reports.Recording(recorded=1, within_24h=0, cancelled=0, authorised=0),
        cat: reports.Recording(recorded=2, within_24h=2, cancelled=1, authorised=1, right_level=1),
    }
    assert reports.percent(recording[bob].recording_rate) == "0"
    assert recording[ann].authorised_rate is None  # no cancellations: no data, not 0%

    by_team = reports.compliance(None, world["start"], world["end"], "team", now=world["now"])
    assert {
        g.label: (g.recording.recorded, g.recording.within_24h, g.recording.cancelled) for g in by_team.groups
    } == {
        "Alpha": (3, 1, 0),
        "Bravo": (2, 2, 1),
    }
    by_offence = reports.compliance(None, world["start"], world["end"], "offence_group", now=world["now"])
    assert {g.key: (g.recording.recorded, g.recording.within_24h) for g in by_offence.groups} == {
        "theft": (2, 2),
        "sexual": (1, 0),
        "violence": (1, 1),
        "damage": (1, 0),
    }


def test_a_metric_with_nothing_to_count_has_no_rate(world):
    report = reports.compliance(None, world["start"], world["end"], "team", now=world["now"])
    alpha = next(group for group in report.groups if group.label == "Alpha")
    assert alpha.metrics["M9A"].total == 0
    assert alpha.metrics["M9A"].rate is None
    assert reports.percent(None) is None


@pytest.mark.time_sensitive
def test_trend_puts_each_entitlement_in_the_month_it_started(world):
    trend = reports.trend(None, world["start"], world["end"], now=world["now"])
    assert trend.months == reports.month_starts(world["start"], world["end"])
    assert trend.months[0] == world["start"] and all(m.day == 1 for m in trend.months[1:])

    def month_index(at):
        day = calendar.local_date(at)
        return max(i for i, first in enumerate(trend.months) if first <= day)

    for code in reports.METRICS:
        tally = Counter(
            (month_index(at), status) for _who, metric, status, at in world["rows"] if metric == code
        )
        expected = [tuple(tally[i, s] for s in STATUSES) for i in range(len(trend.months))]
        assert [counts.values() for counts in trend.counts[code]] == expected, code


@pytest.mark.time_sensitive
def test_period_rules(english):
    with pytest.raises(ServiceError):
        reports.check_period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ServiceError):
        reports.check_period(date(2021, 1, 1), date(2026, 1, 1))
    reports.check_period(date(2021, 1, 1), date(2025, 12, 31))
    assert reports.month_starts(date(2026, 1, 15), date(2026, 3, 1)) == [
        date(2026, 1, 15),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


# ------------------------------------------------------------- page, CSV, command line


def _query(world, split="none"):
    start, end = world["start"], world["end"]
    return urlencode(
        [
            ("period", "custom"),
            *(("from_date", v) for v in (start.day, start.month, start.year)),
            *(("to_date", v) for v in (end.day, end.month, end.year)),
            ("split", split),
        ]
    )


def _table(page, table_id) -> dict[str, list[str]]:
    table = page.soup.find("table", id=table_id)
    assert table is not None, table_id
    assert table.find("caption").get_text(strip=True)
    assert all(th.get("scope") == "col" for th in table.find("thead").find_all("th"))
    out = {}
    for row in table.find("tbody").find_all("tr"):
        header = row.find("th", scope="row")
        out[header.get_text(" ", strip=True)] = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    return out


def _shown(counts) -> list[str]:
    rate = reports.percent(counts.rate)
    return ["No data" if rate is None else f"{rate}%", *(str(n) for n in counts.values()), str(counts.total)]


def test_page_csv_and_command_line_show_the_same_figures(app, client, world):
    analyst = factories.staff(world["alpha"], roles=("analyst",))
    sign_in_as(client, analyst)
    report = reports.compliance(None, world["start"], world["end"], "team", now=world["now"])

    page = client.get(f"/backoffice/reports?{_query(world, 'team')}")
    assert page.status == 200, page.error_summary
    assert page.h1 == "Compliance reports"
    summary = _table(page, "summary")
    for code, label in reports.METRICS.items():
        assert summary[f"{code}: {label}"] == _shown(report.total.metrics[code])
    assert summary[f"M1: {reports.METRICS['M1']}"] == ["40%", "2", "2", "1", "1", "1", "7"]
    assert summary[f"M9D: {reports.METRICS['M9D']}"][0] == "0%"
    for code in reports.METRICS:
        by_team = _table(page, f"metric-{code}-table")
        assert list(by_team) == ["Whole force", "Alpha", "Bravo"]
        for group in report.rows:
            assert by_team[group.label] == _shown(group.metrics[code]), (code, group.label)
    assert _table(page, "metric-M9A-table")["Alpha"][0] == "No data"
    recording = _table(page, "recording-table")
    assert recording["Whole force"] == ["60%", "3", "5", "100%", "1", "1", "1"]
    assert recording["Alpha"] == ["33.3%", "1", "3", "No data", "0", "0", "0"]
    # Each trend chart is an image with a text alternative, drawn from a table.
    chart = page.soup.find("svg", role="img")
    assert chart.find("title").get_text(strip=True) and chart.find("desc").get_text(strip=True)
    trend_table = _table(page, "trend-M1-data")
    assert sum(int(cells[-1]) for cells in trend_table.values()) == 7
    assert not page.soup.find("script", src=lambda s: s and "chart" in s)
    reads = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reports.compliance")
    )
    assert reads == 1

    export = client.get(page.links(r"export\.csv")[0])
    assert export.status == 200
    assert export.response.headers["Content-Disposition"].startswith("attachment;")
    assert export.response.mimetype == "text/csv"
    web_rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    _check_csv(web_rows, report)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reports.export")
        )
        == 1
    )

    runner = app.test_cli_runner()
    args = [
        "compliance-report",
        "--from",
        world["start"].isoformat(),
        "--to",
        world["end"].isoformat(),
        "--split",
        "team",
    ]
    result = runner.invoke(args=[*args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == web_rows

    result = runner.invoke(args=[*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [group["label"] for group in data["groups"]] == ["Whole force", "Alpha", "Bravo"]
    for group, expected in zip(data["groups"], report.rows, strict=True):
        for code, counts in expected.metrics.items():
            got = group["metrics"][code]
            assert (
                got["met_on_time"],
                got["met_late"],
                got["overdue"],
                got["pending"],
                got["declined_or_not_applicable"],
            ) == counts.values()
            assert got["rate"] == counts.rate
    assert data["groups"][0]["recording"]["recorded_within_24_hours"] == 3
    assert data["groups"][1]["metrics"]["M9A"]["rate"] is None
    assert [sum(m["total"] for m in data["trend"]["metrics"]["M5"])] == [10]


def _check_csv(rows, report):
    header, *body = rows
    assert header[:4] == ["Metric", "Description", "Group", "Rate (%)"]
    assert header[-1] == "Victims’ Code version"
    cells = {(row[0], row[2]): row[3:-1] for row in body}
    # Every entitlement here was opened under the 2020 Code; crime recording follows none.
    assert {row[-1] for row in body if row[0] in reports.METRICS} == {"2020"}
    assert {row[-1] for row in body if row[0] not in reports.METRICS} == {""}
    for code in reports.METRICS:
        for group in report.rows:
            counts = group.metrics[code]
            rate = reports.percent(counts.rate)
            assert cells[code, group.label] == [
                "No data" if rate is None else rate,
                *map(str, counts.values()),
                str(counts.total),
            ]
    assert cells["M3", "Whole force"] == ["66.7", "2", "1", "0", "1", "3", "7"]
    assert cells["R2", "Whole force"] == ["60", "3", "2", "", "", "", "5"]
    assert cells["R2C", "Bravo"] == ["100", "1", "0", "", "", "", "1"]


def test_a_supervisor_sees_only_their_teams_figures(app, client, world):
    supervisor = factories.staff(world["alpha"], roles=("supervisor",))
    report = reports.compliance(supervisor, world["start"], world["end"], "officer", now=world["now"])
    assert report.total.label == "Alpha"
    assert _actual(report.total) == _expected(world, lambda p: p.team == "Alpha")
    assert report.total.recording == reports.Recording(recorded=3, within_24h=1, cancelled=0, authorised=0)
    assert {group.label for group in report.groups} == {
        world["people"]["v1"].officer,
        world["people"]["v2"].officer,
    }

    sign_in_as(client, supervisor)
    page = client.get(f"/backoffice/reports?{_query(world, 'team')}")
    assert page.status == 200
    labels = [
        th.get_text(strip=True) for th in page.soup.find("table", id="metric-M1-table").select("tbody th")
    ]
    assert labels == ["Alpha", "Alpha"]
    assert "Bravo" not in page.main_text
    export = client.get(f"/backoffice/reports/export.csv?{_query(world, 'team')}")
    # Victims' feedback month by month is the scope's too: "Alpha, 2026-12".
    groups = {row[2].split(",")[0] for row in list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))[1:]}
    assert groups == {"Alpha"}


def test_an_officer_may_not_see_reports(client, ctx):
    officer = factories.staff()
    sign_in_as(client, officer)
    assert client.get("/backoffice/reports").status == 403
    assert client.get("/backoffice/reports/export.csv").status == 403


@pytest.mark.time_sensitive
def test_the_default_report_is_this_month(client, english):
    sign_in_as(client, factories.staff(roles=("pcc",)))
    page = client.get("/backoffice/reports")
    assert page.status == 200
    first = calendar.local_date(utcnow()).replace(day=1)
    assert first.strftime("%-d %B %Y") in page.main_text
    assert _table(page, "summary")[f"M1: {reports.METRICS['M1']}"] == [
        "No data",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]


@pytest.mark.time_machine(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=True)  # the periods are in 2026
@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "period=custom&from_date=2&from_date=3&from_date=2026&to_date=1&to_date=3&to_date=2026",
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
        (
            "period=custom&from_date=1&from_date=1&from_date=2020&to_date=1&to_date=2&to_date=2025",
            "The period must be 60 months or shorter",
        ),
        (
            "period=custom&from_date=31&from_date=2&from_date=2026&to_date=1&to_date=3&to_date=2026",
            "The ‘from’ date must be a real date",
        ),
        ("period=custom", "Enter the ‘from’ date"),
        (
            "period=custom&from_date=1&from_date=1&from_date=2999&to_date=1&to_date=2&to_date=2999",
            "The ‘from’ date must be today or in the past",
        ),
        ("period=month&month=2026-13", "Select the month"),
        ("period=month&month=2999-01", "The month must be this month or earlier"),
        ("period=quarter&quarter=2026-Q5", "Select the quarter"),
        ("period=year", "Select the period"),
        ("split=victim", "Select how to split the report"),
    ],
)
def test_a_period_that_cannot_be_reported_is_explained(client, ctx, query, error):
    sign_in_as(client, factories.staff(roles=("analyst",)))
    page = client.get(f"/backoffice/reports?{query}")
    assert page.status == 400
    assert error in page.error_summary
    assert not page.soup.find("table", id="summary")
    export = client.get(f"/backoffice/reports/export.csv?{query}")
    assert export.status == 302
    assert export.response.headers["Location"].startswith("/backoffice/reports?")


@pytest.mark.time_machine(datetime(2026, 12, 4, 12, tzinfo=UTC), tick=True)  # the periods are in 2026
def test_a_month_and_a_quarter_can_be_chosen(client, ctx):
    sign_in_as(client, factories.staff(roles=("fcr",)))
    page = client.get("/backoffice/reports?period=month&month=2026-02&split=offence_group")
    assert page.status == 200
    assert "1 February 2026 to 28 February 2026" in page.main_text
    page = client.get("/backoffice/reports?period=quarter&quarter=2025-Q4")
    assert page.status == 200
    assert "1 October 2025 to 31 December 2025" in page.main_text
    assert len(page.soup.select("svg[role=img]")) == len(reports.METRICS)


def test_export_cells_cannot_run_as_formulas(client, ctx):
    team = factories.team("=HYPERLINK(1)")
    oic = factories.staff(team)
    factories.victim(factories.crime(oic), oic)
    sign_in_as(client, factories.staff(team, roles=("supervisor",)))
    export = client.get("/backoffice/reports/export.csv?split=team")
    # Victims' feedback month by month names the scope and the month: "'=HYPERLINK(1), 2026-12".
    groups = {row[2].split(",")[0] for row in list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))[1:]}
    assert groups == {"'=HYPERLINK(1)"}


def test_the_report_page_costs_the_same_queries_with_more_data(app, client, world):
    sign_in_as(client, factories.staff(world["alpha"], roles=("analyst",)))
    path = f"/backoffice/reports?{_query(world, 'officer')}"

    def queries():
        client.get(path)
        with count_queries(app) as counter:
            assert client.get(path).status == 200
        return counter["n"]

    small = queries()
    for n in range(6):
        oic = factories.staff(world["bravo"] if n % 2 else world["alpha"])
        crime = factories.crime(oic, offence="rape" if n % 3 else "criminal_damage")
        for _ in range(3):
            link = factories.victim(crime, oic)
        victims_code_actions.record_complaint(link, utcnow() - DAY, "More", oic)
    assert queries() == small


# ------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "--from"),
        (
            ["--from", "2026-03-02", "--to", "2026-03-01"],
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
        (["--from", "2020-01-01", "--to", "2026-01-01"], "60 months or shorter"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--format", "xml"], "--format"),
        (["--from", "2026-01-01", "--to", "2026-01-31", "--split", "victim"], "--split"),
        (["--to", "2026-01-31"], "--from"),
    ],
)
def test_the_command_refuses_bad_arguments_clearly(app, ctx, args, message):
    result = app.test_cli_runner().invoke(args=["compliance-report", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_command_reports_the_whole_force_with_no_data_as_no_data(app, english):
    result = app.test_cli_runner().invoke(
        args=["compliance-report", "--from", "2026-01-01", "--to", "2026-01-31"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[1][:4] == ["M1", str(reports.METRICS["M1"]), "Whole force", "No data"]
