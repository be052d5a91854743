"""`flask import-crimes`: a records system's first load, from CSV and JSON lines files."""

import csv
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from api.openapi import EXAMPLE_CAPTURE
from shared.extensions import db
from shared.models import AuditEvent, Crime, CrimeVictim, Entitlement, OutOfCourtCapture, StaffMember, Victim
from shared.services import api_clients
from tests import factories
from tests.api_helpers import crime_body, register, victim_body

TABLES = (
    "crime",
    "crime_victim",
    "victim",
    "entitlement",
    "investigation_update",
    "contact_plan",
    "enhanced_right",
)
REPORTED = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
UPDATED = REPORTED + timedelta(hours=2)
CSV_HEADER = [
    "reference",
    "offence",
    "occurred_at",
    "reported_at",
    "recorded_at",
    "officer_in_charge",
    "stage",
    "outcome",
    "updated_at",
    "victim_ref",
    "victim_name",
    "victim_date_of_birth",
    "victim_email",
    "victim_phone",
    "victim_preferred_language",
    "victim_contact_channel",
    "victim_interpreter_language",
    "victim_communication_needs",
    "victim_updated_at",
    *(f"out_of_court_{name}" for name in EXAMPLE_CAPTURE),
]


@pytest.fixture
def source(app):
    """A registered records system (`.client_id`, `.client_pk`), an active officer
    (`.collar`) and someone of the Commissioner's office, who cannot take a case
    (`.pcc_collar`)."""
    with app.app_context():
        client, _secret = register()
        officer = factories.staff(roles=("officer",))
        pcc = factories.staff(officer.team, roles=("pcc",))
        sergeant = factories.staff(officer.team, roles=("supervisor",))
        found = SimpleNamespace(
            client_id=client.client_id,
            client_pk=client.id,
            collar=officer.collar_number,
            pcc_collar=pcc.collar_number,
            sergeant_collar=sergeant.collar_number,
        )
        db.session.remove()
    return found


def run(app, path, client_id, *options):
    return app.test_cli_runner().invoke(args=["import-crimes", str(path), "--client", client_id, *options])


def counts(app) -> dict:
    with app.app_context():
        out = {
            name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
            for name in TABLES
        }
        out["audit_event"] = db.session.scalar(select(func.count(AuditEvent.id)))
        db.session.remove()
    return out


def csv_row(reference, collar, victim_ref="", **cells) -> dict:
    row = dict.fromkeys(CSV_HEADER, "")
    row.update(
        reference=reference,
        offence="burglary_residential",
        occurred_at=(REPORTED - timedelta(hours=5)).isoformat(),
        reported_at=REPORTED.isoformat(),
        recorded_at=UPDATED.isoformat(),
        officer_in_charge=collar,
        stage="under_investigation",
        updated_at=UPDATED.isoformat(),
    )
    if victim_ref:
        row.update(
            victim_ref=victim_ref,
            victim_name="Alex Jones",
            victim_date_of_birth="1985-04-02",
            victim_email=f"{victim_ref.lower()}@example.com",
            victim_updated_at=UPDATED.isoformat(),
        )
    row.update(cells)
    return row


def capture_cells(sergeant_collar: str, **changes) -> dict:
    """An out-of-court disposal's capture, as CSV cells."""
    capture = {**EXAMPLE_CAPTURE, "approved_by": sergeant_collar, **changes}
    return {f"out_of_court_{name}": "" if value is None else str(value) for name, value in capture.items()}


def write_csv(path, rows, header=CSV_HEADER, bom=True):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path, rows):
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows), encoding="utf-8"
    )
    return path


