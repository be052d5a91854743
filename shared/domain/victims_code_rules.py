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
    "court_event": _l("Court event"),
    "sentence": _l("Sentence"),
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
        # --- At court (rights 8, 9 and 11): the Witness Care Unit's duties ---
        Rule(
            "court_told",
            _l("Right 9: to be told the outcome of the case"),
            "M12",
            _l("Victim told of a court event"),
            _l("Being told what happened at court"),
            _l(
                "The Witness Care Unit must tell you about hearings at court, any change to "
                "them and the result, within 1 working day of hearing of it."
            ),
            "court_event",
            "working",
            1,
            1,
            _contact_ways(),
        ),
        Rule(
            "victim_contact_scheme",
            _l("Right 11: to be given information about the offender after a conviction"),
            "M13",
            _l("Referral to the Victim Contact Scheme"),
            _l("Referral to the Victim Contact Scheme"),
            _l(
                "When the offender is sentenced to 12 months or more for a violent or sexual "
                "offence, you can join the probation service’s Victim Contact Scheme. It tells "
                "you about key points of the sentence, such as release, and lets you ask for "
                "conditions on the offender’s licence."
            ),
            "sentence",
            "working",
            20,
            20,
            (
                Way(
                    "referred",
                    _l("Referred to the probation service’s Victim Contact Scheme"),
                    _l("we referred you to the scheme"),
                ),
                Way(
                    "victim_declined",
                    _l("The victim did not want to join the scheme"),
                    _l("you told us you did not want to join the scheme"),
                    DECLINED,
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

# --- Court events (rights 8 and 9): told by the Witness Care Unit ---------------------
# Each is a key event the victim is told of (rule `court_told`), reported through the API
# or entered by staff (shared.services.court); the vocabulary is shared.domain.court.

COURT_EVENTS = {
    "first_hearing_listed": (_l("First hearing listed"), _l("the date of the first hearing at court")),
    "hearing_adjourned": (_l("Hearing adjourned"), _l("a hearing being put off, and why")),
    "trial_listed": (_l("Trial listed"), _l("the date of the trial")),
    "trial_started": (_l("Trial started"), _l("the start of the trial")),
    "verdict": (_l("Verdict"), _l("the verdict")),
    "sentencing_listed": (_l("Sentencing hearing listed"), _l("the date of the sentencing hearing")),
    "sentence": (_l("Sentence"), _l("the sentence")),
}
COURT_TOLD_RULE = "court_told"
# Every event a victim is told of, police's and court's, by its code.
TOLD_EVENTS = {**KEY_EVENTS, **COURT_EVENTS}

# --- The Victim Contact Scheme (right 11) ----------------------------------------------
# Open to the victims of a violent or sexual offence whose offender is sentenced to 12
# months or more in custody, or given a hospital order.
VCS_OFFENCE_GROUPS = frozenset({"violence", "sexual"})
VCS_MIN_MONTHS = 12
VCS_SENTENCE_KINDS = frozenset({"custody", "hospital_order"})
VCS_RULE = "victim_contact_scheme"


def victim_contact_scheme_applies(offence_group: str, sentence_kind: str, months: int | None) -> bool:
    """A sentence that opens the Victim Contact Scheme to the crime's victims."""
    if offence_group not in VCS_OFFENCE_GROUPS or sentence_kind not in VCS_SENTENCE_KINDS:
        return False
    return sentence_kind == "hospital_order" or (months or 0) >= VCS_MIN_MONTHS


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


# --- Victim information requests (Victims and Prisoners Act 2024 s.28) -------------
# Police asking a third party for information about a victim must tell the victim in
# writing what is sought, why and how it will be handled, on or before the request, or
# as soon as reasonably practicable after (shared.domain.information_requests). Due by the
# end of the day of the request (default); a force allowing more time for "as soon as
# reasonably practicable after" sets `info_request_notice` in VICTIMS_CODE_DAYS. Only a
# written way meets it.

TRIGGERS["info_request"] = _l("Request for information about the victim")

RULES["info_request_notice"] = Rule(
    "info_request_notice",
    _l("Being told when we ask others for information about you"),
    "M11",
    _l("Victim told in writing of a request for their information"),
    _l("Written notice that we asked someone for information about you"),
    _l(
        "If we ask someone else, such as a counsellor, a school, a doctor or social services, "
        "for information about you, we must tell you in writing what we are asking for, why, "
        "and how we will handle it. We must do this before we ask, or as soon as we "
        "reasonably can after. If you are under 18, we tell your parent or guardian."
    ),
    "info_request",
    "working",
    0,
    0,
    (
        Way("letter", _l("Written notice sent by letter"), _l("in a letter")),
        Way("email", _l("Written notice sent by email"), _l("by email")),
        Way(
            "secure_message",
            _l("Written notice sent as a secure message on this service"),
            _l("in a message on this service"),
        ),
        Way(
            "in_person", _l("Written notice handed over in person"), _l("in writing, handed to you in person")
        ),
        Way(
            "intermediary",
            _l("Written notice given through an intermediary"),
            _l("in writing, through the person supporting you"),
        ),
        Way(
            "safe_address",
            _l("Written notice sent by letter to a safe address"),
            _l("in a letter to the address you gave us"),
        ),
    ),
)

# The notice may be given before the request it is about: it is met from the crime's report on.
MET_BEFORE_TRIGGER = frozenset({"info_request_notice"})
# The ways that are safe routes, for a victim who is not safe to contact.
SAFE_ROUTE_WAYS = {"intermediary": "intermediary", "in_person": "in_person", "safe_address": "safe_address"}
SYSTEM_REASONS["before_in_force"] = _l(
    "The request was made before the duty came into force on 12 January 2026"
)
METRICS["M11"] = _l("Victims told in writing of requests for their information, by the day of the request")
# At court: the Witness Care Unit's duty (rights 8 and 9) and the Victim Contact Scheme
# referral after a sentence (right 11).
METRICS["M12"] = _l("Victims told of court events within 1 working day (the Witness Care Unit)")
METRICS["M13"] = _l("Referred to the Victim Contact Scheme on time after a qualifying sentence")
