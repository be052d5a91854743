"""Loading a bulk import (`flask import-crimes`): the crimes and victims that
shared.services.bulk_import_rows found without errors are written as the records system
named, so the audit trail and the history name it. A batch's new crimes are written set
by set (shared.services.bulk_import_batch), a statement a table; any other crime (one
already held, one with an outcome...) goes through shared.services.records, each crime
and each victim a unit of work of its own there, tried again when it loses a race to
another writer. Clearing the session after each batch keeps memory flat whatever the
size of the file.

The services compare each record's `updated_at` with the one held, so loading the same
file again changes nothing and writes nothing; the import writes nothing of its own.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from shared.extensions import db
from shared.models import ApiClient
from shared.services import bulk_import_batch, records
from shared.services.bulk_import_rows import Plan, Unit, file_field, units
from shared.services.errors import ServiceError

# What an upsert wrote: a crime or a victim's link to it.
R = TypeVar("R")


@dataclass
class Tally:
    """What the import did: crimes and victims by result (created, updated, unchanged,
    ignored_older), and the errors by line."""

    crimes: Counter = field(default_factory=Counter)
    victims: Counter = field(default_factory=Counter)
    errors: dict[int, list[tuple[str | None, str]]] = field(default_factory=dict)

    def error(self, line: int, name: str | None, message: str) -> None:
        self.errors.setdefault(line, []).append((name, message))


def _refusal(error: ServiceError) -> str:
    if isinstance(error, records.RaceLost):
        return "The record changed while it was being written: run the import again"
    return str(error.message)


def _load_unit(unit: Unit, fmt: str, by: ApiClient, tally: Tally) -> None:
    try:
        written = records.load_crime(unit.crime, by)
    except ServiceError as error:
        tally.error(unit.crime_line, file_field(fmt, None, error.field), _refusal(error))
        for number in unit.lines:
            if number != unit.crime_line:
                tally.error(
                    number, "reference", f"not loaded: the crime on line {unit.crime_line} was refused"
                )
        return
    tally.crimes[written.result] += 1
    crime = written.record
    for number, index, victim in unit.victims:
        try:
            added = records.load_victim(crime, victim, by)
        except ServiceError as error:
            tally.error(number, file_field(fmt, index, error.field), _refusal(error))
            continue
        tally.victims[added.result] += 1


def load(
    path: Path,
    fmt: str,
    plan: Plan,
    client_pk: int,
    batch_size: int,
    tally: Tally,
    loaded: Callable[[], None] | None = None,
) -> None:
    """The second pass: load the crimes of `plan` (from bulk_import_rows.check) as the
    records system `client_pk`, `batch_size` crimes at a time: the batch's plain new
    crimes by the set-based writer (shared.services.bulk_import_batch), the others one
    by one, and the session cleared after each batch so memory stays flat. Each crime's
    results and errors go to `tally`; `loaded` is called after each crime, to show
    progress. A crime or victim the services refuse is an error on its line, and the
    rest are loaded."""
    batch: list[Unit] = []
    for unit in units(path, fmt, plan, tally.error):
        batch.append(unit)
        if len(batch) == batch_size:
            _load_batch(batch, fmt, client_pk, tally, loaded)
            batch = []
    _load_batch(batch, fmt, client_pk, tally, loaded)


def _load_batch(
    batch: list[Unit], fmt: str, client_pk: int, tally: Tally, loaded: Callable[[], None] | None
) -> None:
    by = db.session.get_one(ApiClient, client_pk)

    def counted(unit: Unit) -> None:
        tally.crimes["created"] += 1
        tally.victims["created"] += len(unit.victims)
        if loaded is not None:
            loaded()

    for unit in bulk_import_batch.write_new(batch, by, counted) if batch else ():
        _load_unit(unit, fmt, by, tally)
        if loaded is not None:
            loaded()
    db.session.remove()
