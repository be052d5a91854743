"""The rows of a bulk import (`flask import-crimes`): a force's crimes and their victims
from its records system, as a CSV or JSON lines file, read and checked line by line.

The file is read twice. The first pass (`check`) checks every line (the same pydantic
models as `/api/v1`, plus what only the database knows but can be checked without
writing: the officer in charge is an active member of staff who can take a case) and
reports every error with its line number. The second pass (`units`) reads the file again and gives the lines
without errors as crimes to load (shared.services.bulk_import_loading). Reading the file
again, rather than keeping it, keeps memory flat whatever the size of the file.
"""

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from shared.domain.permissions import CASE_HOLDING_ROLES
from shared.extensions import db
from shared.models import StaffMember, StaffRole
from shared.services import crimes, out_of_court_records, records
from shared.services.errors import ServiceError
from shared.services.records_input import CrimeIn, ImportRow, VictimIn

# The file's format, as its extension names it.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# CSV columns: the crime's, then the victim's (`victim_` and the VictimIn field).
CRIME_COLUMNS = (
    "reference",
    "offence",
    "occurred_at",
    "reported_at",
    "recorded_at",
    "officer_in_charge",
    "stage",
    "outcome",
    "incident",
    "updated_at",
)
OPTIONAL_CRIME_COLUMNS = ("stage", "outcome", "incident")
VICTIM_COLUMNS = {
    "victim_ref": "victim_ref",
    "victim_name": "name",
    "victim_date_of_birth": "date_of_birth",
    "victim_email": "email",
    "victim_phone": "phone",
    "victim_preferred_language": "preferred_language",
    "victim_contact_channel": "contact_channel",
    "victim_interpreter_language": "interpreter_language",
    "victim_communication_needs": "communication_needs",
    "victim_updated_at": "updated_at",
}
VICTIM_FIELDS = {name: column for column, name in VICTIM_COLUMNS.items()}
# An out-of-court disposal's capture (`out_of_court_` and the OutOfCourtIn field): given
# with, and only with, an out-of-court outcome.
OUT_OF_COURT_COLUMNS = {
    f"out_of_court_{name}": name
    for name in (
        "views_sought",
        "victim_views",
        "views_not_sought_reason",
        "history_checked",
        "history_summary",
        "admission",
        "approved_by",
    )
}
REQUIRED_VICTIM_COLUMNS = ("victim_ref", "victim_name", "victim_updated_at")
DATE_COLUMNS = {
    "occurred_at",
    "reported_at",
    "recorded_at",
    "updated_at",
    "victim_date_of_birth",
    "victim_updated_at",
}
# In lax mode pydantic reads a number as a Unix time; in a CSV cell it is far more likely
# a spreadsheet's serial date, so it is refused.
NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?$")
# The back office's form fields, as the file names them.
SERVICE_FIELDS = {"reported_date": "reported_at", "occurred_date": "occurred_at", "date": "occurred_at"}


