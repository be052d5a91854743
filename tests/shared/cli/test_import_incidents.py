"""`flask import-crimes --incidents FILE`: the incidents are loaded first, then the crimes
that name them, the first of each incident its principal crime."""

import csv

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Crime, Incident
from tests.api_helpers import register
from tests.shared.cli.test_import_crimes import CSV_HEADER, REPORTED, UPDATED, csv_row, run, source, write_csv  # noqa: F401

INCIDENT_HEADER = [
    "reference",
    "received_at",
    "route",
    "disclosed_crime",
    "offence_group",
    "closing_code",
    "not_recorded_reason",
    "not_recorded_note",
    "not_recorded_at",
    "not_recorded_by",
    "not_recorded_by_name",
    "n100",
    "n100_resolution",
    "n100_resolved_at",
    "updated_at",
]


def incident_row(reference, **cells) -> dict:
    row = dict.fromkeys(INCIDENT_HEADER, "")
    row.update(
        reference=reference,
        received_at=REPORTED.isoformat(),
        route="control_room",
        disclosed_crime="true",
        closing_code="crime_recorded",
        updated_at=UPDATED.isoformat(),
    )
    row.update(cells)
    return row


def write_incidents(path, rows):
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=INCIDENT_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _incidents(app) -> dict:
    with app.app_context():
        out = {row.reference: row for row in db.session.scalars(select(Incident))}
        for row in out.values():
            db.session.expunge(row)
        db.session.remove()
    return out


def test_incidents_load_before_the_crimes_that_name_them_and_a_second_run_changes_nothing(
    app,
    source,  # noqa: F811
    tmp_path,
):
    incidents = write_incidents(
        tmp_path / "incidents.csv",
        [
            incident_row("INC/IMP/0001"),
            incident_row(
                "INC/IMP/0002",
                closing_code="crime_not_recorded",
                offence_group="public_order",
                not_recorded_reason="offensive_message",
                not_recorded_note="A rude message; no threat.",
                not_recorded_at=UPDATED.isoformat(),
                not_recorded_by=source.collar,
            ),
            incident_row("INC/IMP/0003", n100="true"),
            incident_row("INC/IMP/0004", route="carrier_pigeon"),
        ],
    )
    header = [*CSV_HEADER, "incident"]
    crimes = write_csv(
        tmp_path / "crimes.csv",
        [
            csv_row("43/IMP/0001", source.collar, offence="stalking", incident="INC/IMP/0001"),
            csv_row("43/IMP/0002", source.collar, offence="criminal_damage", incident="INC/IMP/0001"),
            csv_row("43/IMP/0003", source.collar, incident="INC/IMP/9999"),
        ],
        header=header,
    )

    result = run(app, crimes, source.client_id, "--incidents", str(incidents))

    assert result.exit_code == 1, result.output
    assert "incidents.csv: line 5: route:" in result.output
    assert "line 4: incident: No incident has the reference INC/IMP/9999" in result.output
    assert "Incidents: 3 created" in result.output
    held = _incidents(app)
    assert sorted(held) == ["INC/IMP/0001", "INC/IMP/0002", "INC/IMP/0003"]
    assert held["INC/IMP/0002"].needs_sign_off and held["INC/IMP/0002"].signed_off_at is None
    assert held["INC/IMP/0003"].n100
    with app.app_context():
        linked = dict(
            db.session.execute(
                select(Crime.reference, Crime.principal_crime_id).where(
                    Crime.incident_id == held["INC/IMP/0001"].id
                )
            ).all()
        )
        principal_id = db.session.scalar(select(Crime.id).where(Crime.reference == "43/IMP/0001"))
        assert db.session.scalar(select(func.count(Crime.id)).where(Crime.reference == "43/IMP/0003")) == 0
    assert linked == {"43/IMP/0001": None, "43/IMP/0002": principal_id}
    assert held["INC/IMP/0001"].offence_group == "violence"

    again = run(app, crimes, source.client_id, "--incidents", str(incidents))
    assert "Incidents: 0 created, 0 updated, 3 unchanged" in again.output
    assert "Crimes: 0 created, 0 updated, 2 unchanged" in again.output


def test_a_client_without_the_incidents_scope_is_refused_before_anything_is_read(
    app,
    source,  # noqa: F811
    tmp_path,
):
    with app.app_context():
        client, _secret = register(scopes=("crimes:write",))
        client_id = client.client_id
        db.session.remove()
    incidents = write_incidents(tmp_path / "incidents.csv", [incident_row("INC/IMP/0010")])
    crimes = write_csv(tmp_path / "crimes.csv", [csv_row("43/IMP/0010", source.collar)])
    result = run(app, crimes, client_id, "--incidents", str(incidents))
    assert result.exit_code == 2 and "no incidents:write scope" in result.output
    assert _incidents(app) == {}