@pytest.mark.time_sensitive
def test_csv_loads_the_good_rows_reports_each_bad_one_and_a_second_run_changes_nothing(app, source, tmp_path):
    collar = source.collar
    path = write_csv(
        tmp_path / "crimes.csv",
        [
            csv_row("NX/2026/000001", collar, "V1"),  # line 2
            csv_row(
                "NX/2026/000001",
                collar,
                "V2",
                victim_phone="+44 7700 900123",
                victim_contact_channel="sms",
                victim_preferred_language="cy",
            ),  # line 3
            # Line 4: the crime alone, closed by a caution with its capture.
            csv_row("nx/2026/000002", collar, stage="", outcome="3", **capture_cells(source.sergeant_collar)),
            csv_row("NX/2026/000003", collar, offence="nope"),  # line 5
            csv_row("", collar),  # line 6
            csv_row("NX/2026/000004", collar, occurred_at="2026-01-01T10:00:00"),  # line 7
            csv_row("NX/2026/000005", "ZZ999"),  # line 8
            # Line 9: V1's email, which links nobody: a victim of her own.
            csv_row("NX/2026/000006", collar, "V9", victim_email="v1@example.com"),
            csv_row("NX/2026/000007", collar, occurred_at="45292"),  # line 10: a spreadsheet's date
            csv_row("NX/2026/000008", source.pcc_collar),  # line 11: cannot take a case
        ],
    )
    result = run(app, path, source.client_id, "--batch-size", "2")

    assert result.exit_code == 1, result.output
    errors = result.stderr
    assert "line 5: offence: 'nope' is not one of the values allowed" in errors
    assert "line 6: reference: Field required" in errors
    assert "line 7: occurred_at: Input should have timezone info" in errors
    assert "line 8: officer_in_charge: No active member of staff has collar number ZZ999" in errors
    assert "line 10: occurred_at: give a date in ISO 8601 form" in errors
    assert (
        f"line 11: officer_in_charge: The member of staff with collar number {source.pcc_collar} cannot take a case"
        in errors
    )
    assert not any(f"line {n}:" in errors for n in (1, 2, 3, 4, 9))
    assert "Traceback" not in result.output
    assert result.stdout.strip().endswith(
        "Crimes: 3 created, 0 updated, 0 unchanged, 0 ignored (older). "
        "Victims: 3 created, 0 updated, 0 unchanged, 0 ignored (older). Lines with errors: 6."
    )
    with app.app_context():
        held = {c.reference: c for c in db.session.scalars(select(Crime))}
        assert set(held) == {"NX/2026/000001", "NX/2026/000002", "NX/2026/000006"}
        assert (held["NX/2026/000002"].outcome, held["NX/2026/000002"].stage) == (3, "closed")
        links = db.session.scalars(
            select(CrimeVictim).where(CrimeVictim.crime_id == held["NX/2026/000001"].id)
        ).all()
        assert sorted(link.source_ref for link in links) == ["V1", "V2"]
        v2 = next(link.victim for link in links if link.source_ref == "V2")
        assert (v2.phone, v2.contact_channel, v2.preferred_language) == ("+44 7700 900123", "sms", "cy")
        for link in links:
            assert (
                db.session.scalar(
                    select(func.count(Entitlement.id)).where(Entitlement.crime_victim_id == link.id)
                )
                > 0
            )
        # The records system is named in the audit trail for what it wrote.
        writes = db.session.execute(
            select(AuditEvent.actor_type, AuditEvent.actor_id).where(
                AuditEvent.action.in_(("crime.record", "victim.add"))
            )
        ).all()
        assert len(writes) == 6 and set(writes) == {("api", source.client_pk)}
        db.session.remove()

    before = counts(app)
    again = run(app, path, source.client_id)
    assert again.exit_code == 1
    assert counts(app) == before  # no audit event either
    assert again.stdout.strip().endswith(
        "Crimes: 0 created, 0 updated, 3 unchanged, 0 ignored (older). "
        "Victims: 0 created, 0 updated, 3 unchanged, 0 ignored (older). Lines with errors: 6."
    )


