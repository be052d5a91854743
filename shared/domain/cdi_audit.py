"""Crime data integrity audits (victims-code.md section 6): the strata an audit samples,
how incidents and crimes fall into them, and the checklist each kind of record is judged
against. The database holds only codes; each reader sees the label in their language."""

from shared.domain.scrutiny import CRITERIA as DISPOSAL_CRITERIA
from shared.translation import lazy_gettext as _l

# The strata, in the order the inspectorate reports them.
STRATA = {
    "violence": _l("Violence, including harassment, stalking and controlling behaviour"),
    "sexual": _l("Sexual offences"),
    "rape": _l("Rape, including N100 records"),
    "robbery": _l("Robbery"),
    "modern_slavery": _l("Modern slavery"),
    "cancelled": _l("Cancelled crimes"),
    "out_of_court": _l("Out-of-court disposals"),
}

# An incident falls into a stratum by an offence recorded from it first (rape, modern
# slavery: each its own stratum though its offence group is wider), then by an N100 flag
# (rape), then by the offence group it disclosed. Harassment, stalking and controlling or
# coercive behaviour are in the violence group, so in the violence stratum.
OFFENCE_STRATA = {"rape": "rape", "modern_slavery": "modern_slavery"}
GROUP_STRATA = {"violence": "violence", "sexual": "sexual", "robbery": "robbery"}

# The routes an auditable incident comes by (shared.domain.incident_reference).
AUDITABLE_ROUTES = ("control_room", "recording_centre", "online")

# The strata whose records are crimes; the others' are incidents.
CRIME_STRATA = frozenset({"cancelled", "out_of_court"})


def kind_of(stratum: str) -> str:
    return "crime" if stratum in CRIME_STRATA else "incident"


ANSWERS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "not_applicable": _l("Not applicable"),
}

INCIDENT_CHECKLIST = {
    "should_record": _l("A crime should have been recorded"),
    "within_24_hours": _l("It was recorded within 24 hours"),
    "classification": _l("The classification is right"),
    "all_crimes": _l("Every crime the incident disclosed was recorded"),
    "written_reason": _l("Where no crime was recorded, a proper written reason is given"),
    "n100_resolved": _l("An N100 record was resolved correctly"),
}

CANCELLATION_CHECKLIST = {
    "valid_reason": _l("A valid reason (C1 to C4) is evidenced by additional verifiable information"),
    "right_authoriser": _l("The cancellation was authorised at the right level"),
    "victim_told": _l("The victim was told, with an explanation"),
}


def checklist(stratum: str) -> dict:
    """The questions a record of this stratum is judged by."""
    if stratum == "cancelled":
        return CANCELLATION_CHECKLIST
    if stratum == "out_of_court":
        return DISPOSAL_CRITERIA
    return INCIDENT_CHECKLIST
