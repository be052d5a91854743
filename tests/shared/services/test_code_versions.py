"""The Victims' Code as versioned rule sets (victims-code.md section 1): a made-up later
Code, with one timescale changed and one new entitlement, is scheduled beside the 2020
Code; crimes reported before and after its start follow their own Code to the end, and
every entitlement keeps the version it was opened under. The reports say which version
each figure follows; a start that would make two versions overlap is refused.

Times are fixed: "now" is Friday 20 November 2026 until the test moves it. 23:59:59 on a
local date in December is 23:59:59 UTC (GMT)."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from shared.domain import code_versions as versions
from shared.domain.code_versions import CodeVersion, timescales
from shared.extensions import db
from shared.models import AuditEvent, CodeVersionStart, Entitlement
from shared.services import code_versions, crimes, entitlements, report_export, reports, updates
from shared.services.errors import ServiceError
from tests import factories
from tests.code_versions import LATER, NEW_RULE, add_later_code
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


NOW = utc(2026, 11, 20, 15, 0)
pytestmark = pytest.mark.time_machine(NOW, tick=False)

OLD_REPORTED = utc(2026, 10, 2, 19, 0)  # Friday 2 October 2026, 20:00 BST
STARTS = date(2026, 12, 1)  # the made-up Code comes into force on Tuesday 1 December
NEW_REPORTED = utc(2026, 12, 3, 9, 0)  # Thursday 3 December, 09:00 GMT
PAGE = "/backoffice/code-versions"


@pytest.fixture
def later(monkeypatch) -> CodeVersion:
    return add_later_code(monkeypatch)


@pytest.fixture
def admin(ctx):
    return factories.staff(roles=("admin",), name="Alex Admin")


def record(officer, reported_at, reference):
    crime = crimes.record_crime(
        reference=reference,
        offence="burglary_residential",
        occurred_at=reported_at,
        reported_at=reported_at,
        officer_in_charge=officer,
        stage="under_investigation",
        by=officer,
    )
    db.session.commit()
    return crime


def owed(link) -> dict[str, Entitlement]:
    """The victim's entitlements by rule (one each here)."""
    return {
        ent.rule: ent
        for ent in db.session.scalars(select(Entitlement).where(Entitlement.crime_victim_id == link.id))
    }


def arrest(crime, officer, at):
    return updates.post_update(
        crime,
        kind="arrest",
        victim_text=None,
        internal_note="Arrested.",
        visible=False,
        by=officer,
        occurred_at=at,
    )


# ----------------------------------------------------------------- the must-show test


def test_crimes_before_and_after_a_later_code_starts_follow_their_own_rules(
    ctx, app, later, admin, time_machine
):
    officer = factories.staff(name="Sam Taylor")
    before = record(officer, OLD_REPORTED, "43/81001/26")
    first = factories.victim(before, officer, name="Jane Doe")

    # Under the 2020 Code: a referral within 2 working days of the report (Monday 5 and
    # Tuesday 6 October), and no self-referral entitlement.
    old = owed(first)
    assert {ent.code_version for ent in old.values()} == {"2020"}
    assert NEW_RULE not in old
    assert old["referral"].due_at == utc(2026, 10, 6, 22, 59, 59)

    # The force schedules the made-up Code to start on 1 December.
    code_versions.schedule(LATER, STARTS, admin)
    assert code_versions.version_on(date(2026, 11, 30)) == "2020"
    assert code_versions.version_on(STARTS) == LATER
    assert code_versions.version_for(before) == "2020"

    time_machine.move_to(utc(2026, 12, 3, 10, 0))
    after = record(officer, NEW_REPORTED, "43/81002/26")
    newer = factories.victim(after, officer, name="Tom Baker")

    # Under the made-up Code: the referral within 3 working days (Friday 4, Monday 7,
    # Tuesday 8 December) and the new entitlement within 5 (to Thursday 10 December).
    new = owed(newer)
    assert {ent.code_version for ent in new.values()} == {LATER}
    assert new["referral"].due_at == utc(2026, 12, 8, 23, 59, 59)
    assert new[NEW_RULE].due_at == utc(2026, 12, 10, 23, 59, 59)
    assert new[NEW_RULE].state == "open"

    # The crime reported before the start keeps its Code: its entitlements are unchanged,
    # and a victim added to it now is owed the 2020 Code, as the first was.
    assert {(ent.rule, ent.code_version, ent.due_at) for ent in owed(first).values()} == {
        (ent.rule, "2020", ent.due_at) for ent in old.values()
    }
    second = factories.victim(before, officer, name="Ann Other")
    assert {ent.code_version for ent in owed(second).values()} == {"2020"}
    assert NEW_RULE not in owed(second)
    assert owed(second)["referral"].due_at == utc(2026, 10, 6, 22, 59, 59)

    # A key event after the start is told by each crime's own Code.
    arrest(before, officer, utc(2026, 12, 3, 9, 30))
    arrest(after, officer, utc(2026, 12, 3, 9, 30))
    db.session.commit()
    told = dict(
        db.session.execute(
            select(Entitlement.crime_id, func.min(Entitlement.code_version))
            .where(Entitlement.rule == "event_told")
            .group_by(Entitlement.crime_id)
        ).all()
    )
    assert told == {before.id: "2020", after.id: LATER}

    # Recomputing after enhanced rights change keeps each entitlement's own timescale.
    entitlements.recompute_for(first, True)
    entitlements.recompute_for(newer, True)
    db.session.commit()
    assert owed(first)["referral"].due_at == utc(2026, 10, 6, 22, 59, 59)
    assert owed(newer)["referral"].due_at == utc(2026, 12, 8, 23, 59, 59)

    # A force's timescales: a plain entry is the 2020 Code's; the later Code's own are
    # set with its version in front.
    app.config["VICTIMS_CODE_DAYS"] = timescales(f"referral=4,{LATER}:referral=1")
    try:
        assert entitlements.due_at("referral", NEW_REPORTED, False, version="2020") == utc(
            2026, 12, 9, 23, 59, 59
        )
        assert entitlements.due_at("referral", NEW_REPORTED, False, version=LATER) == utc(
            2026, 12, 4, 23, 59, 59
        )
        assert entitlements.due_at(NEW_RULE, NEW_REPORTED, False, version=LATER) == utc(
            2026, 12, 10, 23, 59, 59
        )
    finally:
        app.config["VICTIMS_CODE_DAYS"] = timescales(None)

    # The report over both says which Code each figure follows: M3 (referrals) has two
    # from the 2020 Code (the old crime's victims) and one from the made-up Code.
    with app.test_request_context():
        report = reports.compliance(None, date(2026, 10, 1), date(2026, 12, 31))
    assert [used.version for used in report.code_versions] == ["2020", LATER]
    assert report.code_versions[1].starts_on == STARTS
    assert report.total.by_version["2020"]["M3"].total == 2
    assert report.total.by_version[LATER]["M3"].total == 1
    assert report.total.metrics["M3"].total == 3
    with app.test_request_context():
        rows = list(csv.reader(io.StringIO(report_export.csv_text(report))))
        data = report_export.to_dict(report)
    m3 = {row[-1]: row[9] for row in rows if row[0] == "M3" and row[2] == "Whole force"}
    assert m3 == {"2020": "2", LATER: "1"}
    assert [v["version"] for v in data["code_versions"]] == ["2020", LATER]
    assert data["groups"][0]["by_code_version"][LATER]["M3"]["total"] == 1


