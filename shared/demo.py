"""Realistic sample data for a demonstration or a pilot's training environment."""

import random
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.codes import OFFENCES, OUTCOMES, UPDATE_KINDS
from shared.extensions import db
from shared.models import (
    Crime,
    CrimeVictim,
    InternalNote,
    InvestigationUpdate,
    StaffMember,
    StaffRole,
    Team,
    Victim,
)
from shared.services import totp
from shared.services.passwords import hash_password

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (printed for the demo; never a real account)

STAFF = [
    # name, collar number, email, team, roles
    ("Sam Taylor", "4521", "sam.taylor@police.example", "North Investigation Team", ["officer"]),
    ("Rhys Evans", "7310", "rhys.evans@police.example", "North Investigation Team", ["officer"]),
    ("Priya Shah", "2201", "priya.shah@police.example", "North Investigation Team", ["officer", "supervisor"]),
    ("Dafydd Morgan", "5187", "dafydd.morgan@police.example", "South Safeguarding Team", ["officer"]),
    ("Helen Carter", "1105", "helen.carter@police.example", "Crime Standards", ["ddm"]),
    ("Martin Okafor", "0042", "martin.okafor@police.example", "Crime Standards", ["fcr"]),
    ("Grace Lee", "A1187", "grace.lee@police.example", "Performance and Insight", ["analyst"]),
    ("Nia Roberts", "P0301", "nia.roberts@pcc.example", "Office of the Police and Crime Commissioner", ["pcc"]),
    ("Alex Morgan", "A0001", "alex.morgan@police.example", "Performance and Insight", ["admin"]),
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

UPDATE_TEXTS = {
    "en": [
        ("general", "We have spoken to your neighbours and asked whether anyone saw what happened."),
        ("general", "We have asked for CCTV from the shops nearby. It can take up to two weeks to get it."),
        ("general", "Forensic officers examined the scene. We will tell you if the results identify anyone."),
        ("arrest", "We arrested a suspect this morning. They are being held at the police station while we investigate."),
        ("interview", "The suspect was interviewed today. We are now reviewing what they said against the evidence."),
        ("bail", "The suspect has been released on bail with conditions not to contact you or go to your street."),
        ("charge", "The suspect has been charged. The Witness Care Unit will contact you about court dates."),
    ],
    "cy": [
        ("general", "Rydym wedi siarad â'ch cymdogion ac wedi gofyn a welodd unrhyw un beth ddigwyddodd."),
        ("general", "Rydym wedi gofyn am luniau teledu cylch cyfyng gan y siopau cyfagos. Gall gymryd hyd at bythefnos."),
        ("arrest", "Rydym wedi arestio rhywun a ddrwgdybir y bore yma."),
    ],
}

NOTES = [
    "Suspect known to local officers; intelligence log 4471 refers.",
    "Victim prefers contact after 5pm. Check safeguarding referral before next visit.",
    "Forensic submission ref FS-2291. Awaiting lab capacity.",
]


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(StaffMember))


