"""Realistic sample data for a demonstration or a pilot's training environment.

The crimes are built row by row, dated in the past, and run through the Victims' Code
engine as they would have been: each victim added opens what is owed to them, each key
event opens "victim told", outcomes end the regular updates. Officers then meet most of
it on time, some late, and leave some overdue, so the queues and reports have data.
"""

import random
import secrets
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from shared.cli import (
    demo_action_plan,
    demo_cdi_audit,
    demo_court,
    demo_incidents,
    demo_information_requests,
    demo_property,
)
from shared.domain import code_versions
from shared.domain.reference_data import OFFENCES, OUT_OF_COURT_OUTCOMES
from shared.domain.scrutiny import CRITERIA
from shared.domain.victims_code_rules import KEY_EVENTS, VRR_OUTCOMES
from shared.extensions import db
from shared.models import (
    ContactPlan,
    Crime,
    CrimeVictim,
    EnhancedRight,
    Entitlement,
    EntitlementEvent,
    InternalNote,
    InvestigationUpdate,
    OutboxAttempt,
    OutboxMessage,
    OutOfCourtCapture,
    ScrutinyCase,
    SecureMessage,
    StaffMember,
    StaffRole,
    Team,
    Victim,
)
from shared.services import (
    calendar,
    decision_factors,
    entitlements,
    guardians,
    scrutiny,
    totp,
    victims_code_actions,
)
from shared.services.passwords import hash_password
from shared.services.unit_of_work import transactional

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (printed for the demo; never a real account)

STAFF = [
    # name, collar number, email, team, roles
    ("Sam Taylor", "4521", "sam.taylor@police.example", "North Investigation Team", ["officer"]),
    ("Rhys Evans", "7310", "rhys.evans@police.example", "North Investigation Team", ["officer"]),
    (
        "Priya Shah",
        "2201",
        "priya.shah@police.example",
        "North Investigation Team",
        ["officer", "supervisor"],
    ),
    ("Dafydd Morgan", "5187", "dafydd.morgan@police.example", "South Safeguarding Team", ["officer"]),
    ("Helen Carter", "1105", "helen.carter@police.example", "Crime Standards", ["ddm"]),
    ("Martin Okafor", "0042", "martin.okafor@police.example", "Crime Standards", ["fcr"]),
    ("Rhian Davies", "0057", "rhian.davies@police.example", "Crime Standards", ["auditor"]),
    ("Grace Lee", "A1187", "grace.lee@police.example", "Performance and Insight", ["analyst"]),
    (
        "Nia Roberts",
        "P0301",
        "nia.roberts@pcc.example",
        "Office of the Police and Crime Commissioner",
        ["pcc"],
    ),
    ("Alex Morgan", "A0001", "alex.morgan@police.example", "Performance and Insight", ["admin"]),
    (
        "Owen Pritchard",
        "SP0007",
        "owen.pritchard@pcc.example",
        "Out-of-court disposal scrutiny panel",
        ["panel"],
    ),
]

VICTIMS = [
    # name, email, language, activated
    ("Jane Doe", "jane.doe@example.com", "en", True),
    ("Siân Williams", "sian.williams@example.com", "cy", True),
    ("Tom Baker", "tom.baker@example.com", "en", False),
    ("Amira Hassan", "amira.hassan@example.com", "en", False),
    ("Gareth Jones", "gareth.jones@example.com", "cy", False),
    ("Olivia Brown", None, "en", False),
]
# A second victim of one burglary, a child: enhanced rights by age.
CHILD_VICTIM = "Ellie Hughes"
CHILD_CRIME = 14
# Her mother, who receives her rights and holds the account that follows her case.
CHILD_PARENT = ("Rachel Hughes", "rachel.hughes@example.com")

