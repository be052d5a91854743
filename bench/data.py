"""What a year of a large force looks like: how often each offence is recorded, how
investigations end and how long they take, and the words officers and victims write.

The shares follow the Home Office's police recorded crime and outcomes tables for
England and Wales (year ending March 2024), rounded. Texts are composed from the
sentences here, so that no two cases read quite alike.
"""

# Share of recorded crime, in percent, per offence code of shared.domain.reference_data.OFFENCES. A code
# missing here is recorded now and then (RARE_OFFENCE_WEIGHT).
OFFENCE_WEIGHTS = {
    # violence against the person, 35
    "common_assault": 9.2,
    "abh": 7.0,
    "gbh_with_intent": 0.8,
    "attempted_murder": 0.05,
    "kidnap": 0.15,
    "harassment": 6.0,
    "stalking": 3.5,
    "coercive_control": 1.5,
    "malicious_communications": 6.5,
    "modern_slavery": 0.3,
    # sexual offences, 3.5
    "rape": 1.3,
    "sexual_assault": 2.2,
    # robbery, 1.4
    "robbery_personal": 1.2,
    "robbery_business": 0.2,
    # theft offences, burglary and vehicle crime included, 33
    "burglary_residential": 4.0,
    "burglary_business": 1.5,
    "vehicle_theft": 2.5,
    "theft_from_vehicle": 4.0,
    "bicycle_theft": 1.5,
    "theft_from_person": 2.0,
    "shoplifting": 8.0,
    "other_theft": 9.5,
    # criminal damage and arson, 10
    "criminal_damage": 9.3,
    "arson_endangering_life": 0.2,
    "arson": 0.5,
    # drugs 3.5, weapons 1.1, public order 7.5, society 2, fraud 3
    "drug_supply": 3.5,
    "blade_possession": 1.1,
    "public_fear": 6.2,
    "hate_public_order": 1.3,
    "perverting_justice": 2.0,
    "fraud_false_representation": 3.0,
}
RARE_OFFENCE_WEIGHT = 0.2

# How closed investigations end, per offence group: Home Office outcome code -> weight.
_DEFAULT_OUTCOMES = {
    18: 40,
    16: 14,
    15: 12,
    14: 8,
    1: 7,
    8: 4,
    21: 4,
    20: 2,
    10: 2,
    3: 2,
    22: 1,
    17: 1,
    9: 1,
    2: 1,
    6: 1,
}
OUTCOME_WEIGHTS = {
    "violence": {
        16: 30,
        15: 18,
        18: 17,
        14: 8,
        1: 8,
        8: 4,
        21: 3,
        10: 2,
        3: 2,
        20: 2,
        22: 1,
        9: 1,
        2: 1,
        6: 1,
        17: 1,
        13: 1,
    },
    "sexual": {16: 33, 15: 30, 14: 8, 18: 8, 1: 6, 20: 3, 21: 3, 9: 3, 13: 2, 11: 2, 12: 1, 5: 1},
    "robbery": {18: 35, 15: 20, 16: 14, 1: 12, 14: 10, 21: 5, 20: 2, 2: 1, 8: 1},
    "theft": {18: 58, 14: 8, 15: 7, 16: 5, 1: 7, 21: 5, 8: 3, 20: 2, 3: 1, 10: 1, 22: 1, 17: 1, 6: 1},
    "damage": {18: 45, 16: 12, 15: 10, 14: 10, 8: 8, 1: 5, 21: 5, 3: 2, 22: 2, 2: 1},
    "drugs": {1: 30, 7: 15, 8: 14, 22: 10, 15: 10, 10: 8, 3: 5, 21: 5, 6: 2, 2: 1},
    "weapons": {1: 40, 15: 15, 8: 8, 3: 8, 10: 8, 22: 8, 21: 8, 2: 5},
    "public_order": {16: 25, 15: 20, 18: 15, 14: 10, 1: 10, 8: 8, 21: 5, 6: 3, 3: 2, 22: 2},
    "society": {1: 30, 15: 25, 21: 20, 10: 10, 3: 10, 16: 5},
    "fraud": {18: 35, 19: 25, 15: 10, 14: 10, 20: 10, 21: 7, 1: 3},
}


