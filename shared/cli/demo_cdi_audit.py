"""Demo data: a crime data integrity audit in progress, drawn by the force crime
registrar over the demo's last six months, with some records judged by the crime data
auditor and one finding superseded by the registrar."""

from datetime import datetime, timedelta

from shared.domain.cdi_audit import checklist
from shared.models import StaffMember
from shared.services import calendar, cdi_audits

# How many records to draw from each stratum the demo's frame holds.
PER_STRATUM = 3


def load(staff: list[StaffMember], now: datetime) -> None:
    by_name = {member.name: member for member in staff}
    fcr, auditor = by_name["Martin Okafor"], by_name["Rhian Davies"]
    today = calendar.local_date(now)
    start = today - timedelta(days=180)
    sizes = {
        stratum: min(PER_STRATUM, size)
        for stratum, size in cdi_audits.frame_sizes(start, today).items()
        if size
    }
    if not sizes:
        return
    audit = cdi_audits.create_audit(
        "Crime data integrity audit, first half year", start, today, sizes, 2026, fcr
    )
    first, second = cdi_audits.record_at(audit, 1), cdi_audits.record_at(audit, 2)
    for record, compliant, note in (
        (first, "yes", "Recorded within the day, classification right."),
        (second, "no", "The incident disclosed a second crime that was not recorded."),
    ):
        if record is None:
            continue
        answers: dict[str, str | None] = dict.fromkeys(checklist(record.stratum), "yes")
        if compliant == "no":
            answers[next(iter(answers))] = "no"
        cdi_audits.judge(record, answers, compliant, note, auditor)
    if first is not None:
        cdi_audits.judge(
            first,
            dict.fromkeys(checklist(first.stratum), "yes"),
            "yes",
            "Checked again against the call log: confirmed.",
            fcr,
        )
