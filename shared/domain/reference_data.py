"""Reference data: offences, offence groups, stages, outcomes, kinds of update and the
languages the service speaks.

Every label is translatable and is looked up here by code, so the database holds only
codes and each reader sees words in their own language.
"""

from dataclasses import dataclass

from shared.domain.court import COURT_EVENT_KINDS
from shared.translation import lazy_gettext as _l


@dataclass(frozen=True)
class Stage:
    code: str
    label: object  # for staff
    victim_label: object  # for the victim, in plain words
    next_steps: object  # what happens next, for the victim


STAGES = {
    s.code: s
    for s in (
        Stage(
            "reported",
            _l("Reported"),
            _l("We have received your report"),
            _l(
                "An officer will look at what you told us and decide how to investigate. "
                "We will contact you to tell you what happens next."
            ),
        ),
        Stage(
            "under_investigation",
            _l("Under investigation"),
            _l("We are investigating"),
            _l(
                "The officer in charge is gathering evidence, such as statements, CCTV or "
                "forensic results. We will tell you about any important decision, such as "
                "an arrest."
            ),
        ),
        Stage(
            "suspect_identified",
            _l("Suspect identified"),
            _l("We have identified a suspect"),
            _l(
                "We will decide whether to arrest or interview the suspect. We will tell "
                "you when that happens and what it means for you."
            ),
        ),
        Stage(
            "awaiting_decision",
            _l("Awaiting charging decision"),
            _l("We are waiting for a decision on whether to charge"),
            _l(
                "The police or the Crown Prosecution Service are deciding whether there is "
                "enough evidence to charge the suspect. We will tell you the decision."
            ),
        ),
        Stage(
            "charged",
            _l("Charged"),
            _l("Someone has been charged"),
            _l(
                "The case will go to court. The Witness Care Unit will contact you about "
                "court dates and whether you need to give evidence."
            ),
        ),
        Stage(
            "at_court",
            _l("At court"),
            _l("The case is at court"),
            _l(
                "The court will decide the case. The Witness Care Unit will tell you about "
                "hearings and the result."
            ),
        ),
        Stage(
            "cancelled",
            _l("Cancelled"),
            _l("The crime record has been cancelled"),
            _l(
                "We will not investigate this crime record any further. This page explains "
                "why. If you disagree, or have new information, contact the officer in charge."
            ),
        ),
        Stage(
            "closed",
            _l("Closed"),
            _l("The investigation has finished"),
            _l(
                "The outcome is shown on this page. If you disagree with a decision not to "
                "charge, you can ask the officer in charge how to ask for a review."
            ),
        ),
    )
}

# Stages a crime reaches only by recording an outcome or cancelling the record.
FINAL_STAGES = frozenset({"closed", "cancelled"})

OFFENCE_GROUPS = {
    "violence": _l("Violence against the person"),
    "sexual": _l("Sexual offences"),
    "robbery": _l("Robbery"),
    "theft": _l("Theft offences"),
    "damage": _l("Criminal damage and arson"),
    "drugs": _l("Drug offences"),
    "weapons": _l("Possession of weapons offences"),
    "public_order": _l("Public order offences"),
    "society": _l("Miscellaneous crimes against society"),
    "fraud": _l("Fraud offences"),
}


@dataclass(frozen=True)
class Offence:
    code: str
    label: object
    group: str


OFFENCES = {
    o.code: o
    for o in (
        Offence("common_assault", _l("Common assault"), "violence"),
        Offence("abh", _l("Assault occasioning actual bodily harm"), "violence"),
        Offence("gbh_with_intent", _l("Wounding or grievous bodily harm with intent"), "violence"),
        Offence("attempted_murder", _l("Attempted murder"), "violence"),
        Offence("kidnap", _l("Kidnapping"), "violence"),
        Offence("harassment", _l("Harassment"), "violence"),
        Offence("stalking", _l("Stalking"), "violence"),
        Offence("coercive_control", _l("Controlling or coercive behaviour"), "violence"),
        Offence("malicious_communications", _l("Malicious communications"), "violence"),
        Offence("modern_slavery", _l("Modern slavery or human trafficking"), "violence"),
        Offence("rape", _l("Rape"), "sexual"),
        Offence("sexual_assault", _l("Sexual assault"), "sexual"),
        Offence("robbery_personal", _l("Robbery of personal property"), "robbery"),
        Offence("robbery_business", _l("Robbery of business property"), "robbery"),
        Offence("burglary_residential", _l("Residential burglary"), "theft"),
        Offence("burglary_business", _l("Burglary of business premises"), "theft"),
        Offence("vehicle_theft", _l("Theft of a motor vehicle"), "theft"),
        Offence("theft_from_vehicle", _l("Theft from a vehicle"), "theft"),
        Offence("bicycle_theft", _l("Bicycle theft"), "theft"),
        Offence("theft_from_person", _l("Theft from the person"), "theft"),
        Offence("shoplifting", _l("Shoplifting"), "theft"),
        Offence("other_theft", _l("Other theft"), "theft"),
        Offence("criminal_damage", _l("Criminal damage"), "damage"),
        Offence("arson_endangering_life", _l("Arson endangering life"), "damage"),
        Offence("arson", _l("Arson not endangering life"), "damage"),
        Offence("drug_supply", _l("Supplying controlled drugs"), "drugs"),
        Offence("blade_possession", _l("Possession of a blade or point"), "weapons"),
        Offence("public_fear", _l("Causing fear, alarm or distress"), "public_order"),
        Offence(
            "hate_public_order", _l("Racially or religiously aggravated public order offence"), "public_order"
        ),
        Offence("perverting_justice", _l("Perverting the course of justice"), "society"),
        Offence("fraud_false_representation", _l("Fraud by false representation"), "fraud"),
    )
}