def outcome_weights(group: str) -> dict[int, int]:
    return OUTCOME_WEIGHTS.get(group, _DEFAULT_OUTCOMES)


# What kind of investigation leads to each outcome, and how long it takes: the median
# and spread (log-normal sigma) in days from recording to the outcome.
NO_SUSPECT, SUSPECT, OUT_OF_COURT, CHARGE = "no_suspect", "suspect", "out_of_court", "charge"
OUTCOME_CLASS = {
    **dict.fromkeys((14, 18, 19, 20), NO_SUSPECT),
    **dict.fromkeys((5, 9, 10, 11, 12, 13, 15, 16, 17, 21), SUSPECT),
    **dict.fromkeys((2, 3, 6, 7, 8, 22), OUT_OF_COURT),
    1: CHARGE,
}
DURATION_DAYS = {NO_SUSPECT: (7, 1.1), SUSPECT: (50, 0.8), OUT_OF_COURT: (25, 0.8), CHARGE: (45, 0.9)}
# Longest investigation, in days: a case older than this is finished.
MAX_DAYS = 330

# Victims per crime: one, two, three, four.
VICTIMS_PER_CRIME = ((1, 75), (2, 20), (3, 4), (4, 1))

TEAM_PLACES = (
    "Cardiff",
    "Swansea",
    "Newport",
    "Wrexham",
    "Bangor",
    "Aberystwyth",
    "Carmarthen",
    "Bridgend",
    "Merthyr",
    "Llanelli",
    "Bristol",
    "Gloucester",
    "Hereford",
    "Shrewsbury",
    "Chester",
    "Exeter",
    "Plymouth",
    "Taunton",
    "Bath",
    "Swindon",
    "Cheltenham",
    "Worcester",
    "Telford",
    "Stafford",
)
TEAM_UNITS = ("CID", "Investigation Hub", "Safeguarding", "Neighbourhood", "Response", "Volume Crime")

FIRST_NAMES = (
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "Henry",
    "William",
    "James",
    "Alfie",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Evie",
    "Poppy",
    "Ella",
    "Emily",
    "Sophie",
    "Chloe",
    "Jessica",
    "Ruby",
    "Rhys",
    "Dylan",
    "Gethin",
    "Iwan",
    "Owain",
    "Cerys",
    "Seren",
    "Ffion",
    "Nia",
    "Megan",
    "Aled",
    "Bethan",
    "Catrin",
    "Dafydd",
    "Elin",
    "Gwen",
    "Huw",
    "Lowri",
    "Osian",
    "Sioned",
    "Amir",
    "Aisha",
    "Fatima",
    "Hassan",
    "Zara",
    "Priya",
    "Raj",
    "Anil",
    "Mei",
    "Chen",
    "Kwame",
    "Amara",
    "Tariq",
    "Yusuf",
    "Maria",
    "Piotr",
    "Agnieszka",
    "Andrei",
    "Elena",
    "Ionut",
    "David",
    "Sarah",
    "Michael",
    "Karen",
    "Paul",
    "Susan",
    "Mark",
    "Julie",
    "Peter",
    "Helen",
    "Stephen",
    "Claire",
    "Gareth",
    "Joanne",
    "Kevin",
    "Lisa",
    "Neil",
    "Emma",
    "Simon",
    "Rachel",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Davies",
    "Brown",
    "Evans",
    "Wilson",
    "Thomas",
    "Roberts",
    "Johnson",
    "Lewis",
    "Walker",
    "Robinson",
    "Wood",
    "Thompson",
    "White",
    "Watson",
    "Jackson",
    "Wright",
    "Green",
    "Harris",
    "Cooper",
    "King",
    "Lee",
    "Martin",
    "Clarke",
    "James",
    "Morgan",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Clark",
    "Harrison",
    "Scott",
    "Young",
    "Morris",
    "Hall",
    "Ward",
    "Turner",
    "Carter",
    "Phillips",
    "Mitchell",
    "Patel",
    "Adams",
    "Campbell",
    "Anderson",
    "Allen",
    "Cook",
    "Griffiths",
    "Owen",
    "Price",
    "Rees",
    "Jenkins",
    "Powell",
    "Lloyd",
    "Pritchard",
    "Parry",
    "Bowen",
    "Khan",
    "Ali",
    "Hussain",
    "Ahmed",
    "Begum",
    "Shah",
    "Singh",
    "Kaur",
    "Nowak",
    "Kowalski",
    "Popescu",
    "Okafor",
    "Mensah",
    "Nguyen",
    "Wang",
    "Chen",
    "O'Brien",
    "Murphy",
    "Kelly",
    "MacDonald",
)
INTERPRETER_LANGUAGES = (
    "Polish",
    "Urdu",
    "Romanian",
    "Arabic",
    "Punjabi",
    "Bengali",
    "Portuguese",
    "Lithuanian",
)
COMMUNICATION_NEEDS = (
    "Uses a hearing aid: face them when speaking and avoid phone calls.",
    "Dyslexic: prefers a phone call to a letter.",
    "Partially sighted: large print letters, or email.",
    "Needs an intermediary for interviews (learning disability).",
)

