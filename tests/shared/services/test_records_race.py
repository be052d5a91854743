"""Two writers creating the same crime or victim at the same moment: the one that loses
rolls back, tries again and finds the record the other made, through the API and the bulk
import alike; one that keeps losing is told to send it again. The other writer here works
in a database session of its own and commits, and this writer's look-up is made to miss
what it committed, as one made a moment before would; the two never hold the database at
once, so this runs on SQLite too (tests/api/test_api_idempotency.py races real writers on
PostgreSQL)."""

import csv

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import ApiClient, AuditEvent, Crime, CrimeVictim, IdempotencyRecord
from shared.services import bulk_import_batch, crimes, records, victims
from shared.services.records_input import CrimeIn, VictimIn
from tests import factories
from tests.api_helpers import crime_body, register, victim_body


def _count(app, column, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)).where(*where))


def _callers(monkeypatch, module, name):
    """Who called `module.name` to make the record, in order: the other writer, then this
    one."""
    real = getattr(module, name)
    calls = []

    def counted(*args, **kwargs):
        calls.append("this writer" if calls else "other writer")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _missed_once(monkeypatch, look_up, meanwhile=None):
    """This writer's first look-up (`records.look_up`) finds nothing: it was made just
    before another writer committed the record (`meanwhile`, run then, or already run)."""
    real = getattr(records, look_up)
    looked = []

    def stale(*args, **kwargs):
        if looked:
            return real(*args, **kwargs)
        looked.append(args)
        if meanwhile is not None:
            meanwhile()
        return None

    monkeypatch.setattr(records, look_up, stale)


def _as_another_writer(app, client_id, write):
    """Run `write(client)` as another writer: in an app context and database session of
    its own, which it commits."""
    with app.app_context():
        write(db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id)))
        db.session.remove()


def _always_beaten(monkeypatch, name, what):
    def beaten(*_args, **_kwargs):
        raise records.Race(what)

    monkeypatch.setattr(records, name, beaten)


def test_a_push_that_loses_the_race_for_a_new_crime_finds_it_and_changes_nothing_more(
    app, records_system, monkeypatch
):
    body = crime_body("NX-3001", records_system.collar)
    calls = _callers(monkeypatch, crimes, "record_crime")
    _as_another_writer(
        app,
        records_system.client_id,
        lambda client: records.upsert_crime(CrimeIn.model_validate(body), client),
    )
    _missed_once(monkeypatch, "held_crime")
    response = records_system.post("/crimes", body, key="race-1")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"] == "unchanged"
    # This writer's insert was refused once; its second try found the crime, inserting nothing.
    assert calls == ["other writer", "this writer"]
    assert _count(app, Crime.id) == 1
    assert _count(app, AuditEvent.id, AuditEvent.action == "crime.record") == 1
    # The first try's placeholder is gone: the key holds the answer given.
    assert _count(app, IdempotencyRecord.id) == 1
    again = records_system.post("/crimes", body, key="race-1")
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_data() == response.get_data()


def test_a_push_that_keeps_losing_the_race_is_asked_to_send_it_again_and_its_key_stays_free(
    app, records_system, monkeypatch
):
    body = crime_body("NX-3002", records_system.collar)
    with monkeypatch.context() as patch:
        _always_beaten(patch, "upsert_crime", "crime")
        response = records_system.post("/crimes", body, key="race-2")
    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert (
        response.get_json(force=True)["detail"]
        == "The record changed while it was being written. Send the request again."
    )
    assert _count(app, IdempotencyRecord.id) == 0
    assert records_system.post("/crimes", body, key="race-2").status_code == 201


@pytest.fixture
def source(app):
    """A registered records system and an active officer: (client id, collar number)."""
    with app.app_context():
        client, _secret = register()
        found = client.client_id, factories.staff(roles=("officer",)).collar_number
        db.session.remove()
    return found


def _bodies(collar):
    """The crime and the victim on the import's one line."""
    crime = crime_body("NX/2026/003003", collar)
    return crime, victim_body("R1", updated_at=crime["updated_at"])


def _one_by_one(monkeypatch) -> None:
    """The import's crimes all through the per-crime path, whose races these are (the
    set-based writer's own are in tests/shared/cli/test_import_set_based.py)."""
    monkeypatch.setattr(bulk_import_batch, "write_new", lambda batch, by, counted: list(batch))


def _import_one(app, tmp_path, collar, client_id, bodies=None):
    crime, victim = bodies or _bodies(collar)
    row = {
        **crime,
        **{f"victim_{name}" if name != "victim_ref" else name: value for name, value in victim.items()},
    }
    path = tmp_path / "crimes.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return app.test_cli_runner().invoke(args=["import-crimes", str(path), "--client", client_id])


def test_an_import_that_loses_the_race_for_a_new_victim_finds_them(app, source, tmp_path, monkeypatch):
    client_id, collar = source
    crime, victim = bodies = _bodies(collar)

    def other_writer(client):
        records.upsert_victim(records.held_crime(crime["reference"]), VictimIn.model_validate(victim), client)

    _one_by_one(monkeypatch)
    calls = _callers(monkeypatch, victims, "add_victim")
    _missed_once(
        monkeypatch, "held_victim", meanwhile=lambda: _as_another_writer(app, client_id, other_writer)
    )
    result = _import_one(app, tmp_path, collar, client_id, bodies)
    assert result.exit_code == 0, result.output
    assert calls == ["other writer", "this writer"]
    assert result.stdout.strip().endswith(
        "Crimes: 1 created, 0 updated, 0 unchanged, 0 ignored (older). "
        "Victims: 0 created, 0 updated, 1 unchanged, 0 ignored (older). Lines with errors: 0."
    )
    assert _count(app, CrimeVictim.id) == 1


def test_an_import_that_keeps_losing_the_race_reports_the_line_and_loads_the_rest(
    app, source, tmp_path, monkeypatch
):
    client_id, collar = source
    _one_by_one(monkeypatch)
    _always_beaten(monkeypatch, "upsert_victim", "victim")
    result = _import_one(app, tmp_path, collar, client_id)
    assert result.exit_code == 1
    assert "line 2: The record changed while it was being written: run the import again" in result.stderr
    assert "Crimes: 1 created" in result.stdout and "Victims: 0 created" in result.stdout
    assert "Lines with errors: 1." in result.stdout
    assert (_count(app, Crime.id), _count(app, CrimeVictim.id)) == (1, 0)
