"""`flask import-crimes` writes a batch's new crimes set by set
(shared.services.bulk_import_batch): the rows it writes are the rows the per-crime path
(shared.services.records, as the API) writes for the same file."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from shared.extensions import db
from shared.models import (
    AuditEvent,
    CodeVersionStart,
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    StaffMember,
    Victim,
)
from shared.services import bulk_import_batch, bulk_import_loading
from tests import factories
from tests.code_versions import LATER, add_later_code
from tests.shared.cli import test_import_crimes as plain
from tests.shared.cli.test_import_crimes import counts, csv_row, run, write_csv

source = plain.source  # the records system and its officer, as the import's other tests have them
NOW = datetime(2027, 3, 10, 11, 30, tzinfo=UTC)
# The later Code is in force for crimes reported from this day.
LATER_STARTS = date(2027, 3, 5)


def _rows(prefix: str, domain: str, collar: str, supervisor: str) -> list[dict]:
    """Crimes of several kinds: automatic enhanced rights (a child, a most serious and a
    sexual offence), two victims on one crime, a victim without an email address, one
    whose address another record holds, one address on two crimes of the file, crimes
    under each Code, an officer and a supervisor in charge; and the errors the per-crime
    path finds, which the set-based writer leaves to it."""

    def at(days: float, **cells) -> dict:
        reported = NOW - timedelta(days=days)
        return {
            "occurred_at": (reported - timedelta(hours=3)).isoformat(),
            "reported_at": reported.isoformat(),
            "recorded_at": (reported + timedelta(hours=1)).isoformat(),
            "updated_at": (reported + timedelta(hours=2)).isoformat(),
            **cells,
        }

    def victim(ref: str, email: str | None = "", **cells) -> dict:
        return {
            "victim_ref": ref,
            "victim_name": f"Victim {ref}",
            "victim_email": f"{ref.lower()}@{domain}" if email == "" else (email or ""),
            "victim_updated_at": (NOW - timedelta(hours=1)).isoformat(),
            **cells,
        }

    def row(n: int, v: dict, officer: str = collar, **cells) -> dict:
        return csv_row(f"{prefix}{n:04d}", officer, **{**v, **cells})

    return [
        row(1, {**victim("V1"), **at(20)}),
        row(2, {**victim("V2", victim_date_of_birth="2015-06-01"), **at(3)}),
        row(3, {**victim("V3"), **at(20)}, offence="attempted_murder"),
        row(3, {**victim("V4", email=None), **at(20)}, offence="attempted_murder"),
        row(4, {**victim("V5", email=f"known@{domain}"), **at(1)}, supervisor, offence="rape"),
        row(5, {**victim("V6", email=f"twice@{domain}"), **at(10)}),
        row(6, {**victim("V7", email=f"twice@{domain}"), **at(2)}, stage="suspect_identified"),
        row(7, {**victim("V8"), **at(0.5)}, stage="reported"),
        row(8, {**victim("V9"), **at(-1)}),  # reported in the future: refused
        row(9, {**victim("V10"), **at(4)}, officer="NOBODY1"),  # no such officer
    ]


def _snapshot(prefix: str, domain: str) -> dict:
    """What is held of the crimes under `prefix`, without ids, references' prefix or
    email addresses' domain."""

    def email(value: str | None) -> str | None:
        return value.replace(domain, "DOMAIN") if value else value

    out = {}
    crimes = db.session.scalars(
        select(Crime).where(Crime.reference.like(f"{prefix}%")).order_by(Crime.reference)
    )
    for crime in crimes:
        links = db.session.scalars(
            select(CrimeVictim).where(CrimeVictim.crime_id == crime.id).order_by(CrimeVictim.source_ref)
        )
        victims = {}
        for link in links:
            victim = link.victim
            rights = db.session.scalars(
                select(EnhancedRight)
                .where(EnhancedRight.crime_victim_id == link.id)
                .order_by(EnhancedRight.category)
            )
            plans = db.session.scalars(select(ContactPlan).where(ContactPlan.crime_victim_id == link.id))
            owed = db.session.scalars(
                select(Entitlement).where(Entitlement.crime_victim_id == link.id).order_by(Entitlement.rule)
            )
            victims[link.source_ref] = {
                "victim": (
                    victim.name,
                    victim.date_of_birth,
                    email(victim.email),
                    victim.same_as_id is not None,
                    victim.phone,
                    victim.preferred_language,
                    victim.contact_channel,
                    victim.created_at,
                ),
                "link": (link.source_updated_at, link.added_at, link.added_by_id, len(link.public_id)),
                "rights": [(r.category, r.reason, r.applies, r.assessed_at) for r in rights],
                "plans": [
                    (p.frequency_days, p.channel, p.language, p.safe_to_contact, p.opted_out, p.changed_at)
                    for p in plans
                ],
                "entitlements": [
                    (
                        e.rule,
                        e.code_version,
                        e.event_kind,
                        e.triggered_at,
                        e.due_at,
                        e.enhanced,
                        e.state,
                        e.created_at,
                        [
                            (h.action, h.state, h.due_at, h.met_at, h.by_id, h.at)
                            for h in db.session.scalars(
                                select(EntitlementEvent).where(EntitlementEvent.entitlement_id == e.id)
                            )
                        ],
                    )
                    for e in owed
                ],
                "audit": _events("crime_victim", link.id),
            }
        out[crime.reference.removeprefix(prefix)] = {
            "crime": (
                crime.offence,
                crime.offence_group,
                crime.occurred_at,
                crime.reported_at,
                crime.recorded_at,
                crime.stage,
                crime.officer_in_charge_id,
                crime.team_id,
                crime.outcome,
                crime.source_updated_at,
                crime.created_at,
            ),
            "audit": _events("crime", crime.id),
            "victims": victims,
        }
    return out


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("line ")]