UPDATE_TEXTS = {
    "en": {
        "general": [
            "We have spoken to your neighbours and asked whether anyone saw what happened.",
            "We have asked for CCTV from the shops nearby. It can take up to two weeks to get it.",
            "Forensic officers examined the scene. We will tell you if the results identify anyone.",
        ],
        "arrest": [
            "We arrested a suspect this morning. They are being held at the police station while we investigate."
        ],
        "interview": [
            "The suspect was interviewed today. We are now reviewing what they said against the evidence."
        ],
        "bail": [
            "The suspect has been released on bail with conditions not to contact you or go to your street."
        ],
        "released_under_investigation": [
            "The suspect has been released while we carry on investigating. There are no conditions on their release."
        ],
        "bail_changed": [
            "The court has added a condition to the suspect's bail: they must stay at their home address at night."
        ],
        "charge": ["The suspect has been charged. The Witness Care Unit will contact you about court dates."],
        "not_investigated": [
            "We have looked at all the information we have and cannot take the investigation further at the moment."
        ],
    },
    "cy": {
        "general": [
            "Rydym wedi siarad â'ch cymdogion ac wedi gofyn a welodd unrhyw un beth ddigwyddodd.",
            "Rydym wedi gofyn am luniau teledu cylch cyfyng gan y siopau cyfagos. Gall gymryd hyd at bythefnos.",
        ],
        "arrest": ["Rydym wedi arestio rhywun a ddrwgdybir y bore yma."],
        "interview": [
            "Cafodd y sawl a ddrwgdybir ei gyfweld heddiw. Rydym bellach yn cymharu'r hyn a ddywedodd â'r dystiolaeth."
        ],
        "bail": [
            "Mae'r sawl a ddrwgdybir wedi cael ei ryddhau ar fechnïaeth, gydag amodau i beidio â chysylltu â chi."
        ],
        "released_under_investigation": [
            "Mae'r sawl a ddrwgdybir wedi cael ei ryddhau tra byddwn yn parhau i ymchwilio."
        ],
        "charge": [
            "Mae'r sawl a ddrwgdybir wedi cael ei gyhuddo. Bydd yr Uned Gofal Tystion yn cysylltu â chi am ddyddiadau'r llys."
        ],
    },
}

NOTES = [
    "Suspect known to local officers; intelligence log 4471 refers.",
    "Victim prefers contact after 5pm. Check safeguarding referral before next visit.",
    "Forensic submission ref FS-2291. Awaiting lab capacity.",
]

# What happens in an investigation at each stage, one story picked per crime.
STORIES = {
    "reported": [[], ["general"]],
    "under_investigation": [
        ["general"],
        ["general", "general"],
        ["general", "arrest", "interview", "released_under_investigation"],
        ["general", "arrest", "interview", "bail"],
    ],
    "suspect_identified": [
        ["general", "arrest", "interview", "released_under_investigation"],
        ["general", "interview"],
    ],
    "awaiting_decision": [["general", "arrest", "interview", "bail", "general"]],
    "charged": [["general", "arrest", "interview", "charge"]],
    "at_court": [["arrest", "interview", "charge", "bail_changed"]],
    "closed": [
        ["general", "arrest", "interview", "released_under_investigation"],
        ["general", "general"],
        ["not_investigated"],
    ],
}
STAGE_WEIGHTS = [
    ("reported", 5),
    ("under_investigation", 20),
    ("suspect_identified", 8),
    ("awaiting_decision", 5),
    ("charged", 4),
    ("at_court", 3),
    ("closed", 10),
]

# How officers meet what is owed once it is due: on time, late, or not yet (overdue).
ON_TIME, LATE = 0.68, 0.86
MET_EARLY = 0.45  # not yet due, already met
DECLINED_REFERRAL = 0.08
SUPPORT_FOR_GROUP = {"sexual": "isva"}


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(StaffMember))


@contextmanager
def _dated():
    """Date the rows the engine adds (history, rights, plans) at the time set on the
    returned clock, rather than when the demo is loaded."""
    clock = {"at": None}
    stamped = {
        EntitlementEvent: "at",
        Entitlement: "created_at",
        EnhancedRight: "assessed_at",
        ContactPlan: "changed_at",
    }

    def stamp(session, instance):
        name = stamped.get(type(instance))
        if name and getattr(instance, name) is None and clock["at"] is not None:
            setattr(instance, name, clock["at"])

    event.listen(Session, "transient_to_pending", stamp)
    try:
        yield clock
    finally:
        event.remove(Session, "transient_to_pending", stamp)