def test_a_report_of_one_code_names_it(ctx, app):
    officer = factories.staff()
    factories.victim(record(officer, OLD_REPORTED, "43/81003/26"), officer)
    with app.test_request_context():
        report = reports.compliance(None, date(2026, 10, 1), date(2026, 10, 31))
    assert [(used.version, used.title) for used in report.code_versions] == [
        ("2020", "Code of Practice for Victims of Crime 2020")
    ]
    assert report.total.by_version["2020"] == report.total.metrics


# --------------------------------------------------------------------------- timescales


def test_a_later_codes_timescales_are_its_own_unless_the_force_sets_them(later):
    days = timescales("referral=4")
    assert days["referral"] == 4 and f"{LATER}:referral" not in days
    assert versions.timescale_of(days, LATER, "referral", False) == 3
    days = timescales(f"{LATER}:referral=1, {LATER}:{NEW_RULE}_enhanced=2, 2020:complaint=9")
    assert days["referral"] == 2 and days["complaint"] == 9
    assert versions.timescale_of(days, LATER, "referral", False) == 1
    assert versions.timescale_of(days, LATER, NEW_RULE, True) == 2
    assert versions.timescale_of(days, LATER, NEW_RULE, False) == 5


@pytest.mark.parametrize(
    "value", ["1999:referral=3", f"{LATER}:unknown=3", f"{LATER}:referral=x", "2020:self_referral=1"]
)
def test_a_bad_versioned_timescale_is_refused(later, value):
    with pytest.raises(ValueError, match="VICTIMS_CODE_DAYS"):
        timescales(value)


# ------------------------------------------------------------------------- scheduling


def test_the_start_days_that_would_overlap_are_refused(later):
    today = date(2026, 11, 20)
    starts = versions.starts({})
    assert starts == {"2020": date(2021, 4, 1)}
    assert versions.clash(LATER, date(2026, 11, 21), starts, today) is None
    assert versions.clash(LATER, today, starts, today) is not None  # not in the future
    assert versions.clash(LATER, date(2020, 1, 1), starts, today) is not None
    assert versions.clash("2020", date(2027, 1, 1), starts, today) is not None  # fixed in law
    assert versions.clash("1999", date(2027, 1, 1), starts, today) is not None  # unknown
    # Already in force: its start stays.
    assert versions.clash(LATER, date(2027, 1, 1), {**starts, LATER: today}, today) is not None