# --------------------------------------------------------------------------- texts

GENERAL_OPENINGS = (
    "We have spoken to your neighbours and asked whether anyone saw what happened.",
    "We have asked the shops nearby for their CCTV recordings.",
    "We have now looked at the CCTV from the area.",
    "Forensic officers examined the scene and took samples.",
    "We have taken a statement from a witness who contacted us.",
    "We checked the area for doorbell cameras and spoke to the owners.",
    "We have sent items for forensic examination.",
    "An officer has reviewed the phone records you gave us.",
    "We have asked the bank for details of the transactions you told us about.",
    "We have circulated a description of the property that was taken.",
    "We have completed house-to-house enquiries in your street.",
    "We have spoken again to the witness you named.",
    "We have checked second-hand shops and online marketplaces for your property.",
    "The fingerprints found at the scene have been checked against national records.",
    "We have asked the local authority for footage from their cameras.",
    "I have reviewed your case with my supervisor today.",
)
GENERAL_FOLLOW_UPS = (
    "It can take up to two weeks to get the recordings, and I will tell you what they show.",
    "The results usually take three to four weeks to come back.",
    "Nothing new has come from it yet, but the enquiry is still open.",
    "It has given us a line of enquiry that we are now following.",
    "I will contact you again within the next four weeks, or sooner if something changes.",
    "If you remember anything else, please contact me using the details on this page.",
    "We are still waiting for some of the information we asked for.",
    "This has not identified anyone so far.",
    "We will tell you about any important decision, such as an arrest.",
    "Please keep any messages or letters you receive, as they may be evidence.",
    "Victim Support can help you in the meantime; their details are on this page.",
    "I am sorry this is taking time; I will keep you updated as agreed.",
)
KEY_EVENT_OPENINGS = {
    "not_investigated": (
        "We have looked at all the information we have and cannot take the investigation further at the moment.",
        "After reviewing the evidence, we have decided not to investigate this crime further for now.",
    ),
    "arrest": (
        "We arrested a suspect this morning.",
        "A suspect was arrested yesterday evening.",
        "We have arrested a person in connection with the crime you reported.",
    ),
    "interview": (
        "The suspect was interviewed under caution today.",
        "We interviewed the suspect at the police station.",
    ),
    "released_nfa": (
        "The suspect has been released with no further action.",
        "We have released the suspect without charge.",
    ),
    "bail": (
        "The suspect has been released on bail with conditions not to contact you or go to your street.",
        "The suspect is on bail with conditions, including not to contact you.",
    ),
    "released_under_investigation": (
        "The suspect has been released while we carry on investigating.",
        "The suspect has been released under investigation, with no conditions on their release.",
    ),
    "bail_changed": (
        "The court has added a condition to the suspect's bail: they must stay at their home address at night.",
        "The suspect's bail conditions have changed.",
    ),
    "charge": (
        "The suspect has been charged.",
        "The Crown Prosecution Service has authorised a charge, and the suspect has been charged.",
    ),
    "out_of_court": (
        "The person responsible has admitted the offence and has been dealt with out of court.",
        "The suspect has accepted an out-of-court disposal.",
    ),
}
KEY_EVENT_FOLLOW_UPS = {
    "not_investigated": (
        "If new information comes to light we can look at it again.",
        "You can ask me about this decision.",
    ),
    "arrest": (
        "They are being held at the police station while we investigate.",
        "We will tell you what happens next.",
    ),
    "interview": (
        "We are now reviewing what they said against the evidence.",
        "We will tell you what we decide.",
    ),
    "released_nfa": (
        "There was not enough evidence to charge them.",
        "You can ask for this decision to be reviewed.",
    ),
    "bail": (
        "If they break these conditions, call 999.",
        "They must return to the police station next month.",
    ),
    "released_under_investigation": (
        "We will tell you when we have made a decision.",
        "Contact us at once if they approach you.",
    ),
    "bail_changed": ("Call 999 if they break the conditions.", "The other conditions stay the same."),
    "charge": (
        "The Witness Care Unit will contact you about court dates.",
        "The first hearing will be at the magistrates' court.",
    ),
    "out_of_court": ("This goes on their record.", "I can explain what this means if you call me."),
}
STAGE_TEXTS = {
    "under_investigation": (
        "Your case has been given to an investigating officer.",
        "We have started our investigation.",
    ),
    "suspect_identified": (
        "We have identified a person we want to speak to.",
        "We believe we know who did this.",
    ),
    "awaiting_decision": ("We have sent the file to the Crown Prosecution Service for a charging decision.",),
    "at_court": ("The case is now at court.", "The first hearing has taken place at court."),
}
OUTCOME_TEXTS = (
    "I have explained the outcome when we spoke by phone.",
    "Thank you for your patience during the investigation.",
    "If you have any questions about this decision, please contact me.",
    "The case has been reviewed by a supervisor before it was closed.",
)
WELSH_GENERAL = (
    "Rydym wedi siarad â'ch cymdogion ac wedi gofyn a welodd unrhyw un beth ddigwyddodd.",
    "Rydym wedi gofyn am luniau teledu cylch cyfyng gan y siopau cyfagos. Gall gymryd hyd at bythefnos.",
    "Mae swyddogion fforensig wedi archwilio'r safle. Byddwn yn dweud wrthych os bydd y canlyniadau'n enwi unrhyw un.",
    "Nid oes dim byd newydd eto, ond mae'r ymchwiliad yn parhau. Byddaf yn cysylltu eto o fewn pedair wythnos.",
)
WELSH_KEY_EVENT = {
    "arrest": "Rydym wedi arestio rhywun a ddrwgdybir. Byddwn yn dweud wrthych beth fydd yn digwydd nesaf.",
    "interview": "Cafodd y sawl a ddrwgdybir ei gyfweld heddiw. Rydym bellach yn cymharu'r hyn a ddywedodd â'r dystiolaeth.",
    "released_under_investigation": "Mae'r sawl a ddrwgdybir wedi cael ei ryddhau tra byddwn yn parhau i ymchwilio.",
    "charge": "Mae'r sawl a ddrwgdybir wedi cael ei gyhuddo. Bydd yr Uned Gofal Tystion yn cysylltu â chi am ddyddiadau'r llys.",
}
INTERNAL_NOTES = (
    "Suspect known to local officers; intelligence log refers.",
    "Victim prefers contact after 5pm.",
    "Check the safeguarding referral before the next visit.",
    "Forensic submission made; awaiting lab capacity.",
    "CCTV request sent to the council control room.",
    "Witness reluctant; revisit with a supervisor.",
    "Linked series: see the other crimes on the same street.",
    "Bank production order applied for.",
    "Do not leave voicemails: the suspect may have access to the victim's phone.",
    "Reviewed with the detective sergeant; lines of enquiry agreed.",
    "House-to-house completed, no witnesses found.",
    "Partner agency referral made (MARAC).",
    "Exhibit booked into the property store.",
    "Awaiting the CPS advice file review.",
    "Phone download requested; backlog of about six weeks.",
    "Suspect circulated as wanted on PNC.",
)
NOT_APPLICABLE_REASONS = (
    "The victim asked not to be contacted about this.",
    "The victim could not be reached after several attempts; recorded by the supervisor.",
    "The victim has moved abroad and gave no contact details.",
    "Handled by the Witness Care Unit instead.",
    "Duplicate of an entitlement already met on the linked crime.",
)
COMPLAINTS = (
    "The victim says nobody told them about the arrest.",
    "The victim was not sent the written acknowledgement.",
    "The victim disagrees with how the case was closed.",
    "The victim was not offered a referral to support.",
    "The victim says the agreed updates did not happen.",
)
CANCELLATION_NOTES = {
    "C1": ("The offence happened in the neighbouring force's area; transferred with their reference.",),
    "C2": (
        "The property reported stolen was found where the victim had left it.",
        "CCTV shows no offence took place; the reporting person agrees.",
    ),
    "C3": (
        "Duplicate of a crime recorded the day before by the control room.",
        "Part of a series already recorded as one crime.",
    ),
    "C4": ("Recorded against the wrong incident in error.",),
}
CANCELLATION_SHARES = (("C1", 20), ("C2", 35), ("C3", 35), ("C4", 10))
ASSESSMENT_NOTES = (
    "Assessed at the first visit.",
    "Discussed with the victim at the needs assessment.",
    "Information from the domestic abuse risk assessment.",
    "The victim has been targeted several times this year.",
    "The victim is anxious about giving evidence.",
)
PLAN_NOTES = (
    "The victim asked for updates every two weeks.",
    "Contact by phone only, after 5pm.",
    "Do not send letters to the home address.",
)
OPTED_OUT_NOTE = "The victim asked not to receive regular updates."
VICTIM_MESSAGES = (
    "Hello, is there any news about my case?",
    "I have found some more photos of the damage. How can I send them to you?",
    "I saw the person again near my house yesterday. What should I do?",
    "Can you tell me whether the CCTV showed anything?",
    "I have changed my phone number. Please use this service to contact me.",
    "Thank you for the update. I would like to talk about the support available.",
    "The insurance company is asking for the crime reference and a letter from you.",
)
STAFF_MESSAGES = (
    "Thank you for your message. I will call you tomorrow to talk it through.",
    "Thank you. Please keep the photos, and I will collect them when I visit.",
    "If you see them again and feel in danger, call 999 straight away.",
    "We are still waiting for the CCTV. I will update you as soon as I have it.",
    "I have sent the insurance company the details they asked for.",
)