def load(now: datetime | None = None, crimes: int = 50, seed: int = 2026) -> None:
    """Fill an empty database with staff, victims, about 50 crimes and their updates."""
    rng = random.Random(seed)  # noqa: S311  (repeatable sample data, not security)
    now = now or datetime.now(UTC)
    password_hash = hash_password(DEMO_PASSWORD)

    teams = {}
    staff = []
    for name, collar, email, team_name, roles in STAFF:
        team = teams.get(team_name)
        if team is None:
            team = teams[team_name] = Team(name=team_name)
            db.session.add(team)
        # A fresh authenticator key per load: printed with the logins, to add to an app.
        member = StaffMember(
            name=name, collar_number=collar, email=email, team=team, password_hash=password_hash,
            totp_secret=totp.new_secret(),
        )
        member.role_rows = [StaffRole(role=role) for role in roles]
        db.session.add(member)
        staff.append(member)
    db.session.flush()
    officers = [s for s in staff if "officer" in s.roles]
    author_for = {s.id: s for s in officers}

    victims = []
    for name, email, language, active in VICTIMS:
        victim = Victim(
            name=name,
            email=email,
            date_of_birth=datetime(1970 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 28)).date(),
            phone="07700 900" + str(rng.randrange(100, 999)),
            preferred_language=language,
            contact_channel="email" if email else "phone",
            password_hash=password_hash if active else None,
            activated_at=now - timedelta(days=20) if active else None,
        )
        db.session.add(victim)
        victims.append(victim)
    db.session.flush()

    offence_codes = list(OFFENCES)
    stage_weights = [("reported", 5), ("under_investigation", 20), ("suspect_identified", 8), ("awaiting_decision", 5), ("charged", 4), ("at_court", 3), ("closed", 10)]
    stages = [s for s, w in stage_weights for _ in range(w)]
    for number in range(1, crimes + 1):
        # The first officer carries a full caseload, so "My cases" has more than one page.
        oic = officers[0] if number % 3 != 0 else rng.choice(officers)
        reported = now - timedelta(days=rng.randrange(1, 120), hours=rng.randrange(24))
        stage = stages[number % len(stages)]
        crime = Crime(
            reference=f"43/{10000 + number * 37:05d}/26",
            offence=offence_codes[number % len(offence_codes)],
            offence_group=OFFENCES[offence_codes[number % len(offence_codes)]].group,
            occurred_at=reported - timedelta(hours=rng.randrange(1, 72)),
            reported_at=reported,
            recorded_at=reported + timedelta(hours=rng.randrange(1, 20)),
            stage=stage,
            officer_in_charge_id=oic.id,
            team_id=oic.team_id,
        )
        if stage == "closed":
            crime.outcome = rng.choice([o for o in OUTCOMES if o != 1])
            crime.outcome_at = now - timedelta(days=rng.randrange(1, 10))
        elif stage in ("charged", "at_court"):
            crime.outcome = 1
            crime.outcome_at = now - timedelta(days=rng.randrange(1, 10))
        db.session.add(crime)
        db.session.flush()

        # Demo victims with accounts get the first crimes; the rest go round the others.
        victim = victims[0] if number in (1, 2) else victims[1] if number == 3 else victims[2 + number % (len(victims) - 2)]
        db.session.add(CrimeVictim(crime_id=crime.id, victim_id=victim.id, public_id=secrets.token_urlsafe(16), added_by_id=oic.id))
        texts = UPDATE_TEXTS["cy" if victim.preferred_language == "cy" else "en"]
        at = crime.recorded_at
        for index in range(rng.randrange(1, 6)):
            at = min(at + timedelta(days=rng.randrange(1, 8), hours=rng.randrange(8)), now - timedelta(minutes=5))
            kind, text = texts[index % len(texts)]
            update = InvestigationUpdate(
                crime_id=crime.id,
                kind=kind if kind in UPDATE_KINDS else "general",
                victim_text=text,
                visible_to_victim=rng.random() > 0.15,
                author_id=author_for[oic.id].id,
                created_at=at,
            )
            db.session.add(update)
            if rng.random() < 0.3:
                db.session.flush()
                db.session.add(InternalNote(update_id=update.id, text=rng.choice(NOTES)))
    db.session.commit()


def logins() -> list[tuple[str, str, str, str | None]]:
    """(who, where, email, authenticator key) for every demo account; all use
    DEMO_PASSWORD. Staff also need a code from an authenticator app holding their key;
    victims have no key."""
    query = select(StaffMember.email, StaffMember.totp_secret).where(StaffMember.email.in_([s[2] for s in STAFF]))
    keys = dict(db.session.execute(query).all())
    rows = [
        (f"{name} ({', '.join(roles)})", "/backoffice", email, keys.get(email))
        for name, _, email, _, roles in STAFF
    ]
    rows += [
        (f"{name} (victim, {'Welsh' if lang == 'cy' else 'English'})", "/", email, None)
        for name, email, lang, active in VICTIMS
        if active
    ]
    return rows
