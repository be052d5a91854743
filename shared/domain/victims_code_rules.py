"""The Victims' Code as data: what is owed to each victim, when, and how it can be met.

This module is the one place the rules live (victims-code.md). The engine in
`shared.services.entitlements` reads it; the views and reports only show it. Timescales
marked "default" in the Code reference are a force's to change through the
VICTIMS_CODE_DAYS setting (see `shared.domain.code_versions.timescales`); none is
written into a view. `RULES` are the rules of the 2020 Code; a later Code is a rule set
of its own beside them (shared.domain.code_versions).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from shared.domain.numbers import whole_number
from shared.translation import lazy_gettext as _l

# --- Ways an entitlement is met ------------------------------------------------------

MET, DECLINED = "met", "declined"


@dataclass(frozen=True)
class Way:
    code: str
    label: object  # for staff, in the "what was done" form
    victim_text: object  # for the victim: how it was done, in plain words
    result: str = MET  # MET, or DECLINED (the victim declined: out of the rate)
    needs_detail: bool = False  # the form asks which service (referrals)


def _contact_ways() -> tuple[Way, ...]:
    return (
        Way("phone", _l("Told by phone"), _l("by phone")),
        Way("visit", _l("Told in person"), _l("in person")),
        Way("letter", _l("Told by letter"), _l("by letter")),
        Way("email", _l("Told by email"), _l("by email")),
        Way("sms", _l("Told by text message"), _l("by text message")),
    )


# Met by the service itself: an update the victim can read, posted to a victim who uses
# the portal. Never offered in a form.
PORTAL_WAY = Way("portal", _l("Update posted to the victim’s online account"), _l("online, on this service"))


@dataclass(frozen=True)
class Rule:
    code: str
    right: object  # the right in the Code it comes from, as the victim reads it
    metric: str  # the compliance metric it counts towards (victims-code.md section 8)
    label: object  # for staff
    victim_label: object  # for the victim
    victim_text: object  # what the right means, in plain words
    trigger: str  # what starts it; see TRIGGERS
    clock: str  # "working": working days; "calendar": calendar days; "charge": by the charge
    days: int | None  # default timescale, standard rights
    enhanced_days: int | None  # default timescale, enhanced rights
    ways: tuple[Way, ...]


TRIGGERS = {
    "recorded": _l("Crime recorded"),
    "reported": _l("Crime reported"),
    "key_event": _l("Key event"),
    "contact_plan": _l("Contact plan"),
    "victim_request": _l("Update asked for by the victim"),
    "complaint": _l("Complaint received"),
    "vrr_request": _l("Review requested"),
}

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "acknowledgement",
            _l("Right 3: information when you report a crime"),
            "M1",
            _l("Written acknowledgement"),
            _l("Written confirmation of your report"),
            _l(
                "We must send you written confirmation of the crime you reported: the crime "
                "reference, the offence, the officer in charge and how to contact them, and "
                "information about support, compensation and restorative justice."
            ),
            "recorded",
            "working",
            5,
            5,
            (
                Way("email", _l("Sent by email"), _l("by email")),
                Way("letter", _l("Sent by letter"), _l("by letter")),
                Way("in_person", _l("Given in person"), _l("in person")),
                Way("sms", _l("Sent by text message"), _l("by text message")),
            ),
        ),
        Rule(
            "needs_assessment",
            _l("Right 4: to be referred to support services"),
            "M2",
            _l("Needs assessment"),
            _l("Assessment of the support you need"),
            _l(
                "We must ask what support you need, and whether you are entitled to "
                "enhanced rights, such as being told about decisions sooner."
            ),
            "recorded",
            "working",
            2,
            2,
            (
                Way(
                    "needs_identified", _l("Assessed: support needs identified"), _l("we assessed your needs")
                ),
                Way("no_needs", _l("Assessed: no support needs"), _l("we assessed your needs")),
                Way(
                    "victim_declined",
                    _l("The victim declined the assessment"),
                    _l("you told us you did not want an assessment"),
                    DECLINED,
                ),
            ),
        ),
        Rule(
            "referral",
            _l("Right 4: to be referred to support services"),
            "M3",
            _l("Referral to support services"),
            _l("Referral to a support service"),
            _l(
                "We must refer you to a service that supports victims within 2 working days "
                "of your report, unless you do not want us to. You can ask for support at "
                "any time, even if you did not want it before."
            ),
            "reported",
            "working",
            2,
            2,
            (
                Way("referred", _l("Referred"), _l("we referred you"), MET, True),
                Way(
                    "victim_declined",
                    _l("The victim declined a referral"),
                    _l("you told us you did not want a referral"),
                    DECLINED,
                ),
                Way(
                    "no_consent",
                    _l("The victim did not consent to a referral"),
                    _l("you did not give consent for a referral"),
                    DECLINED,
                ),
            ),
        ),
        Rule(
            "vps_offer",
            _l("Right 7: to make a Victim Personal Statement"),
            "M4",
            _l("Victim Personal Statement offered"),
            _l("The offer to make a Victim Personal Statement"),
            _l(
                "A Victim Personal Statement lets you say, in your own words, how the crime "
                "has affected you. We must explain it and offer you the chance to make one, "
                "at the latest when someone is charged."
            ),
            "recorded",
            "charge",
            None,
            None,
            (
                Way("offered", _l("Offered"), _l("we offered you the chance to make one")),
                Way("made", _l("Statement made"), _l("you made a statement")),
                Way(
                    "declined_by_victim",
                    _l("Offered, and the victim chose not to make one"),
                    _l("you chose not to make one"),
                ),
            ),
        ),
        Rule(
            "event_told",
            _l("Right 6: to be given information about the investigation"),
            "M5",
            _l("Victim told of a key decision"),
            _l("Being told about an important decision"),
            _l(
                "We must tell you about important decisions, such as an arrest, a suspect "
                "being released, or a charge, within 5 working days, or 1 working day if "
                "you are entitled to enhanced rights."
            ),
            "key_event",
            "working",
            5,
            1,
            _contact_ways(),
        ),
        Rule(
            "contact_update",
            _l("Right 6: to be given information about the investigation"),
            "M7",
            _l("Agreed update"),
            _l("A regular update"),
            _l(
                "We agree with you how often you will hear from us and how. We must keep to "
                "that, and tell you if we cannot. You can change how often at any time."
            ),
            "contact_plan",
            "calendar",
            28,
            28,
            _contact_ways(),
        ),
        Rule(
            "update_request",
            _l("Right 6: to be given information about the investigation"),
            "M7",
            _l("Update asked for by the victim"),
            _l("An answer to your request for an update"),
            _l(
                "You can ask for an update on your case at any time. The officer in charge "
                "must answer you by the date we give you when you ask."
            ),
            "victim_request",
            "working",
            2,
            2,
            _contact_ways(),
        ),
        Rule(
            "complaint",
            _l("Right 12: to make a complaint"),
            "M8",
            _l("Complaint acknowledged"),
            _l("An answer to your complaint"),
            _l(
                "If you think we have not kept to the Victims’ Code, you can complain. We "
                "must acknowledge or answer your complaint within 10 working days."
            ),
            "complaint",
            "working",
            10,
            10,
            (
                Way("acknowledged", _l("Complaint acknowledged"), _l("we acknowledged your complaint")),
                Way("answered", _l("Complaint answered"), _l("we answered your complaint")),
            ),
        ),
        Rule(
            "vrr_acknowledge",
            _l("The Victims’ Right to Review"),
            "M9",
            _l("Review request acknowledged"),
            _l("Acknowledgement of your request for a review"),
            _l("We must acknowledge your request for a review within 10 working days."),
            "vrr_request",
            "working",
            10,
            10,
            (Way("acknowledged", _l("Request acknowledged"), _l("we acknowledged your request")),),
        ),
        Rule(
            "vrr_decide",
            _l("The Victims’ Right to Review"),
            "M9",
            _l("Review decided"),
            _l("A decision on your request for a review"),
            _l("We must tell you the result of the review within 30 working days of your request."),
            "vrr_request",
            "working",
            30,
            30,
            (
                Way(
                    "upheld",
                    _l("Review upheld: the decision is overturned"),
                    _l("the review found the decision was wrong"),
                ),
                Way(
                    "not_upheld",
                    _l("Review not upheld: the decision stands"),
                    _l("the review found the decision was right"),
                ),
            ),
        ),
    )
}

# The rules opened for each victim when they are added to a crime.
ON_RECORDING = ("acknowledgement", "needs_assessment", "referral", "vps_offer")

# Why an entitlement does not apply, when the service decides it.
SYSTEM_REASONS = {
    "investigation_finished": _l("The investigation has finished"),
    "crime_cancelled": _l("The crime was cancelled"),
    "not_charged": _l("No one was charged"),
    "opted_out": _l("The victim asked not to receive regular updates"),
}

# --- Key events (victims-code.md section 4) ------------------------------------------

KEY_EVENTS = {
    "not_investigated": (_l("Decision not to investigate"), _l("our decision not to investigate further")),
    "arrest": (_l("Suspect arrested"), _l("the arrest of a suspect")),
    "interview": (_l("Suspect interviewed"), _l("the interview of a suspect")),
    "released_nfa": (_l("Released with no further action"), _l("a decision to take no further action")),
    "bail": (_l("Released on bail"), _l("a suspect being released on bail")),
    "released_under_investigation": (
        _l("Released under investigation"),
        _l("a suspect being released while we investigate"),
    ),
    "bail_changed": (_l("Bail conditions changed or cancelled"), _l("a change to bail conditions")),
    "charge": (_l("Charged or summonsed"), _l("a charge or summons")),
    "out_of_court": (_l("Out-of-court disposal"), _l("an out-of-court disposal, such as a caution")),
    "cancelled": (_l("Crime cancelled"), _l("the cancellation of the crime record")),
}
M6_EVENTS = frozenset({"not_investigated"})


def outcome_event(outcome: int) -> str:
    """The key event a Home Office outcome tells the victim of."""
    if outcome == 1:
        return "charge"
    if outcome in (2, 3, 6, 7, 8, 22):
        return "out_of_court"
    if outcome in (18, 19):
        return "not_investigated"
    return "released_nfa"


# --- Enhanced rights (victims-code.md section 3) -------------------------------------

ENHANCED_CATEGORIES = {
    "most_serious": _l("Victim of the most serious crime"),
    "persistently_targeted": _l("Persistently targeted"),
    "vulnerable": _l("Vulnerable"),
    "intimidated": _l("Intimidated"),
}

ENHANCED_REASONS = {
    "most_serious": {
        "offence": _l("The offence is one of the most serious crimes"),
        "bereaved": _l("Bereaved close relative"),
        "domestic_abuse": _l("Domestic abuse"),
        "hate_crime": _l("Hate crime"),
        "terrorism": _l("Terrorism"),
    },
    "persistently_targeted": {"assessed": _l("Repeatedly or deliberately targeted")},
    "vulnerable": {
        "under_18": _l("Under 18"),
        "assessed": _l(
            "Evidence likely to be affected by a mental disorder, impairment or physical disability"
        ),
    },
    "intimidated": {
        "offence": _l("Complainant of a sexual offence or trafficking"),
        "assessed": _l("Fear or distress about giving evidence"),
    },
}

# Derived automatically: the reasons a victim has enhanced rights without an assessment.
DERIVED_REASONS = frozenset(
    {("most_serious", "offence"), ("vulnerable", "under_18"), ("intimidated", "offence")}
)

MOST_SERIOUS_OFFENCES = frozenset(
    {
        "attempted_murder",
        "kidnap",
        "gbh_with_intent",
        "arson_endangering_life",
        "rape",
        "sexual_assault",
        "modern_slavery",
        "coercive_control",
        "hate_public_order",
    }
)
INTIMIDATED_OFFENCE_GROUPS = frozenset({"sexual"})
INTIMIDATED_OFFENCES = frozenset({"modern_slavery"})

# Referral needs the victim's explicit consent for these (default).
CONSENT_OFFENCE_GROUPS = frozenset({"sexual"})
CONSENT_OFFENCES = frozenset({"coercive_control"})
CONSENT_REASONS = frozenset({("most_serious", "domestic_abuse"), ("most_serious", "bereaved")})

SUPPORT_SERVICES = {
    "victim_support": _l("Victim Support"),
    "idva": _l("Independent domestic violence adviser (IDVA) service"),
    "isva": _l("Independent sexual violence adviser (ISVA) or sexual assault referral centre"),
    "homicide": _l("Homicide Service for bereaved families"),
    "children": _l("Children and young people’s service"),
    "hate_crime": _l("Hate crime support service"),
    "other": _l("Another local support service"),
}

# --- Cancellation (victims-code.md section 6) -----------------------------------------

CANCELLATION_REASONS = {
    "C1": (
        _l("C1: transferred to another force (outside this force’s area)"),
        _l(
            "The crime happened outside our area, so we have passed it to the police force "
            "for the area where it happened. They will contact you about it."
        ),
    ),
    "C2": (
        _l("C2: additional verifiable information shows no notifiable crime occurred"),
        _l(
            "We have found further information that shows no crime took place, so the "
            "crime record has been cancelled."
        ),
    ),
    "C3": (
        _l("C3: duplicate, or part of a crime already recorded"),
        _l(
            "This crime was already recorded under another reference, so this record has "
            "been cancelled. The investigation continues under the other record."
        ),
    ),
    "C4": (
        _l("C4: recorded in error"),
        _l("This crime was recorded by mistake, so the crime record has been cancelled."),
    ),
}

# --- The Victims' Right to Review ----------------------------------------------------

# Police decisions not to charge where a suspect was identified: the review applies when
# the suspect was also interviewed under caution (arrest or interview recorded).
VRR_OUTCOMES = frozenset({10, 15, 16, 21})
VRR_INTERVIEW_EVENTS = frozenset({"arrest", "interview"})
VRR_REQUEST_MONTHS = 3

# --- Complaints (Right 12) -----------------------------------------------------------

# A complaint about an officer's conduct goes to the force's professional standards
# department; a review of how it was handled is asked for within 28 days of being told
# the outcome (Police (Complaints and Misconduct) Regulations 2020, reg. 29).
CONDUCT_REVIEW_DAYS = 28

# --- Compliance metrics (victims-code.md section 8) ----------------------------------

METRICS = {
    "M1": _l("Written acknowledgement sent within 5 working days of recording"),
    "M2": _l("Needs assessment recorded"),
    "M3": _l("Referred to support within 2 working days (declined referrals excluded)"),
    "M4": _l("Victim Personal Statement offered"),
    "M5": _l("Key decisions told within 5 working days, or 1 for enhanced rights"),
    "M6": _l("Decisions not to investigate explained on time"),
    "M7": _l("Agreed contact-plan updates made on time"),
    "M8": _l("Complaints acknowledged within 10 working days"),
    "M9A": _l("Review requests acknowledged within 10 working days"),
    "M9D": _l("Review requests decided within 30 working days"),
    # Not one of the Code reference's metrics: the victims' own requests for an update
    # (Right 6), made online, each answered within the force's working days.
    "M10": _l("Requests for an update answered on time"),
}

STATUSES = {
    "pending": _l("Not yet due"),
    "met_on_time": _l("Met on time"),
    "met_late": _l("Met late"),
    "overdue": _l("Overdue"),
    "declined": _l("Declined"),
    "not_applicable": _l("Does not apply"),
}


def timescale_key(rule: str, enhanced: bool) -> str:
    return f"{rule}_enhanced" if enhanced else rule


def default_timescales(rules: Mapping[str, Rule] | None = None) -> dict[str, int]:
    """Every configurable timescale of `rules` (the 2020 Code's when None) with its
    default: `rule` and `rule_enhanced`."""
    out: dict[str, int] = {}
    for rule in (RULES if rules is None else rules).values():
        if rule.days is not None:
            out[rule.code] = rule.days
        if rule.enhanced_days is not None:
            out[f"{rule.code}_enhanced"] = rule.enhanced_days
    return out


# How often, in days, a victim may choose online to be updated (Right 6: "at a frequency
# agreed with the victim"); a force sets its own with UPDATE_FREQUENCY_CHOICES. The officer
# can agree any frequency from 1 to 365 days in the back office.
DEFAULT_UPDATE_FREQUENCY_CHOICES = (7, 14, 28, 56)


def update_frequency_choices(value: str | None) -> tuple[int, ...]:
    """UPDATE_FREQUENCY_CHOICES (`7,14,28`) as days, in order, or the default. Raises
    ValueError for an entry that is not a whole number of days from 1 to 365."""
    entries = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not entries:
        return DEFAULT_UPDATE_FREQUENCY_CHOICES
    days = [whole_number(entry, low=1, high=365) for entry in entries]
    if any(day is None for day in days):
        raise ValueError(
            "UPDATE_FREQUENCY_CHOICES: each must be a whole number of days from 1 to 365, e.g. 7,14,28"
        )
    return tuple(sorted({day for day in days if day is not None}))
