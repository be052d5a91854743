"""What follows a failed judgement of a crime data integrity audit (victims-code.md
section 6): what to put right for each checklist question answered "no", and the statuses
of putting a finding right. The database holds only codes; each reader sees the label in
their language."""

from flask_babel.speaklater import LazyString

from shared.translation import lazy_gettext as _l

PUT_RIGHT_STATUSES = {
    "open": _l("Open"),
    "put_right": _l("Put right"),
    "cannot": _l("Cannot be put right"),
}

# For each question of every checklist (shared.domain.cdi_audit), what the officer or
# team whose record failed it does to put it right.
PUT_RIGHT = {
    "should_record": _l("Record the crime, or write down the credible evidence that no crime occurred"),
    "within_24_hours": _l(
        "Find out why the crime was not recorded within 24 hours and say how the team will avoid it"
    ),
    "classification": _l("Reclassify the crime under the counting rules"),
    "all_crimes": _l("Record every crime the incident disclosed, under the principal crime rule"),
    "written_reason": _l("Write down the reason no crime was recorded"),
    "n100_resolved": _l("Resolve the N100 record: record the rape, or write down why not"),
    "valid_reason": _l("Reinstate the crime, or add the verifiable information that shows no crime occurred"),
    "right_authoriser": _l("Have the cancellation authorised at the right level"),
    "victim_told": _l("Tell the victim about the cancellation, with an explanation"),
    "victim_views": _l("Seek the victim’s views and record them"),
    "offender_history": _l("Check the offender’s history and record what it shows"),
    "evidential_threshold": _l("Review whether the evidence met the threshold for the disposal"),
    "admission": _l("Review the disposal: an admission was required"),
    "proportionality": _l("Review whether the disposal was proportionate"),
    "sergeant_approval": _l("Have a sergeant review and approve the disposal"),
}


def put_right(question: str) -> LazyString:
    """What to put right when a record fails this question."""
    return PUT_RIGHT.get(question, _l("Put right what the auditor found"))
