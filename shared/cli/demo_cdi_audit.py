"""Demo data: a crime data integrity audit in progress, drawn by the force crime
registrar over the demo's last six months, with some records judged by the crime data
auditor and one finding superseded by the registrar; one failed record disputed by the
officer or team whose record it is and ruled on, finally, by the registrar; another
failed record put right."""

from datetime import datetime, timedelta

from shared.domain.cdi_audit import checklist
from shared.models import CdiAudit, StaffMember
from shared.services import calendar, cdi_audits, cdi_findings, cdi_rulings

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
    first, second, third = (cdi_audits.record_at(audit, position) for position in (1, 2, 3))
    for record, compliant, note in (
        (first, "yes", "Recorded within the day, classification right."),
        (second, "no", "The incident disclosed a second crime that was not recorded."),
        (third, "no", "Recorded two days after the report."),
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
    _dispute_and_put_right(audit, staff, fcr)


def _answerer(audit: CdiAudit, position: int, staff: list[StaffMember]):
    """The finding on the record at this place, and someone who answers for it (the
    officer whose record it is, or a supervisor of its team), if there are both."""
    for member in staff:
        finding = cdi_findings.finding(member, audit, position)
        if finding is not None and cdi_findings.may_answer(member, finding):
            return finding, member
    return None, None


def _dispute_and_put_right(audit: CdiAudit, staff: list[StaffMember], fcr: StaffMember) -> None:
    disputed, by = _answerer(audit, 2, staff)
    if disputed is not None and by is not None:
        cdi_rulings.dispute(
            disputed, "The second matter was recorded on the related incident the same day.", by
        )
        cdi_rulings.rule(
            disputed.record,
            dict(disputed.judgement.answers),
            "no",
            "Upheld: the related incident is another victim's; this one's crime was never recorded.",
            fcr,
        )
    fixed, by = _answerer(audit, 3, staff)
    if fixed is not None and by is not None:
        cdi_findings.put_right(
            fixed, "put_right", "Spoke to the team about the 24-hour rule; checked since.", by
        )