class FileRefused(Exception):
    """The file as a whole cannot be read (its CSV header, its encoding): nothing is loaded."""

    def __init__(self, errors: list[tuple[int, str | None, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Line:
    """One line of the file, checked: the crime and its victims, or the errors."""

    number: int
    crime: CrimeIn | None = None
    victims: list[VictimIn] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def valid_crime(self) -> CrimeIn:
        """The crime of a line read without errors, which always has one."""
        if self.crime is None:
            raise ValueError(f"line {self.number} has no crime: {self.errors}")
        return self.crime


@dataclass
class Unit:
    """What is loaded together: a crime (from `crime_line`), then its victims, each with
    the line it came from and its index on that line."""

    crime: CrimeIn
    crime_line: int
    lines: list[int]
    victims: list[tuple[int, int, VictimIn]]


@dataclass
class Group:
    """The lines of a CSV file that share a reference: checked against the first."""

    first: int
    crime: dict
    last: int
    victim_refs: dict[str, int] = field(default_factory=dict)


# The place in a row that pydantic names (field names and list indexes).
Location = Sequence[int | str]
# Where the errors go, one at a time: (line number, the field as the file names it, message).
Report = Callable[[int, str | None, str], None]


# ----------------------------------------------------------------------------- reading


def _decoded(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines with their numbers, decoded one by one so that a line that is not
    UTF-8 is named exactly. A byte order mark is dropped."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError:
                raise FileRefused([(number, None, "this line is not UTF-8 text")]) from None


def _validation_errors(
    error: ValidationError, name: Callable[[Location], str | None]
) -> list[tuple[str | None, str]]:
    out = []
    for item in error.errors(include_url=False):
        message = item["msg"]
        if item["type"] == "literal_error" and len(message) > 120:
            message = f"{item.get('input')!r} is not one of the values allowed"
        out.append((name(item["loc"]), message))
    return out


def _json_name(loc: Location) -> str | None:
    return "/".join(str(part) for part in loc) or None


def _jsonl_lines(path: Path) -> Iterator[Line]:
    for number, text in _decoded(path):
        if not text.strip():
            continue
        try:
            row = ImportRow.model_validate_json(text, strict=True)
        except ValidationError as error:
            yield Line(number, errors=_validation_errors(error, _json_name))
            continue
        yield Line(number, crime=row, victims=list(row.victims))


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The CSV file's rows that are not blank, each with the line it starts on."""
    decoded = _decoded(path)
    reader = csv.reader(text for _number, text in decoded)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRefused([(reader.line_num, None, f"this line is not valid CSV: {error}")]) from None
        if any(cell.strip() for cell in row):
            yield start, row
        start = reader.line_num + 1


def _header_errors(header: list[str]) -> list[tuple[int, str | None, str]]:
    errors: list[tuple[int, str | None, str]] = []
    known = set(CRIME_COLUMNS) | set(VICTIM_COLUMNS) | set(OUT_OF_COURT_COLUMNS)
    for name in sorted({name for name in header if name not in known}):
        errors.append((1, name, "this column is not known"))
    for name in sorted({name for name in header if header.count(name) > 1}):
        errors.append((1, name, "this column is given more than once"))
    wanted = [name for name in CRIME_COLUMNS if name not in OPTIONAL_CRIME_COLUMNS]
    if any(name in VICTIM_COLUMNS for name in header):
        wanted += REQUIRED_VICTIM_COLUMNS
    for name in wanted:
        if name not in header:
            errors.append((1, name, "this column is missing"))
    return errors


def _csv_cells(
    columns: list[str], row: list[str]
) -> tuple[dict[str, str], dict[str, str], list[tuple[str | None, str]]]:
    """The crime's and the victim's fields given on a row (empty cells left out)."""
    crime: dict[str, Any] = {}
    victim: dict[str, str] = {}
    errors: list[tuple[str | None, str]] = []
    for column, cell in zip(columns, row, strict=True):
        value = cell.strip()
        if not value:
            continue
        if column in DATE_COLUMNS and NUMBER.match(value):
            errors.append(
                (
                    column,
                    "give a date in ISO 8601 form (a time also needs its zone, e.g. 2026-03-01T14:30:00Z)",
                )
            )
        elif column in VICTIM_COLUMNS:
            victim[VICTIM_COLUMNS[column]] = value
        elif column in OUT_OF_COURT_COLUMNS:
            crime.setdefault("out_of_court", {})[OUT_OF_COURT_COLUMNS[column]] = value
        else:
            crime[column] = value
    return crime, victim, errors


def _csv_crime_name(loc: Location) -> str | None:
    """A CrimeIn field as its CSV column."""
    name = _json_name(loc)
    if name and name.startswith("out_of_court/"):
        return name.replace("/", "_", 1)
    return name


def _csv_lines(path: Path) -> Iterator[Line]:
    rows = _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileRefused([(1, None, "the file has no header row")])
    columns = [name.strip() for name in header[1]]
    errors = _header_errors(columns)
    if errors:
        raise FileRefused(errors)
    for number, row in rows:
        if len(row) != len(columns):
            yield Line(
                number, errors=[(None, f"this row has {len(row)} cells and the header {len(columns)}")]
            )
            continue
        crime_cells, victim_cells, cell_errors = _csv_cells(columns, row)
        line = Line(number, errors=cell_errors)
        try:
            line.crime = CrimeIn.model_validate(crime_cells)
        except ValidationError as error:
            line.errors += _validation_errors(error, _csv_crime_name)
        if victim_cells:
            if "victim_ref" not in victim_cells:
                line.errors.append(("victim_ref", "give the victim_ref of the victim on this line"))
            else:
                try:
                    line.victims.append(VictimIn.model_validate(victim_cells))
                except ValidationError as error:
                    line.errors += _validation_errors(error, _csv_name)
        yield line


def _csv_name(loc: Location) -> str | None:
    """A VictimIn field as its CSV column."""
    if not loc:
        return None
    return "/".join([VICTIM_FIELDS.get(str(loc[0]), str(loc[0]))] + [str(part) for part in loc[1:]])


def lines(path: Path, fmt: str) -> Iterator[Line]:
    """The file's lines that are not blank, each read and checked against the models.
    Raises FileRefused."""
    return _csv_lines(path) if fmt == "csv" else _jsonl_lines(path)


# ---------------------------------------------------------------------------- checking


def file_field(fmt: str, index: int | None, name: str | None) -> str | None:
    """A service's field name as the file names it (for a victim: on its line)."""
    name = SERVICE_FIELDS.get(name, name) if name else name
    if index is None:
        return _csv_crime_name(name.split("/")) if fmt == "csv" and name else name
    if fmt == "csv":
        return _csv_name(name.split("/")) if name else None
    return f"victims/{index}" + (f"/{name}" if name else "")


def _check_line(line: Line, fmt: str, officers: dict[str, bool], sergeants: set[str]) -> None:
    """What the models cannot know: the officer in charge is active and can take a case
    (an officer or a supervisor), an out-of-court disposal's approver is an active
    sergeant other than them, and the rules the services apply before writing anything."""
    crime = line.valid_crime
    holds = officers.get(crime.officer_in_charge.upper())
    if holds is None:
        line.errors.append(
            ("officer_in_charge", f"No active member of staff has collar number {crime.officer_in_charge}")
        )
    elif not holds:
        line.errors.append(
            (
                "officer_in_charge",
                f"The member of staff with collar number {crime.officer_in_charge} cannot take a case: "
                "the officer in charge must be an officer or a supervisor",
            )
        )
    try:
        records.check_crime(crime)
    except ServiceError as error:
        line.errors.append((file_field(fmt, None, error.field), str(error.message)))
    sent = crime.out_of_court
    if sent is not None:
        refused = out_of_court_records.approver_refusal(
            sent.approved_by.upper() in sergeants, sent, crime.officer_in_charge
        )
        if refused is not None:
            line.errors.append((file_field(fmt, None, "out_of_court/approved_by"), refused))
    seen: dict[str, int] = {}
    for index, victim in enumerate(line.victims):
        try:
            records.check_rights(victim)
        except ServiceError as error:
            line.errors.append((file_field(fmt, index, error.field), str(error.message)))
        if victim.victim_ref in seen:
            line.errors.append(
                (
                    file_field(fmt, index, "victim_ref"),
                    f"the same as victims/{seen[victim.victim_ref]}/victim_ref",
                )
            )
        seen.setdefault(victim.victim_ref, index)


def _crime_key(crime: CrimeIn) -> dict:
    return {**crime.model_dump(), "reference": crimes.normalise_reference(crime.reference)}


def _check_group(line: Line, groups: dict[str, Group]) -> None:
    """Lines sharing a reference give the same crime and different victims."""
    key = _crime_key(line.valid_crime)
    group = groups.get(key["reference"])
    if group is None:
        return
    differ = [name for name in (*CRIME_COLUMNS, "out_of_court") if key[name] != group.crime[name]]
    if differ:
        line.errors.append(("reference", f"the crime's {', '.join(differ)} differ from line {group.first}"))
    for victim in line.victims:
        if victim.victim_ref in group.victim_refs:
            line.errors.append(
                ("victim_ref", f"this victim is already on line {group.victim_refs[victim.victim_ref]}")
            )


def _active_officers() -> dict[str, bool]:
    """Each active member of staff's collar number (upper case): whether they can take a
    case."""
    holding = select(StaffRole.staff_id).where(StaffRole.role.in_(sorted(CASE_HOLDING_ROLES)))
    rows = db.session.execute(
        select(func.upper(StaffMember.collar_number), StaffMember.id.in_(holding)).where(
            StaffMember.active.is_(True)
        )
    )
    return {str(collar): bool(holds) for collar, holds in rows}


@dataclass
class Plan:
    """What the first pass found: the lines with errors, and for a CSV file the lines of
    each crime. `units`: how many crimes the second pass loads."""

    bad: set[int] = field(default_factory=set)
    groups: dict[str, Group] = field(default_factory=dict)
    units: int = 0
    victims: int = 0


def check(path: Path, fmt: str, report: Report) -> Plan:
    """The first pass: report every line's errors as the line is read. Writes nothing.
    Raises FileRefused when the file as a whole cannot be read (the errors of the lines
    before the one that stopped it are reported already)."""
    officers = _active_officers()
    sergeants = out_of_court_records.sergeants()
    db.session.remove()
    plan = Plan()
    for line in lines(path, fmt):
        if not line.errors:
            _check_line(line, fmt, officers, sergeants)
        if not line.errors and fmt == "csv":
            _check_group(line, plan.groups)
        if line.errors:
            plan.bad.add(line.number)
            for name, message in line.errors:
                report(line.number, name, message)
            continue
        plan.victims += len(line.victims)
        if fmt == "jsonl":
            plan.units += 1
            continue
        key = _crime_key(line.valid_crime)
        group = plan.groups.get(key["reference"])
        if group is None:
            group = plan.groups[key["reference"]] = Group(line.number, key, line.number)
            plan.units += 1
        group.last = line.number
        for victim in line.victims:
            group.victim_refs[victim.victim_ref] = line.number
    return plan


# ------------------------------------------------------------------------ second pass


def units(path: Path, fmt: str, plan: Plan, report: Report) -> Iterator[Unit]:
    """The second pass: the lines without errors, read again, as crimes to load. A CSV
    crime is given when its last line is read (next to each other, one at a time). A line
    that has errors now and had none in the first pass is reported and left out."""
    pending: dict[str, Unit] = {}
    for line in lines(path, fmt):
        if line.number in plan.bad:
            continue
        if line.errors:  # the file changed since the first pass
            for name, message in line.errors:
                report(line.number, name, message)
            continue
        victims = [(line.number, index, victim) for index, victim in enumerate(line.victims)]
        if fmt == "jsonl":
            yield Unit(line.valid_crime, line.number, [line.number], victims)
            continue
        reference = crimes.normalise_reference(line.valid_crime.reference)
        group = plan.groups.get(reference)
        if group is None:
            continue
        unit = pending.setdefault(reference, Unit(line.valid_crime, line.number, [], []))
        unit.lines.append(line.number)
        unit.victims += victims
        if line.number == group.last:
            yield pending.pop(reference)
    yield from pending.values()