def copy_text(text: str) -> str:
    """The text as a field of COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# Incidents: the route each came by (shared.domain.incident_reference.INCIDENT_ROUTES).
INCIDENT_ROUTE_WEIGHTS = {"control_room": 55, "online": 25, "recording_centre": 15, "front_counter": 5}
# Incidents with no crime recorded from them, per crime recorded: 0.25 makes them a fifth
# of all incidents.
LONE_INCIDENTS_PER_CRIME = 0.25
# Of those: no crime disclosed (closing code -> weight), or a possible crime not recorded.
NO_CRIME_CLOSING = {"no_crime_disclosed": 30, "advice_given": 15, "transferred": 6, "duplicate": 4}
NOT_RECORDED_SHARE = 0.4
# Why a possible crime was not recorded (NOT_RECORDED_REASONS), with a written reason.
NOT_RECORDED_WEIGHTS = {
    "no_crime_balance": 35,
    "credible_evidence": 20,
    "recorded_elsewhere": 15,
    "third_party_unconfirmed": 12,
    "offensive_message": 10,
    "disturbance_over": 8,
}
NOT_RECORDED_NOTES = (
    "Caller confirmed on call-back that nothing was taken and the item had been mislaid.",
    "CCTV reviewed: the damage predates the reported date and was caused by a vehicle.",
    "Already recorded under the earlier incident from the same caller this morning.",
    "Reported by a neighbour; the occupant says nothing happened and declines to give details.",
    "A message that may offend but carries no threat and no pattern of behaviour.",
    "Group had dispersed on arrival; no one identified as harassed, alarmed or distressed.",
)
INCIDENT_SUMMARIES = (
    "Caller reports a disturbance outside the address.",
    "Report made online through the single online home.",
    "Caller reports items taken from a vehicle overnight.",
    "Concern for the welfare of a neighbour.",
    "Caller reports threatening messages received by text.",
    "Report of a fight in the street, several people involved.",
    "Shop staff report a theft by a known person.",
    "Caller reports an assault by a former partner.",
)
# A rape report not immediately recorded as rape (N100): the share of rape crimes that
# began as one, and of the incidents not recorded that were one.
N100_OF_RAPE = 0.12
N100_OF_LONE = 0.002
N100_LONE_RESOLUTIONS = {"no_crime_additional_information": 5, "recorded_elsewhere": 3, "transferred": 2}
