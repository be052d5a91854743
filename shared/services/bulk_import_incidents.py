"""The incidents of a bulk import (`flask import-crimes --incidents FILE`): a CSV file of
incidents, one a row, checked line by line with the same pydantic model as `POST
/api/v1/incidents` and loaded before the crimes, so that a crime's `incident` column can
name one. The first crime of an incident in the crimes file becomes its principal
crime. Loading the same file again changes nothing (`updated_at`); an incident row
leaves the links its crimes make as they are.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import ValidationError

from shared.extensions import db
from shared.models import ApiClient
from shared.services import incident_records, records
from shared.services.bulk_import_rows import FileRefused, _csv_rows, _json_name, _validation_errors
from shared.services.errors import ServiceError
from shared.services.incident_input import IncidentIn

COLUMNS = (
    "reference",
    "received_at",
    "route",
    "disclosed_crime",
    "offence_group",
    "summary",
    "closing_code",
    "team",
    "not_recorded_reason",
    "not_recorded_note",
    "not_recorded_at",
    "not_recorded_by",
    "not_recorded_by_name",
    "n100",
    "n100_resolution",
    "n100_resolved_at",
    "updated_at",
)
REQUIRED = ("reference", "received_at", "route", "disclosed_crime", "updated_at")
NOT_RECORDED = {
    "not_recorded_reason": "reason",
    "not_recorded_note": "note",
    "not_recorded_at": "decided_at",
    "not_recorded_by": "decided_by",
    "not_recorded_by_name": "decided_by_name",
}
N100 = {"n100_resolution": "resolution", "n100_resolved_at": "resolved_at"}
# A nested field's error, named by its CSV column.
COLUMN_OF = {
    **{f"not_recorded/{field}": column for column, field in NOT_RECORDED.items()},
    **{f"n100/{field}": column for column, field in N100.items()},
    "not_recorded": "not_recorded_reason",
}
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}

Report = Callable[[int, str | None, str], None]


def _header(columns: list[str]) -> None:
    errors: list[tuple[int, str | None, str]] = []
    for name in sorted(set(columns) - set(COLUMNS)):
        errors.append((1, name, "this column is not known"))
    for name in sorted({name for name in columns if columns.count(name) > 1}):
        errors.append((1, name, "this column is given more than once"))
    for name in REQUIRED:
        if name not in columns:
            errors.append((1, name, "this column is missing"))
    if errors:
        raise FileRefused(errors)


def _flag(value: str) -> bool | str:
    lowered = value.strip().lower()
    return True if lowered in TRUE else False if lowered in FALSE else value


def _body(cells: dict[str, str]) -> dict:
    body: dict = {}
    decision = {NOT_RECORDED[name]: value for name, value in cells.items() if name in NOT_RECORDED}
    n100 = {N100[name]: value for name, value in cells.items() if name in N100}
    for name, value in cells.items():
        if name not in NOT_RECORDED and name not in N100 and name != "n100":
            body[name] = value
    body["disclosed_crime"] = _flag(cells.get("disclosed_crime", ""))
    if decision:
        body["not_recorded"] = decision
    if n100 or _flag(cells.get("n100", "")) is True:
        body["n100"] = n100
    return body


def rows(path: Path, report: Report) -> Iterator[tuple[int, IncidentIn]]:
    """The file's incidents that pass their checks, with their line numbers; `report`
    is told each error of the others. Raises FileRefused for a file that cannot be read."""
    csv_rows = _csv_rows(path)
    header = next(csv_rows, None)
    if header is None:
        raise FileRefused([(1, None, "the file has no header row")])
    columns = [name.strip() for name in header[1]]
    _header(columns)
    for number, row in csv_rows:
        if len(row) != len(columns):
            report(number, None, f"this row has {len(row)} cells and the header {len(columns)}")
            continue
        cells = {column: cell.strip() for column, cell in zip(columns, row, strict=True) if cell.strip()}
        try:
            yield number, IncidentIn.model_validate(_body(cells))
        except ValidationError as error:
            for name, message in _validation_errors(error, _json_name):
                report(number, COLUMN_OF.get(name or "", name), message)


def check(path: Path, report: Report) -> int:
    """The first pass: how many incidents can be loaded; each error reported."""
    return sum(1 for _ in rows(path, report))


def load(path: Path, client_pk: int, report: Report) -> Counter:
    """Load the file's incidents as the records system `client_pk`, each a unit of work
    of its own; the results counted (created, updated, unchanged, ignored_older)."""
    tally: Counter = Counter()
    by = db.session.get_one(ApiClient, client_pk)
    for number, incident in rows(path, lambda *_: None):
        try:
            written = incident_records.load_incident(incident, by)
        except ServiceError as error:
            message = (
                "The record changed while it was being written: run the import again"
                if isinstance(error, records.RaceLost)
                else str(error.message)
            )
            report(number, COLUMN_OF.get(error.field or "", error.field), message)
            continue
        tally[written.result] += 1
    db.session.remove()
    return tally