# The gravity of an offence decides who may authorise cancelling its record (the May 2023
# crime recording rules; shared.domain.cancellation_authority). Each offence takes its
# group's band unless it is named in OFFENCE_GRAVITY; a group not in GROUP_GRAVITY is
# standard.
GRAVITY_BANDS = {
    "standard": _l("Standard"),
    "serious": _l("Serious"),
    "most_serious": _l("Most serious"),
}
GROUP_GRAVITY = {"sexual": "serious", "robbery": "serious"}
OFFENCE_GRAVITY = {
    # Rape and homicide-related offences, and modern slavery: the records whose wrongful
    # cancellation the inspectorate found most harmful.
    "rape": "most_serious",
    "attempted_murder": "most_serious",
    "modern_slavery": "most_serious",
    # Serious violence, and the conduct crimes of domestic abuse.
    "gbh_with_intent": "serious",
    "kidnap": "serious",
    "stalking": "serious",
    "coercive_control": "serious",
    "arson_endangering_life": "serious",
}


# The band of an offence the reference data does not know: the strictest rule applies.
UNKNOWN_GRAVITY = "most_serious"


def gravity_of(offence: str) -> str:
    """The gravity band of an offence code. An offence the reference data does not know
    is taken as most serious, so only the strictest rule can cancel its record."""
    if offence in OFFENCE_GRAVITY:
        return OFFENCE_GRAVITY[offence]
    known = OFFENCES.get(offence)
    if known is None:
        return UNKNOWN_GRAVITY
    return GROUP_GRAVITY.get(known.group, "standard")


@dataclass(frozen=True)
class Outcome:
    code: int
    label: object  # the Home Office outcome, for staff
    victim_text: object  # the same outcome in plain words
    # An out-of-court disposal (victims-code.md section 6): recording it captures the
    # victim's views, the offender-history check, the admission and the approving
    # sergeant, and it can be drawn for scrutiny. The 2022 Act's diversionary and
    # community cautions join the list as outcomes marked so, not as new code.
    out_of_court: bool = False


