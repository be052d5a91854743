"""Command-line task: `flask compliance-report`, the force's Victims' Code compliance
report for the Police and Crime Commissioner, as CSV or JSON on standard output."""

import json

import click
from flask_babel import force_locale

from shared.services import report_export, reports
from shared.services.errors import ServiceError


@click.command("compliance-report")
@click.option(
    "--from", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="First day, YYYY-MM-DD."
)
@click.option(
    "--to",
    "end",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day, YYYY-MM-DD (included).",
)
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--split", type=click.Choice(list(reports.SPLITS)), default="none", show_default=True)
def compliance_report_command(start, end, output, split):
    """Print the whole force's compliance report for a period (UK dates, both included)."""
    with force_locale("en"):
        try:
            report = reports.compliance(None, start.date(), end.date(), split)
            trend = (
                reports.trend(None, start.date(), end.date(), now=report.now) if output == "json" else None
            )
        except ServiceError as error:
            raise click.UsageError(str(error.message)) from None
        if output == "json":
            click.echo(json.dumps(report_export.to_dict(report, trend), indent=2, ensure_ascii=False))
        else:
            click.echo(report_export.csv_text(report), nl=False)


def init_app(app) -> None:
    app.cli.add_command(compliance_report_command)