@transactional
def load(now: datetime | None = None, crimes: int = 50, seed: int = 2026) -> None:
    """Fill an empty database with staff, victims, about 50 crimes, their updates and
    what the Victims' Code owes their victims, as one unit of work: the services it
    calls join it, so a demo is loaded whole or not at all."""
    rng = random.Random(seed)  # noqa: S311  (repeatable sample data, not security)
    now = now or datetime.now(UTC)
    password_hash = hash_password(DEMO_PASSWORD)
    staff = _staff(password_hash)
    officers = [s for s in staff if "officer" in s.roles]
    by_name = {s.name: s for s in staff}
    victims = _victims(rng, now, password_hash)

    stages = [s for s, w in STAGE_WEIGHTS for _ in range(w)]
    offence_codes = list(OFFENCES)
    made = []
    with _dated() as clock:
        charged_today = False
        for number in range(1, crimes + 1):
            # The first officer carries a full caseload, so "My cases" has more than one page.
            oic = officers[0] if number % 3 != 0 else rng.choice(officers)
            stage = stages[number % len(stages)]
            offence = offence_codes[number % len(offence_codes)]
            reported = now - timedelta(days=rng.randrange(1, 120), hours=rng.randrange(24))
            crime = Crime(
                reference=f"43/{10000 + number * 37:05d}/26",
                offence=offence,
                offence_group=OFFENCES[offence].group,
                occurred_at=reported - timedelta(hours=rng.randrange(1, 72)),
                reported_at=reported,
                recorded_at=min(reported + timedelta(hours=rng.randrange(1, 20)), now - timedelta(hours=1)),
                stage=stage,
                officer_in_charge_id=oic.id,
                team_id=oic.team_id,
            )
            db.session.add(crime)
            db.session.flush()

            # Demo victims with accounts get the first crimes; the rest go round the others.
            victim = (
                victims[0]
                if number in (1, 2)
                else victims[1]
                if number == 3
                else victims[2 + number % (len(victims) - 2)]
            )
            links = [_add_victim(crime, victim, oic, clock)]
            if number == CHILD_CRIME:
                links.append(_add_victim(crime, _child(now), oic, clock))
                _parent(links[-1], oic, now, password_hash)

            story = list(rng.choice(STORIES[stage]))
            # One of the first officer's charges happened today: its Victim Personal
            # Statement offer is due by the end of today.
            today = not charged_today and stage == "charged" and oic is officers[0]
            at = _investigate(crime, story, oic, victim.preferred_language, rng, now, clock, today=today)
            charged_today = charged_today or today
            if stage in ("closed", "charged", "at_court"):
                _finish(crime, story, oic, at, rng, now, clock)
            made.append((crime, links, oic))

        for crime, links, oic in made:
            _meet(crime, links, oic, rng, now, clock)
        db.session.flush()
        clock["at"] = now
        _special_cases(made, officers[0], by_name["Helen Carter"], now)
        demo_court.load(victims[0], victims[1], officers[0], now, _add_victim, clock)
        _messages(made, now)
        demo_information_requests.add(made, victims[0].email, CHILD_VICTIM, now)
        _scrutiny(made, by_name, rng, now)
        # Every crime, the court's too, came from an incident.
        demo_incidents.add(list(db.session.scalars(select(Crime).order_by(Crime.id))), staff, rng, now)
        demo_property.add(made, now)
        demo_cdi_audit.load(staff, now)
    demo_action_plan.load(staff, now)


def _staff(password_hash: str) -> list[StaffMember]:
    teams: dict[str, Team] = {}
    staff = []
    for name, collar, email, team_name, roles in STAFF:
        team = teams.get(team_name)
        if team is None:
            team = teams[team_name] = Team(name=team_name)
            db.session.add(team)
        # A fresh authenticator key per load: printed with the logins, to add to an app.
        member = StaffMember(
            name=name,
            collar_number=collar,
            email=email,
            team=team,
            password_hash=password_hash,
            totp_secret=totp.sealed_secret(totp.new_secret()),
        )
        member.role_rows = [StaffRole(role=role) for role in roles]
        db.session.add(member)
        staff.append(member)
    db.session.flush()
    return staff


def _victims(rng: random.Random, now: datetime, password_hash: str) -> list[Victim]:
    victims = []
    for name, email, language, active in VICTIMS:
        victim = Victim(
            name=name,
            email=email,
            date_of_birth=date(1970 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 28)),
            phone="07700 900" + str(rng.randrange(100, 999)),
            preferred_language=language,
            contact_channel="email" if email else "phone",
            password_hash=password_hash if active else None,
            activated_at=now - timedelta(days=125) if active else None,
        )
        db.session.add(victim)
        victims.append(victim)
    db.session.flush()
    return victims