@pytest.mark.time_sensitive
def test_jsonl_loads_crimes_with_their_victims_and_a_second_run_changes_nothing(app, source, tmp_path):
    collar = source.collar
    first = crime_body("NX/2026/000100", collar, updated_at=UPDATED.isoformat())
    first["victims"] = [
        victim_body(
            "J1",
            updated_at=UPDATED.isoformat(),
            contact_plan={"frequency_days": 14, "channel": "email", "language": "en"},
            enhanced_rights=[{"category": "persistently_targeted", "reason": "assessed"}],
        ),
        victim_body("J2", updated_at=UPDATED.isoformat()),
    ]
    twice = crime_body("NX/2026/000101", collar, updated_at=UPDATED.isoformat())
    twice["victims"] = [
        victim_body("J3", updated_at=UPDATED.isoformat()),
        victim_body("J3", updated_at=UPDATED.isoformat()),
    ]
    charged = crime_body("NX/2026/000102", collar, outcome=1, stage="charged", updated_at=UPDATED.isoformat())
    path = write_jsonl(
        tmp_path / "crimes.ndjson",
        [
            first,  # line 1
            "",  # line 2: blank
            "{not json",  # line 3
            twice,  # line 4: the same victim_ref twice
            {**crime_body("NX/2026/000103", collar), "colour": "red"},  # line 5
            charged,  # line 6
            {
                **crime_body("NX/2026/000104", collar),
                "outcome": "3",
            },  # line 7: strict, a string is not a number
        ],
    )
    result = run(app, path, source.client_id)

    assert result.exit_code == 1, result.output
    assert "line 3: Invalid JSON" in result.stderr
    assert "line 4: victims/1/victim_ref:" in result.stderr
    assert "line 5: colour: Extra inputs are not permitted" in result.stderr
    assert "line 7: outcome: Input should be a valid integer" in result.stderr
    assert "Crimes: 2 created" in result.stdout and "Victims: 2 created" in result.stdout
    assert "Lines with errors: 4." in result.stdout
    with app.app_context():
        crime = db.session.scalar(select(Crime).where(Crime.reference == "NX/2026/000100"))
        assert len(db.session.scalars(select(CrimeVictim).where(CrimeVictim.crime_id == crime.id)).all()) == 2
        assert db.session.scalar(select(Crime.stage).where(Crime.reference == "NX/2026/000102")) == "charged"
        assert (
            db.session.scalar(select(func.count(Entitlement.id)).where(Entitlement.crime_id == crime.id)) > 0
        )
        db.session.remove()
    loaded = counts(app)
    assert loaded["contact_plan"] >= 2 and loaded["enhanced_right"] >= 1

    good = write_jsonl(tmp_path / "good.jsonl", [first, charged])
    again = run(app, good, source.client_id)
    assert again.exit_code == 0, again.output
    assert again.stderr.strip() in ("", "Loading crimes")
    assert counts(app) == loaded
    assert again.stdout.strip() == (
        "Crimes: 0 created, 0 updated, 2 unchanged, 0 ignored (older). "
        "Victims: 0 created, 0 updated, 2 unchanged, 0 ignored (older). Lines with errors: 0."
    )


def test_check_only_writes_nothing(app, source, tmp_path):
    path = write_csv(
        tmp_path / "crimes.csv",
        [
            csv_row("NX/2026/000200", source.collar, "C1"),
            csv_row("NX/2026/000200", source.collar, "C2"),
            csv_row("NX/2026/000201", source.collar),
        ],
        bom=False,
    )
    before = counts(app)
    result = run(app, path, source.client_id, "--check-only")
    assert result.exit_code == 0, result.output
    assert "2 crimes and 2 victims can be loaded; 0 lines with errors" in result.stdout
    assert counts(app) == before

    write_csv(path, [csv_row("NX/2026/000200", source.collar, outcome="5")])
    refused = run(app, path, source.client_id, "--check-only")
    assert refused.exit_code == 1
    assert "line 2: stage: A crime with an outcome other than a charge is closed" in refused.stderr
    assert counts(app) == before