def _events(record_type: str, record_id: int) -> list[tuple]:
    return [
        (e.action, e.actor_type, e.actor_id, e.actor_roles, e.request_id, e.detail, e.occurred_at)
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == record_type, AuditEvent.record_id == str(record_id))
            .order_by(AuditEvent.id)
        )
    ]


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_the_set_based_writer_writes_what_the_per_crime_path_writes(
    app, source, tmp_path, monkeypatch, time_machine, batch_size
):
    add_later_code(monkeypatch)
    time_machine.move_to(NOW, tick=False)
    with app.app_context():
        supervisor = factories.staff(roles=("supervisor",))
        db.session.add(CodeVersionStart(version=LATER, starts_on=LATER_STARTS, set_by_id=supervisor.id))
        for domain in ("a.example", "b.example"):
            db.session.add(Victim(name="Known", email=f"known@{domain}"))
        db.session.commit()
        collar = supervisor.collar_number
        db.session.remove()
    set_based = write_csv(tmp_path / "a.csv", _rows("SETA", "a.example", source.collar, collar))
    per_crime = write_csv(tmp_path / "b.csv", _rows("ONEB", "b.example", source.collar, collar))

    one_by_one = []
    with monkeypatch.context() as spied:
        load_unit = bulk_import_loading._load_unit
        spied.setattr(
            bulk_import_loading,
            "_load_unit",
            lambda unit, *rest: one_by_one.append(unit) or load_unit(unit, *rest),
        )
        first = run(app, set_based, source.client_id, "--batch-size", str(batch_size))
    # Left to the per-crime path: the crime reported in the future (refused), and the
    # second crime with an address when the first is in the same batch.
    assert len(one_by_one) == (1 if batch_size == 1 else 2)
    with monkeypatch.context() as patched:
        # The per-crime path alone: the set-based writer takes nothing.
        patched.setattr(bulk_import_batch, "write_new", lambda batch, by, counted: list(batch))
        second = run(app, per_crime, source.client_id, "--batch-size", str(batch_size))

    assert first.exception is None or isinstance(first.exception, SystemExit), first.exception
    assert first.exit_code == second.exit_code == 1
    assert first.stdout.splitlines()[-1] == second.stdout.splitlines()[-1]
    assert _errors(first.stderr) == _errors(second.stderr)
    assert "line 10: reported_at: The date reported must be today or in the past" in first.stderr
    assert "Crimes: 7 created" in first.stdout
    with app.app_context():
        written = _snapshot("SETA", "a.example")
        expected = _snapshot("ONEB", "b.example")
        db.session.remove()
    assert written == expected
    assert len(written) == 7
    versions = {
        e[1] for crime in written.values() for v in crime["victims"].values() for e in v["entitlements"]
    }
    assert versions == {"2020", LATER}
    # Automatic enhanced rights, a record holding the address, two victims on one crime.
    assert written["0002"]["victims"]["V2"]["rights"][0][:2] == ("vulnerable", "under_18")
    assert written["0004"]["victims"]["V5"]["victim"][3] is True
    assert written["0006"]["victims"]["V7"]["victim"][3] is True
    assert set(written["0003"]["victims"]) == {"V3", "V4"}


def test_a_second_load_of_the_same_file_changes_nothing(app, source, tmp_path, time_machine):
    time_machine.move_to(NOW, tick=False)
    with app.app_context():
        supervisor = factories.staff(roles=("supervisor",))
        collar = supervisor.collar_number
        db.session.remove()
    path = write_csv(tmp_path / "a.csv", _rows("SETA", "a.example", source.collar, collar)[:7])
    assert run(app, path, source.client_id).exit_code == 0
    before = counts(app)
    again = run(app, path, source.client_id)
    assert again.exit_code == 0
    assert "Crimes: 0 created, 0 updated, 6 unchanged" in again.stdout
    assert counts(app) == before


def test_a_batch_that_loses_the_race_for_a_reference_goes_through_the_per_crime_path(
    app, source, tmp_path, monkeypatch, time_machine
):
    time_machine.move_to(NOW, tick=False)
    with app.app_context():
        supervisor = factories.staff(roles=("supervisor",))
        collar = supervisor.collar_number
        db.session.remove()
    rows = _rows("SETA", "a.example", source.collar, collar)[:3]
    path = write_csv(tmp_path / "a.csv", rows)
    chosen = bulk_import_batch._chosen

    def beaten(batch, now):
        taken = chosen(batch, now)
        # Another writer records the first crime after this batch looked for it.
        officer = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == source.collar))
        with db.engine.begin() as other:
            other.execute(
                insert(Crime),
                {
                    "reference": "SETA0001",
                    "offence": "theft_other",
                    "offence_group": "theft",
                    "occurred_at": NOW - timedelta(days=30),
                    "reported_at": datetime.fromisoformat(rows[0]["reported_at"]),
                    "recorded_at": datetime.fromisoformat(rows[0]["recorded_at"]),
                    "stage": "reported",
                    "officer_in_charge_id": officer.id,
                    "team_id": officer.team_id,
                    "source_updated_at": NOW - timedelta(days=30),
                },
            )
        return taken

    monkeypatch.setattr(bulk_import_batch, "_chosen", beaten)
    result = run(app, path, source.client_id)
    assert result.exit_code == 0, result.output
    # The batch is undone whole, then loaded crime by crime: the crime now held is
    # brought up to date, the others created.
    assert "Crimes: 2 created, 1 updated" in result.stdout
    assert counts(app)["crime"] == 3