def _child(now: datetime) -> Victim:
    born = date(calendar.local_date(now).year - 13, 3, 14)
    child = Victim(
        name=CHILD_VICTIM,
        date_of_birth=born,
        phone="07700 900777",
        preferred_language="en",
        contact_channel="phone",
    )
    db.session.add(child)
    db.session.flush()
    return child


def _parent(link: CrimeVictim, oic: StaffMember, now: datetime, password_hash: str) -> None:
    """The child's mother, recorded by the officer, with the account that follows the
    child's case, set up."""
    name, email = CHILD_PARENT
    row = guardians.record(
        link,
        guardians.GuardianDetails(
            name=name, relationship="parent", email=email, phone="07700 900778", holds_account=True
        ),
        by=oic,
    )
    if row.account is not None:
        row.account.password_hash = password_hash
        row.account.activated_at = now - timedelta(days=20)


def _add_victim(crime: Crime, victim: Victim, oic: StaffMember, clock: dict) -> CrimeVictim:
    clock["at"] = crime.recorded_at
    link = CrimeVictim(
        crime_id=crime.id,
        victim_id=victim.id,
        public_id=secrets.token_urlsafe(16),
        added_by_id=oic.id,
        added_at=crime.recorded_at,
    )
    db.session.add(link)
    db.session.flush()
    entitlements.start_for_victim(link, oic)
    return link


def _investigate(crime, story, oic, language, rng, now, clock, *, today=False) -> datetime:
    """Post the story's updates, a few days apart, through the engine's hooks. Returns
    the time of the last one."""
    texts = UPDATE_TEXTS[language]
    at = crime.recorded_at
    for index, kind in enumerate(story):
        at = min(
            at + timedelta(days=rng.randrange(1, 8), hours=rng.randrange(8)), now - timedelta(minutes=30)
        )
        occurred = None
        if kind in KEY_EVENTS:
            # Posted a few hours after it happened.
            occurred = max(at - timedelta(hours=rng.randrange(0, 20)), crime.recorded_at)
        if today and index == len(story) - 1:
            occurred = max(calendar.start_of_local_day(calendar.local_date(now)), now - timedelta(hours=3))
            at = max(occurred, now - timedelta(minutes=30))
        options = texts.get(kind)
        visible = bool(options) and rng.random() > 0.15
        update = InvestigationUpdate(
            crime_id=crime.id,
            kind=kind,
            victim_text=rng.choice(options) if visible else None,
            visible_to_victim=visible,
            occurred_at=occurred,
            author_id=oic.id,
            created_at=at,
        )
        clock["at"] = at
        db.session.add(update)
        db.session.flush()
        if not visible or rng.random() < 0.3:
            db.session.add(InternalNote(update_id=update.id, text=rng.choice(NOTES)))
        if decision_factors.is_decision(kind):
            _decision_factors(update, rng)
        if visible:
            entitlements.on_visible_update(crime, update)
        if kind in KEY_EVENTS:
            entitlements.on_key_event(crime, kind, update, oic)
    return at