def test_lines_sharing_a_reference_must_agree_on_the_crime(app, source, tmp_path):
    path = write_csv(
        tmp_path / "crimes.csv",
        [
            csv_row("NX/2026/000300", source.collar, "A1"),
            csv_row("NX/2026/000400", source.collar),
            csv_row("NX/2026/000300", source.collar, "A2", offence="criminal_damage"),  # line 4
            csv_row("NX/2026/000300", source.collar, "A1"),  # line 5: A1 again
            csv_row("NX/2026/000300", source.collar, "", victim_name="No Ref"),  # line 6
            csv_row("NX/2026/000300", source.collar, "A3"),  # line 7: apart from its crime's first line
        ],
    )
    result = run(app, path, source.client_id, "--batch-size", "1")
    assert result.exit_code == 1
    assert "line 4: reference: the crime's offence differ from line 2" in result.stderr
    assert "line 5: victim_ref: this victim is already on line 2" in result.stderr
    assert "line 6: victim_ref: give the victim_ref" in result.stderr
    assert "Crimes: 2 created" in result.stdout and "Victims: 2 created" in result.stdout
    with app.app_context():
        crime = db.session.scalar(select(Crime).where(Crime.reference == "NX/2026/000300"))
        refs = db.session.scalars(
            select(CrimeVictim.source_ref).where(CrimeVictim.crime_id == crime.id)
        ).all()
        assert sorted(refs) == ["A1", "A3"]
        db.session.remove()


def test_a_newer_version_updates_the_crime_and_an_older_one_is_ignored(app, source, tmp_path):
    first = write_csv(tmp_path / "first.csv", [csv_row("NX/2026/000500", source.collar, "N1")])
    assert run(app, first, source.client_id).exit_code == 0

    later = (UPDATED + timedelta(hours=1)).isoformat()
    newer = write_csv(
        tmp_path / "newer.csv",
        [
            csv_row(
                "NX/2026/000500",
                source.collar,
                "N1",
                stage="suspect_identified",
                updated_at=later,
                victim_name="Alex Jones-Smith",
                victim_updated_at=later,
            )
        ],
    )
    result = run(app, newer, source.client_id)
    assert result.exit_code == 0, result.output
    assert (
        "Crimes: 0 created, 1 updated" in result.stdout and "Victims: 0 created, 1 updated" in result.stdout
    )

    earlier = (UPDATED - timedelta(hours=1)).isoformat()
    older = write_csv(
        tmp_path / "older.csv",
        [
            csv_row(
                "NX/2026/000500",
                source.collar,
                "N1",
                stage="awaiting_decision",
                updated_at=earlier,
                victim_updated_at=earlier,
            )
        ],
    )
    result = run(app, older, source.client_id)
    assert result.exit_code == 0, result.output
    assert (
        "0 unchanged, 1 ignored (older). Victims: 0 created, 0 updated, 0 unchanged, 1 ignored (older)"
        in result.stdout
    )
    with app.app_context():
        crime = db.session.scalar(select(Crime).where(Crime.reference == "NX/2026/000500"))
        assert crime.stage == "suspect_identified"
        assert db.session.scalar(select(Victim.name)) == "Alex Jones-Smith"
        db.session.remove()


def test_the_client_must_be_a_registered_records_system_that_may_write_crimes(app, source, tmp_path):
    path = write_csv(tmp_path / "crimes.csv", [csv_row("NX/2026/000600", source.collar)])
    unknown = run(app, path, "tmc-nobody")
    assert unknown.exit_code == 2
    assert "no records system is registered with the client id tmc-nobody" in unknown.stderr

    with app.app_context():
        reader, _secret = register(scopes=["crimes:read"])
        revoked, _secret = register()
        api_clients.revoke(revoked, None)
        reader_id, revoked_id = reader.client_id, revoked.client_id
        db.session.remove()
    assert "may not write crimes" in run(app, path, reader_id).stderr
    assert "is revoked" in run(app, path, revoked_id).stderr
    assert app.test_cli_runner().invoke(args=["import-crimes", str(path)]).exit_code == 2
    assert counts(app)["crime"] == 0


