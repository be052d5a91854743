"""`flask import-crimes FILE --client CLIENT_ID [--incidents INCIDENTS.csv]`: a force's
first load of crimes and their victims from its records system, from a CSV or JSON lines
file, and of the incidents they were recorded from (loaded first, so that a crime's
`incident` column can name one: shared.services.bulk_import_incidents).

Every line is checked first (shared.services.bulk_import_rows) and each error printed with
its line number as it is found; then, unless `--check-only`, the lines without errors are
loaded (shared.services.bulk_import_loading) as the records system named by `--client`,
and the errors found while loading are printed. Exit status 1 when any line had an error.
"""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from shared.extensions import db
from shared.services import api_clients, bulk_import_incidents, bulk_import_loading, bulk_import_rows

SCOPE = "crimes:write"
INCIDENTS_SCOPE = "incidents:write"


def _echo_error(line: int, name: str | None, message: str) -> None:
    click.echo(f"line {line}: {name}: {message}" if name else f"line {line}: {message}", err=True)


def _client(client_id: str, incidents: bool) -> int:
    """The registered records system's primary key; a usage error unless it may write
    crimes (and, with `incidents`, incidents)."""
    client = api_clients.by_client_id(client_id)
    if client is None:
        raise click.BadParameter(
            f"no records system is registered with the client id {client_id}", param_hint="'--client'"
        )
    if not client.active:
        raise click.BadParameter(
            f"the access of {client.name} ({client_id}) is revoked", param_hint="'--client'"
        )
    if SCOPE not in client.scope_list:
        raise click.BadParameter(
            f"{client.name} ({client_id}) may not write crimes (no {SCOPE} scope)", param_hint="'--client'"
        )
    if incidents and INCIDENTS_SCOPE not in client.scope_list:
        raise click.BadParameter(
            f"{client.name} ({client_id}) may not write incidents (no {INCIDENTS_SCOPE} scope)",
            param_hint="'--client'",
        )
    client_pk = client.id
    db.session.remove()
    return client_pk


def _summary(tally: bulk_import_loading.Tally, plan: bulk_import_rows.Plan | None, check_only: bool) -> str:
    errors = len(tally.errors)
    if check_only:
        units = plan.units if plan else 0
        victims = plan.victims if plan else 0
        return (
            f"Checked only, nothing written: {units} crimes and {victims} victims can be loaded; "
            f"{errors} lines with errors."
        )
    c, v = tally.crimes, tally.victims
    return (
        f"Crimes: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged, "
        f"{c['ignored_older']} ignored (older). "
        f"Victims: {v['created']} created, {v['updated']} updated, {v['unchanged']} unchanged, "
        f"{v['ignored_older']} ignored (older). "
        f"Lines with errors: {errors}."
    )


@click.command("import-crimes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--client",
    "client_id",
    required=True,
    help="The client id of the registered records system the file comes from.",
)
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Crimes loaded together: a batch's new crimes are written a statement a table.",
)
@click.option("--check-only", is_flag=True, help="Check every line and report the errors; write nothing.")
@click.option(
    "--incidents",
    "incidents_file",
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
    help="A CSV file of the incidents the crimes were recorded from, loaded before the crimes.",
)
@with_appcontext
def import_crimes_command(
    file: Path, client_id: str, batch_size: int, check_only: bool, incidents_file: Path | None
):
    """Load crimes and their victims from a records system's export: FILE is CSV (.csv)
    or JSON lines (.jsonl, .ndjson). Every line is checked first and each error printed
    with its line number; then the lines without errors are loaded. Loading the same
    file again changes nothing. Exit status 1 when any line had an error."""
    fmt = bulk_import_rows.FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise click.BadParameter(
            "give a .csv, .jsonl or .ndjson file (the format is chosen by the file's extension)",
            param_hint="'FILE'",
        )
    if incidents_file is not None and incidents_file.suffix.lower() != ".csv":
        raise click.BadParameter("give the incidents as a .csv file", param_hint="'--incidents'")
    client_pk = _client(client_id, incidents_file is not None)
    tally = bulk_import_loading.Tally()
    plan = None

    def report(line: int, name: str | None, message: str) -> None:
        tally.error(line, name, message)
        _echo_error(line, name, message)

    with force_locale("en"):
        incidents_loaded = incidents_file is None or _incidents(incidents_file, client_pk, check_only)
        try:
            plan = bulk_import_rows.check(file, fmt, report)
        except bulk_import_rows.FileRefused as refused:
            for number, name, message in refused.errors:
                _echo_error(number, name, message)
            raise click.ClickException(f"{file} cannot be read: nothing was loaded.") from None
        if not check_only:
            with click.progressbar(length=plan.units, label="Loading crimes", file=sys.stderr) as bar:
                bulk_import_loading.load(
                    file, fmt, plan, client_pk, batch_size, tally, loaded=lambda: bar.update(1)
                )
            for number in sorted(tally.errors):
                if number not in plan.bad:
                    for name, message in tally.errors[number]:
                        _echo_error(number, name, message)
    click.echo(_summary(tally, plan, check_only))
    if tally.errors or not incidents_loaded:
        click.get_current_context().exit(1)


def _incidents(path: Path, client_pk: int, check_only: bool) -> bool:
    """Check, then (unless `check_only`) load, the incidents file; each error printed
    with its line number. True when every line was loaded (or could be)."""
    failed = False

    def report(line: int, name: str | None, message: str) -> None:
        nonlocal failed
        failed = True
        click.echo(
            f"{path.name}: " + (f"line {line}: {name}: {message}" if name else f"line {line}: {message}"),
            err=True,
        )

    try:
        ready = bulk_import_incidents.check(path, report)
    except bulk_import_rows.FileRefused as refused:
        for number, name, message in refused.errors:
            report(number, name, message)
        raise click.ClickException(f"{path} cannot be read: nothing was loaded.") from None
    if check_only:
        click.echo(f"Checked only, nothing written: {ready} incidents can be loaded.")
        return not failed
    results = bulk_import_incidents.load(path, client_pk, report)
    click.echo(
        f"Incidents: {results['created']} created, {results['updated']} updated, "
        f"{results['unchanged']} unchanged, {results['ignored_older']} ignored (older)."
    )
    return not failed


def init_app(app) -> None:
    app.cli.add_command(import_crimes_command)
