"""Command-line task: `flask audit-results AUDIT_ID`, a crime data integrity audit's
results (the figures the back office shows), as text or, with `--csv`, as CSV."""

import click
from flask_babel import force_locale

from shared.services import cdi_audit_results, cdi_audit_results_export, cdi_audits


@click.command("audit-results")
@click.argument("audit_id", type=click.IntRange(min=1))
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, as the back office's download.")
def audit_results_command(audit_id, as_csv):
    """Print the results of the crime data integrity audit AUDIT_ID."""
    with force_locale("en"):
        found = cdi_audits.get_audit(audit_id)
        if found is None:
            raise click.UsageError(f"There is no audit {audit_id}.")
        results = cdi_audit_results.results(found)
        if as_csv:
            click.echo(cdi_audit_results_export.csv_text(results), nl=False)
        else:
            click.echo("\n".join(cdi_audit_results_export.text_lines(results)))


def init_app(app) -> None:
    app.cli.add_command(audit_results_command)