def test_files_that_cannot_be_read_are_refused_clearly(app, source, tmp_path):
    missing = run(app, tmp_path / "missing.csv", source.client_id)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr

    text = tmp_path / "crimes.txt"
    text.write_text("reference\n")
    wrong = run(app, text, source.client_id)
    assert wrong.exit_code == 2 and "give a .csv, .jsonl or .ndjson file" in wrong.stderr

    latin = tmp_path / "latin.csv"
    write_csv(latin, [csv_row("NX/2026/000700", source.collar)])
    latin.write_bytes(latin.read_bytes() + "NX/2026/000701,caf\xe9\n".encode("latin-1"))
    undecodable = run(app, latin, source.client_id)
    assert undecodable.exit_code == 1
    assert "line 3: this line is not UTF-8 text" in undecodable.stderr
    assert "Traceback" not in undecodable.output and not isinstance(undecodable.exception, UnicodeDecodeError)

    header = write_csv(
        tmp_path / "header.csv",
        [{"reference": "NX/2026/000702", "colour": "red"}],
        header=["reference", "colour"],
    )
    refused = run(app, header, source.client_id)
    assert refused.exit_code == 1
    assert "line 1: colour: this column is not known" in refused.stderr
    assert "line 1: offence: this column is missing" in refused.stderr
    assert counts(app)["crime"] == 0


def test_an_out_of_court_outcome_is_loaded_only_with_its_full_capture(app, source, tmp_path):
    collar, sergeant = source.collar, source.sergeant_collar
    closed = {"stage": "", "outcome": "8"}
    path = write_csv(
        tmp_path / "disposals.csv",
        [
            csv_row("OC/2026/000001", collar, **closed, **capture_cells(sergeant)),  # line 2
            csv_row("OC/2026/000002", collar, **closed),  # line 3: no capture
            csv_row("OC/2026/000003", collar, **closed, **capture_cells(sergeant, victim_views=None)),  # 4
            csv_row("OC/2026/000004", collar, **closed, **capture_cells("ZZ999")),  # line 5
            csv_row("OC/2026/000005", collar, **closed, **capture_cells(collar)),  # line 6: the officer
            csv_row("OC/2026/000006", collar, **capture_cells(sergeant)),  # line 7: an open crime
            csv_row("OC/2026/000007", collar, **closed, **capture_cells(sergeant, admission="maybe")),  # 8
        ],
    )
    result = run(app, path, source.client_id)
    assert result.exit_code == 1, result.output
    errors = result.stderr
    assert "line 3: out_of_court: Outcome 8 is an out-of-court disposal" in errors
    assert "line 4: out_of_court_victim_views: The victim's views were sought: give them" in errors
    assert "line 5: out_of_court_approved_by: No active supervisor has collar number ZZ999" in errors
    assert f"line 6: out_of_court_approved_by: No active supervisor has collar number {collar}" in errors
    assert "line 7: out_of_court: Only an out-of-court outcome carries out_of_court" in errors
    assert "line 8: out_of_court_admission:" in errors
    assert "Crimes: 1 created" in result.stdout
    with app.app_context():
        assert db.session.scalars(select(Crime.reference)).all() == ["OC/2026/000001"]
        [capture] = db.session.scalars(select(OutOfCourtCapture)).all()
        approver = db.session.scalar(select(StaffMember).where(StaffMember.collar_number == sergeant))
        assert (capture.outcome, capture.approved_by_id, capture.views_sought) == (8, approver.id, True)
        assert capture.victim_views == EXAMPLE_CAPTURE["victim_views"]

    # JSON lines carry the capture as the API's body does.
    body = crime_body("OC/2026/000010", collar, stage=None, outcome=3)
    lines = write_jsonl(
        tmp_path / "disposals.jsonl",
        [
            {**body, "out_of_court": {**EXAMPLE_CAPTURE, "approved_by": sergeant}},
            {**body, "reference": "OC/2026/000011"},
            {
                **body,
                "reference": "OC/2026/000012",
                "out_of_court": {**EXAMPLE_CAPTURE, "history_summary": None},
            },
        ],
    )
    result = run(app, lines, source.client_id)
    assert "line 2: out_of_court: Outcome 3 is an out-of-court disposal" in result.stderr
    assert "line 3: out_of_court/history_summary: The offender's history was checked" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutOfCourtCapture)) == 2
        assert db.session.scalar(select(Crime.id).where(Crime.reference == "OC/2026/000011")) is None
