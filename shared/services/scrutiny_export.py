"""A scrutiny sample's results written out as CSV: the cases by grade and the findings by
criterion, as the back office's results tables show them. Counts and labels only, never
a case: the panel downloads the same file as the registrar's team. Written with the
compliance report's conventions (shared.services.report_export): a byte order mark,
every cell quoted and safe to open in a spreadsheet program."""

import io

from shared.domain.scrutiny import CRITERIA, FINDINGS, GRADES
from shared.models import ScrutinySample
from shared.services.scrutiny import Results, results
from shared.services.spreadsheet import safe_cell, writer
from shared.translation import gettext as _


def csv_header() -> list[str]:
    return [_("Table"), _("Grade or criterion"), _("Finding"), _("Cases")]


def to_csv_rows(found: Results) -> list[list[str]]:
    """The header, the sample's cases and how many are graded, a row per grade, then a
    row per criterion and finding."""
    by_grade, by_criterion = _("Cases by grade"), _("Findings by criterion")
    rows: list[list[object]] = [
        [_("Sample"), _("Cases drawn"), "", found.cases],
        [_("Sample"), _("Cases graded"), "", found.graded],
    ]
    rows += [[by_grade, label, "", found.by_grade[code]] for code, label in GRADES.items()]
    rows += [
        [by_criterion, label, FINDINGS[finding], found.by_criterion[criterion][finding]]
        for criterion, label in CRITERIA.items()
        for finding in FINDINGS
    ]
    return [csv_header()] + [[safe_cell(cell) for cell in row] for row in rows]


def csv_text(sample: ScrutinySample) -> str:
    """The sample's results as CSV text, with a byte order mark for spreadsheet programs."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer(buffer).writerows(to_csv_rows(results(sample)))
    return buffer.getvalue()