def test_a_version_must_start_between_its_neighbours(later, monkeypatch):
    monkeypatch.setitem(
        versions.VERSIONS, "2100", CodeVersion("2100", "Another", None, later.rules, later.on_recording)
    )
    today = date(2026, 11, 20)
    starts = {**versions.starts({}), "2100": date(2027, 6, 1)}
    assert versions.clash(LATER, date(2027, 6, 1), starts, today) is not None  # the same day
    assert versions.clash(LATER, date(2027, 7, 1), starts, today) is not None  # after the next
    assert versions.clash(LATER, date(2027, 5, 31), starts, today) is None
    starts[LATER] = date(2027, 3, 1)
    assert versions.clash("2100", date(2027, 3, 1), starts, today) is not None  # overlaps the one before
    assert versions.clash("2100", date(2027, 3, 2), starts, today) is None


def test_administrators_schedule_a_later_code_on_their_page(app, later, admin):
    client = PageClient(app)
    sign_in_as(client, admin)
    page = client.get(PAGE)
    assert page.status == 200 and page.h1 == "Victims’ Code versions"
    assert "Code of Practice for Victims of Crime 2020" in page.main_text
    assert "In force for new crimes" in page.main_text

    done = client.post(PAGE, {"version": LATER, "starts_on": ["1", "12", "2026"]})
    assert done.status == 302
    assert db.session.get(CodeVersionStart, LATER).starts_on == STARTS
    assert (
        db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "code_version.schedule"))
        == "2026-12-01"
    )
    shown = client.follow(done)
    assert "The date the version comes into force is saved" in shown.main_text
    assert "1 December 2026" in shown.main_text and "Starts later" in shown.main_text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"version": LATER, "starts_on": ["20", "11", "2026"]},
            "The start must be a date in the future",
        ),
        (
            {"version": LATER, "starts_on": ["1", "3", "2021"]},
            "The start must be a date in the future",
        ),
        (
            {"version": "2020", "starts_on": ["1", "1", "2027"]},
            "Select a version of the Victims’ Code",
        ),
        (
            {"version": "1999", "starts_on": ["1", "1", "2027"]},
            "Select a version of the Victims’ Code",
        ),
        (
            {"version": LATER, "starts_on": ["31", "2", "2027"]},
            "The date it comes into force must be a real date",
        ),
        ({"version": LATER}, "Enter the date the version comes into force"),
    ],
)
def test_a_start_that_clashes_is_refused_and_nothing_is_saved(app, later, admin, data, message):
    client = PageClient(app)
    sign_in_as(client, admin)
    page = client.post(PAGE, data)
    assert page.status == 400
    assert message in page.error_summary
    assert db.session.scalar(select(func.count()).select_from(CodeVersionStart)) == 0


def test_a_version_in_force_keeps_its_start(ctx, app, later, admin, time_machine):
    code_versions.schedule(LATER, STARTS, admin)
    time_machine.move_to(utc(2026, 12, 3, 10, 0))
    with app.test_request_context(), pytest.raises(ServiceError, match="already in force"):
        code_versions.schedule(LATER, date(2027, 1, 1), admin)
    db.session.rollback()
    assert db.session.get(CodeVersionStart, LATER).starts_on == STARTS
    client = PageClient(app)
    sign_in_as(client, admin)
    page = client.get(PAGE)
    assert "Every version the service knows is already in force" in page.main_text


def test_only_administrators_reach_the_page(app, ctx):
    client = PageClient(app)
    sign_in_as(client, factories.staff(roles=("supervisor",)))
    assert client.get(PAGE).status == 403


def test_staff_and_victims_read_each_entitlement_by_its_own_code(app, later, admin, time_machine):
    officer = factories.staff(name="Sam Taylor")
    before = record(officer, OLD_REPORTED, "43/81004/26")
    old_link = factories.active_victim(before, officer, name="Jane Doe")
    code_versions.schedule(LATER, STARTS, admin)
    time_machine.move_to(utc(2026, 12, 3, 10, 0))
    after = record(officer, NEW_REPORTED, "43/81005/26")
    new_link = factories.active_victim(after, officer, name="Tom Baker")
    offer = owed(new_link)[NEW_RULE]

    staff = PageClient(app)
    sign_in_as(staff, officer)
    page = staff.get(f"/backoffice/crimes/{after.id}")
    assert "Self-referral offered" in page.main_text
    assert "Under the Made-up Victims' Code 2099" in page.main_text
    page = staff.get(f"/backoffice/crimes/{after.id}/entitlements/{offer.id}")
    assert "Told how to self-refer" in page.main_text and "Made-up Victims' Code 2099" in page.main_text
    page = staff.get(f"/backoffice/crimes/{before.id}")
    assert "Self-referral offered" not in page.main_text
    assert "Under the Code of Practice for Victims of Crime 2020" in page.main_text

    for link, code, shown in (
        (new_link, "Made-up Victims' Code 2099", True),
        (old_link, "Code of Practice for Victims of Crime 2020", False),
    ):
        victim = PageClient(app, portal=True)
        sign_in_as(victim, link.victim)
        page = victim.get(f"/cases/{link.public_id}/rights")
        assert page.status == 200
        assert f"Your rights for this crime are those of the {code}" in page.main_text
        assert ("How to refer yourself to support" in page.main_text) is shown