OUTCOMES = {
    o.code: o
    for o in (
        Outcome(
            1,
            _l("Charged or summonsed"),
            _l(
                "Someone has been charged with the crime or summonsed to appear at court. The case will now go to court."
            ),
        ),
        Outcome(
            2,
            _l("Youth caution or youth conditional caution"),
            _l(
                "The person responsible, who is under 18, has been given a youth caution. This is a formal warning that goes on their record."
            ),
            out_of_court=True,
        ),
        Outcome(
            3,
            _l("Adult caution or conditional caution"),
            _l(
                "The person responsible has been given a caution. This is a formal warning that goes on their record."
            ),
            out_of_court=True,
        ),
        Outcome(
            4,
            _l("Taken into consideration"),
            _l(
                "The person responsible has admitted this crime and asked the court to take it into account when sentencing them for another crime."
            ),
        ),
        Outcome(
            5,
            _l("Offender died"),
            _l("The person suspected of this crime has died, so nobody can be prosecuted."),
        ),
        Outcome(
            6,
            _l("Penalty notice for disorder"),
            _l("The person responsible has been given a penalty notice, which is a fine."),
            out_of_court=True,
        ),
        Outcome(
            7,
            _l("Cannabis or khat warning"),
            _l("The person responsible has been given a formal warning for having a drug."),
            out_of_court=True,
        ),
        Outcome(
            8,
            _l("Community resolution"),
            _l(
                "The person responsible has been dealt with by a community resolution. This usually means they apologise, pay for damage or do something to put things right."
            ),
            out_of_court=True,
        ),
        Outcome(
            9,
            _l("Prosecution not in the public interest (CPS)"),
            _l(
                "The Crown Prosecution Service decided that prosecuting the suspect would not be in the public interest."
            ),
        ),
        Outcome(
            10,
            _l("Formal action not in the public interest (police)"),
            _l(
                "The police decided that taking formal action against the suspect would not be in the public interest."
            ),
        ),
        Outcome(
            11,
            _l("Prosecution prevented: suspect under age"),
            _l("The suspect is too young to be prosecuted."),
        ),
        Outcome(
            12, _l("Prosecution prevented: suspect too ill"), _l("The suspect is too ill to be prosecuted.")
        ),
        Outcome(
            13,
            _l("Prosecution prevented: victim or key witness dead or too ill"),
            _l(
                "The case cannot go ahead because a victim or key witness has died or is too ill to give evidence."
            ),
        ),
        Outcome(
            14,
            _l("Evidential difficulties: suspect not identified, victim does not support action"),
            _l(
                "No suspect was identified and the victim did not want police action to continue, so the investigation has stopped."
            ),
        ),
        Outcome(
            15,
            _l("Evidential difficulties: suspect identified, victim supports action"),
            _l("A suspect was identified, but there is not enough evidence to take further action."),
        ),
        Outcome(
            16,
            _l("Evidential difficulties: suspect identified, victim does not support action"),
            _l(
                "A suspect was identified, but the victim did not want police action to continue, so the investigation has stopped."
            ),
        ),
        Outcome(
            17,
            _l("Prosecution time limit expired"),
            _l("The time limit for prosecuting this crime has passed."),
        ),
        Outcome(
            18,
            _l("Investigation complete: no suspect identified"),
            _l(
                "The investigation is complete but no suspect was identified. It can be reopened if new information comes to light."
            ),
        ),
        Outcome(
            19,
            _l("National Fraud Intelligence Bureau filed"),
            _l(
                "The National Fraud Intelligence Bureau has assessed the crime and filed it. It can be reopened if new information comes to light."
            ),
        ),
        Outcome(
            20, _l("Other body investigates"), _l("Another organisation has taken over the investigation.")
        ),
        Outcome(
            21,
            _l("Further investigation not in the public interest"),
            _l("The police decided that further investigation would not be in the public interest."),
        ),
        Outcome(
            22,
            _l("Diversionary, educational or intervention activity"),
            _l(
                "Instead of being prosecuted, the person responsible has been sent on a course or programme to change their behaviour."
            ),
            out_of_court=True,
        ),
    )
}

# The outcomes that are out-of-court disposals.
OUT_OF_COURT_OUTCOMES = frozenset(code for code, outcome in OUTCOMES.items() if outcome.out_of_court)

# Kinds of update an officer posts. The key events start a Victims' Code duty to tell
# the victim (victims-code.md section 4).
UPDATE_KINDS = {
    "general": _l("Update"),
    "not_investigated": _l("Decision not to investigate"),
    "arrest": _l("Suspect arrested"),
    "interview": _l("Suspect interviewed"),
    "released_nfa": _l("Suspect released with no further action"),
    "bail": _l("Suspect released on bail"),
    "released_under_investigation": _l("Suspect released under investigation"),
    "bail_changed": _l("Bail conditions changed or cancelled"),
    "charge": _l("Suspect charged or summonsed"),
    "out_of_court": _l("Out-of-court disposal"),
}
# Kinds written by the service itself when the crime changes.
SYSTEM_UPDATE_KINDS = {
    "stage_change": _l("Stage changed"),
    "outcome": _l("Outcome recorded"),
    "cancelled": _l("Crime record cancelled"),
}
# Kinds written for what happened at court (shared.services.court), each a key event.
COURT_UPDATE_KINDS = {code: kind.label for code, kind in COURT_EVENT_KINDS.items()}
ALL_UPDATE_KINDS = {**UPDATE_KINDS, **SYSTEM_UPDATE_KINDS, **COURT_UPDATE_KINDS}

# The languages the service speaks, each named in its own language. Defined here alone:
# the settings, the victim's record, the forms and the language switch take them from
# here. English is the default, and the language of everything for staff.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
LANGUAGES = tuple(LANGUAGE_NAMES)
DEFAULT_LANGUAGE = "en"

CONTACT_CHANNEL_LABELS = {
    "email": _l("Email"),
    "sms": _l("Text message"),
    "phone": _l("Phone call"),
    "letter": _l("Letter"),
}

# A contact plan may also go through an intermediary (an ISVA or IDVA) whom the officer
# names on the plan: the service then sends the victim nothing itself, as for a phone
# call or a letter. The victim can choose it only when one is named.
INTERMEDIARY = "intermediary"
PLAN_CHANNEL_LABELS = {**CONTACT_CHANNEL_LABELS, INTERMEDIARY: _l("Through an intermediary")}
INTERMEDIARY_ROLES = {
    "isva": _l("Independent Sexual Violence Adviser (ISVA)"),
    "idva": _l("Independent Domestic Violence Adviser (IDVA)"),
    "other": _l("Another intermediary"),
}