def _finish(crime, story, oic, after, rng, now, clock) -> None:
    """Record the outcome: a charge, or a decision that ends the investigation."""
    if crime.stage in ("charged", "at_court"):
        outcome = 1
    elif "arrest" in story:
        outcome = rng.choice([15, 15, 16, 3, 8, 10, 21])
    elif "not_investigated" in story:
        outcome = 18
    else:
        outcome = rng.choice([14, 18, 18, 20])
    if outcome != 1 and crime.id % 4 == 0:
        # Some investigations end with an out-of-court disposal, for the scrutiny panel.
        outcome = DISPOSALS[crime.id // 4 % len(DISPOSALS)]
    crime.outcome = outcome
    crime.outcome_at = min(
        after + timedelta(days=rng.randrange(0, 10), hours=rng.randrange(1, 6)), now - timedelta(minutes=5)
    )
    crime.outcome_at = max(crime.outcome_at, after)
    update = InvestigationUpdate(
        crime_id=crime.id,
        kind="outcome",
        visible_to_victim=True,
        new_stage="charged" if outcome == 1 else "closed",
        new_outcome=outcome,
        author_id=oic.id,
        created_at=crime.outcome_at,
    )
    clock["at"] = crime.outcome_at
    db.session.add(update)
    db.session.flush()
    if decision_factors.is_decision("outcome", outcome):
        _decision_factors(update, rng)
    entitlements.on_visible_update(crime, update)
    entitlements.on_outcome(crime, update, oic)


def _decision_factors(update: InvestigationUpdate, rng: random.Random) -> None:
    """The force's factors an officer picked for a decision not to investigate further:
    solvability nearly always, with one or two others."""
    published = decision_factors.force_factors()
    picked = {"solvability"} & set(published) or {published[0]}
    picked |= set(rng.sample(published, rng.randrange(1, min(3, len(published)) + 1)))
    decision_factors.record(update, [code for code in published if code in picked])


# What officers recorded with the demo's out-of-court disposals.
DISPOSALS = (3, 8, 6, 22)
DISPOSAL_VIEWS = [
    "Wants an apology and the damage paid for; does not want a court case",
    "Content with a caution as long as there is no further contact",
    "Would have preferred a charge but accepts the decision",
]


def _scrutiny(made, by_name: dict[str, StaffMember], rng: random.Random, now: datetime) -> None:
    """The out-of-court disposals' captures (approved by the sergeant, Priya Shah; her
    own disposals were pushed without one), and a scrutiny sample of them drawn by the
    registrar and mostly graded by the panel member, with the force's response."""
    sergeant, fcr, panel = by_name["Priya Shah"], by_name["Martin Okafor"], by_name["Owen Pritchard"]
    disposals = [crime for crime, _links, oic in made if crime.outcome in OUT_OF_COURT_OUTCOMES]
    for crime in disposals:
        if crime.officer_in_charge_id == sergeant.id:
            continue
        db.session.add(
            OutOfCourtCapture(
                crime_id=crime.id,
                outcome=crime.outcome,
                views_sought=True,
                victim_views=rng.choice(DISPOSAL_VIEWS),
                history_checked=True,
                history_summary="No previous out-of-court disposals; no convictions",
                admission="yes" if crime.outcome in (2, 3, 7) else "not_required",
                approved_by_id=sergeant.id,
                recorded_by_id=crime.officer_in_charge_id,
                recorded_at=crime.outcome_at,
            )
        )
    db.session.flush()
    if not disposals:
        return
    today = calendar.local_date(now)
    sample = scrutiny.draw_sample(today - timedelta(days=180), today, min(4, len(disposals)), 2026, fcr)
    cases = db.session.scalars(
        select(ScrutinyCase).where(ScrutinyCase.sample_id == sample.id).order_by(ScrutinyCase.position)
    ).all()
    scrutiny.release_text(cases[0], fcr)
    grades = [
        (1, "met", ""),
        (2, "met", "The history check was recorded in one line only"),
        (3, "not_met", ""),
    ]
    for found, (grade, finding, comments) in zip(cases[1:], grades, strict=False):
        scrutiny.grade_case(found, grade, dict.fromkeys(CRITERIA, finding), comments, panel)
    scrutiny.record_response(
        sample, "Sergeants reminded to record the victim's views before approving a disposal", today, fcr
    )


def _open(crime: Crime, seen: set[int]) -> list[Entitlement]:
    return list(
        db.session.scalars(
            select(Entitlement)
            .where(
                Entitlement.crime_id == crime.id,
                Entitlement.state == "open",
                Entitlement.id.not_in(seen or [0]),
            )
            .order_by(Entitlement.triggered_at, Entitlement.id)
        )
    )


def _meet(crime, links, oic, rng, now, clock) -> None:
    """The officer meets most of what is owed on time, some late, and some not yet."""
    links = {link.id: link for link in links}
    end_of_today = calendar.end_of_local_day(calendar.local_date(now))
    seen: set[int] = set()
    while batch := _open(crime, seen):
        for ent in batch:
            seen.add(ent.id)
            at = _when_met(ent, rng, now, end_of_today)
            if at is None:
                continue
            link = links[ent.crime_victim_id]
            way, detail = _way(ent, crime, link, rng)
            clock["at"] = at
            ways = code_versions.rule(ent.code_version, ent.rule).ways
            state = next(w.result for w in ways if w.code == way)
            entitlements.close(ent, state, at=at, way=way, detail=detail, by=oic)
            if ent.rule == "contact_update":
                plan = entitlements.current_plans([link.id]).get(link.id)
                entitlements.next_update(link, plan, at, ent.enhanced, oic)


def _when_met(ent: Entitlement, rng: random.Random, now: datetime, end_of_today: datetime) -> datetime | None:
    start = ent.triggered_at
    if ent.due_at is None:
        # The Victim Personal Statement, offered with the witness statement or not yet.
        return (
            min(start + timedelta(days=rng.randrange(1, 6)), now - timedelta(minutes=10))
            if rng.random() < 0.35
            else None
        )
    if ent.due_at >= now:
        # Not due yet: some done already. Agreed updates wait for their date.
        if ent.rule == "contact_update" or ent.due_at <= end_of_today or rng.random() >= MET_EARLY:
            return None
        return start + (now - start) * rng.uniform(0.2, 0.9)
    roll = rng.random()
    if roll < ON_TIME:
        return start + (ent.due_at - start) * rng.uniform(0.1, 0.9)
    if roll < LATE:
        return ent.due_at + (now - ent.due_at) * rng.uniform(0.05, 0.6)
    return None


def _way(ent: Entitlement, crime: Crime, link: CrimeVictim, rng: random.Random) -> tuple[str, str | None]:
    by_email = link.victim.email is not None
    if ent.rule == "acknowledgement":
        return ("email" if by_email else "letter"), None
    if ent.rule == "needs_assessment":
        return rng.choice(["needs_identified", "no_needs"]), None
    if ent.rule == "referral":
        if rng.random() < DECLINED_REFERRAL:
            return "victim_declined", None
        return "referred", SUPPORT_FOR_GROUP.get(crime.offence_group, "victim_support")
    if ent.rule == "vps_offer":
        return rng.choice(["offered", "offered", "made", "declined_by_victim"]), None
    return rng.choice(["phone", "phone", "visit", "email" if by_email else "letter"]), None


def _special_cases(made, sam: StaffMember, ddm: StaffMember, now: datetime) -> None:
    """An officer's assessment of enhanced rights, a complaint, a request for review,
    and a cancelled crime record, each through the service staff use."""
    rights = entitlements.current_rights(link.id for _, links, _ in made for link in links)
    open_crimes = [
        (crime, links[0], oic) for crime, links, oic in made if crime.outcome is None and len(links) == 1
    ]
    used = set()

    # Targeted again: assessed as persistently targeted.
    found = next(
        (
            (c, link)
            for c, link, oic in open_crimes
            if oic is sam and not rights[link.id] and c.stage == "under_investigation"
        ),
        None,
    )
    if found:
        used.add(found[0].id)
        victims_code_actions.assess_enhanced_rights(
            found[1], {"persistently_targeted": "assessed"}, "Third time targeted at home this year.", sam
        )

    # A complaint that no one has been in touch, received two days ago.
    found = next(
        (
            (c, link)
            for c, link, oic in open_crimes
            if oic is sam and c.reported_at < now - timedelta(days=20) and c.id not in used
        ),
        None,
    )
    if found:
        used.add(found[0].id)
        summary = "No one has told the victim what is happening with the investigation."
        victims_code_actions.record_complaint(found[1], now - timedelta(days=2), summary, sam)

    # A review of a decision not to charge a suspect who was arrested and interviewed.
    for crime, links, oic in made:
        if crime.outcome in VRR_OUTCOMES and entitlements.review_applies(crime):
            requested = min(crime.outcome_at + timedelta(days=2), now - timedelta(minutes=1))
            acknowledge, _decide = victims_code_actions.record_review_request(links[0], requested, oic)
            victims_code_actions.record_action(
                acknowledge, "acknowledged", min(requested + timedelta(days=3), now), oic
            )
            break

    # Part of an incident already recorded for the same victim, cancelled by a
    # Designated Decision Maker.
    found = next(
        (
            (c, first)
            for c, link, _ in reversed(open_crimes)
            if c.stage in ("under_investigation", "reported")
            and not link.victim.is_active
            and c.id not in used
            for first, others, _ in made
            if first.id < c.id and others[0].victim_id == link.victim_id
        ),
        None,
    )
    if found:
        crime, original = found
        evidence = f"Part of the same incident as {original.reference}, recorded first; the investigation continues on that record."
        victims_code_actions.cancel_crime(crime, "C3", evidence, ddm)


def _messages(made, now: datetime) -> None:
    """Conversations between the victims who use the service and their officers: one
    answered, one with a new message for the officer, one left unanswered long enough
    for the supervisor to see it; and a notification that could not be sent."""
    online = [(crime, link, oic) for crime, links, oic in made for link in links if link.victim.is_active]
    day = timedelta(days=1)

    def say(link, crime, oic, sender, body, at, read=True):
        db.session.add(
            SecureMessage(
                crime_victim_id=link.id,
                crime_id=crime.id,
                sender=sender,
                body=body,
                sent_at=at,
                author_id=oic.id if sender == "staff" else None,
                to_staff_id=oic.id if sender == "victim" else None,
                read_at=at + timedelta(hours=2) if read else None,
            )
        )

    if len(online) >= 1:
        crime, link, oic = online[0]
        say(
            link,
            crime,
            oic,
            "victim",
            "Hello, is there any news about the CCTV from the shops?",
            now - 4 * day,
        )
        say(
            link,
            crime,
            oic,
            "staff",
            "Hello. We have the footage now and are going through it. I will update you by Friday.",
            now - 3 * day,
        )
        say(
            link,
            crime,
            oic,
            "victim",
            "Thank you. I also remembered that a grey van was parked outside that evening.",
            now - timedelta(hours=5),
            read=False,
        )
    if len(online) >= 2:
        crime, link, oic = online[1]
        say(
            link,
            crime,
            oic,
            "victim",
            "Can I get my bike back yet? I need it for work.",
            calendar.start_of_local_day(calendar.local_date(now) - 7 * day) + timedelta(hours=10),
            read=False,
        )
    welsh = next(((c, link, o) for c, link, o in online if link.victim.preferred_language == "cy"), None)
    if welsh:
        crime, link, oic = welsh
        say(
            link,
            crime,
            oic,
            "victim",
            "Diolch am y diweddariad. Pryd fydd y canlyniadau fforensig yn barod?",
            now - 6 * day,
        )
        say(
            link,
            crime,
            oic,
            "staff",
            "Rydym yn disgwyl y canlyniadau ymhen pythefnos. Byddaf yn rhoi gwybod i chi.",
            now - 5 * day,
        )
        # The email provider was down for longer than the retries last.
        failed = OutboxMessage(
            kind="new_update",
            victim_id=link.victim_id,
            crime_id=crime.id,
            status="failed",
            attempts=3,
            next_attempt_at=now - 2 * day,
            channel="email",
            reason="gave_up",
            created_at=now - 2 * day - timedelta(hours=3),
            finished_at=now - 2 * day,
        )
        db.session.add(failed)
        db.session.flush()
        for number in range(1, 4):
            db.session.add(
                OutboxAttempt(
                    message_id=failed.id,
                    number=number,
                    at=failed.created_at + timedelta(hours=number),
                    channel="email",
                    outcome="retry" if number < 3 else "failed",
                    detail="SMTP SMTPServerDisconnected",
                )
            )
    # A victim asked online for an update this morning: the officer owes an answer.
    waiting = next(
        ((c, link) for c, link, _oic in online if c.outcome is None and c.cancelled_at is None), None
    )
    if waiting:
        entitlements.open_entitlement(
            waiting[1], "update_request", now - timedelta(hours=3), False, detail="Has the CCTV been checked?"
        )


def logins() -> list[tuple[str, str, str, str | None]]:
    """(who, where, email, authenticator key) for every demo account; all use
    DEMO_PASSWORD. Staff also need a code from an authenticator app holding their key;
    victims have no key."""
    query = select(StaffMember.email, StaffMember.totp_secret).where(
        StaffMember.email.in_([s[2] for s in STAFF])
    )
    keys = {email: totp.opened_secret(sealed) for email, sealed in db.session.execute(query)}
    rows = [
        (f"{name} ({', '.join(roles)})", "/backoffice", email, keys.get(email))
        for name, _, email, _, roles in STAFF
    ]
    rows += [
        (f"{name} (victim, {'Welsh' if lang == 'cy' else 'English'})", "/", email, None)
        for name, email, lang, active in VICTIMS
        if active and email
    ]
    rows.append((f"{CHILD_PARENT[0]} (parent of a child victim)", "/", CHILD_PARENT[1], None))
    return rows
