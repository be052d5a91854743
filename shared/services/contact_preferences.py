"""A victim manages, on the portal, how she is kept up to date about one of her cases
(Right 6: "updates at a frequency and by a channel agreed with the victim, changeable at
any time"): how often, from the choices the force allows (UPDATE_FREQUENCY_CHOICES), or no
regular updates; by which channel, including through the intermediary the officer named;
and in which language, or another through an interpreter.

Each change is a new row of the contact plan marked as the victim's (`by_victim`), so
the plan's history says who changed what; the officer in charge finds it on their task
list until they open the plan (`seen`). Whether it is safe to contact her is the police's
alone: she never sees it, and her change keeps it as it is, so a victim the police marked
not safe to contact is sent nothing whatever she chooses (shared.services.outbox_routing).
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from shared.domain.reference_data import INTERMEDIARY, LANGUAGE_NAMES, PLAN_CHANNEL_LABELS
from shared.domain.victims_code_rules import DEFAULT_UPDATE_FREQUENCY_CHOICES
from shared.extensions import db
from shared.models import ContactPlan, Crime, CrimeVictim, StaffMember, Victim
from shared.models.types import utcnow
from shared.services import entitlements
from shared.services.errors import ServiceError
from shared.services.unit_of_work import transactional
from shared.services.victims_code_actions import (
    Intermediary,
    intermediary_of,
    interpreter_words,
    write_plan,
)
from shared.translation import lazy_gettext as _l

# The language choice for "another language, with an interpreter".
OTHER_LANGUAGE = "other"


@dataclass(frozen=True)
class Preferences:
    """What the victim sees of her contact plan and may change: never whether it is safe
    to contact her, nor the officer's note."""

    frequency_days: int
    opted_out: bool
    channel: str
    language: str
    interpreter_language: str | None
    intermediary: Intermediary | None

    @property
    def language_choice(self) -> str:
        return OTHER_LANGUAGE if self.interpreter_language else self.language


def frequency_choices(current: Preferences | None = None) -> tuple[int, ...]:
    """The frequencies the victim may choose: the force's, and the one she has now (the
    officer may have agreed another with her)."""
    offered = set(current_app.config["UPDATE_FREQUENCY_CHOICES"])
    if current is not None:
        offered.add(current.frequency_days)
    return tuple(sorted(offered))


def _standard_frequency() -> int:
    return entitlements.timescale("contact_update", False) or DEFAULT_UPDATE_FREQUENCY_CHOICES[-1]


def preferences(link: CrimeVictim) -> Preferences:
    """The victim's current preferences for this case, as she may see them."""
    plan = entitlements.current_plans([link.id]).get(link.id)
    if plan is None:
        victim = link.victim
        return Preferences(
            _standard_frequency(),
            False,
            victim.contact_channel,
            victim.preferred_language,
            None,
            None,
        )
    return Preferences(
        plan.frequency_days,
        plan.opted_out,
        plan.channel,
        plan.language,
        plan.interpreter_language,
        intermediary_of(plan),
    )


@transactional
def change(
    link: CrimeVictim,
    victim: Victim,
    *,
    frequency_days: int | None,
    channel: str,
    language: str,
    interpreter_language: str | None,
) -> ContactPlan:
    """The victim's new preferences for this case; commit. `frequency_days` None asks for
    no regular updates; `language` OTHER_LANGUAGE is English through an interpreter in
    `interpreter_language`. Raises ServiceError naming the field (a frequency the force
    does not offer, an unknown channel, an intermediary not named, a missing mobile
    number or language); then nothing is kept. What only the police set (safe to
    contact, the intermediary, the note) stays as it is."""
    current = entitlements.current_plans([link.id]).get(link.id)
    if frequency_days is not None and frequency_days not in frequency_choices(preferences(link)):
        raise ServiceError(_l("Select how often you want an update"), "frequency")
    if channel not in PLAN_CHANNEL_LABELS:
        raise ServiceError(_l("Select how you want us to contact you"), "channel")
    intermediary = intermediary_of(current)
    if channel == INTERMEDIARY and intermediary is None:
        raise ServiceError(_l("Select how you want us to contact you"), "channel")
    if channel in ("sms", "phone") and not victim.phone:
        raise ServiceError(
            _l(
                "We do not have a phone number for you. Send a message to the officer in charge to give us one."
            ),
            "channel",
        )
    if language == OTHER_LANGUAGE:
        interpreter = interpreter_words(interpreter_language)
        if interpreter is None:
            raise ServiceError(_l("Enter the language you want to use"), "interpreter_language")
        language = "en"
    elif language in LANGUAGE_NAMES:
        interpreter = None
    else:
        raise ServiceError(_l("Select the language you want us to use"), "language")
    opted_out = frequency_days is None
    if frequency_days is None:
        # Kept as it was, for when she asks for regular updates again.
        frequency_days = current.frequency_days if current is not None else _standard_frequency()
    plan = ContactPlan(
        crime_victim_id=link.id,
        frequency_days=frequency_days,
        channel=channel,
        language=language,
        interpreter_language=interpreter,
        intermediary_name=intermediary.name if intermediary else None,
        intermediary_role=intermediary.role if intermediary else None,
        intermediary_contact=intermediary.contact if intermediary else None,
        safe_to_contact=current.safe_to_contact if current is not None else True,
        opted_out=opted_out,
        by_victim=True,
    )
    return write_plan(link, plan, victim)


def unseen_for(staff: StaffMember, limit: int) -> list[tuple[ContactPlan, Crime, str]]:
    """The victims' changes to their contact plans on the crimes `staff` is in charge of
    that they have not opened yet, oldest first: each plan with its crime and the
    victim's name. Only a plan that is still current counts."""
    newest = (
        select(ContactPlan.crime_victim_id, func.max(ContactPlan.id).label("id"))
        .group_by(ContactPlan.crime_victim_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ContactPlan, Crime, Victim.name)
        .join(newest, newest.c.id == ContactPlan.id)
        .join(CrimeVictim, CrimeVictim.id == ContactPlan.crime_victim_id)
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .join(Victim, Victim.id == CrimeVictim.victim_id)
        .where(
            ContactPlan.by_victim.is_(True),
            ContactPlan.seen_at.is_(None),
            Crime.officer_in_charge_id == staff.id,
        )
        .order_by(ContactPlan.changed_at, ContactPlan.id)
        .limit(limit)
    )
    return [(plan, crime, name) for plan, crime, name in rows]


@transactional
def seen(link: CrimeVictim, staff: StaffMember) -> None:
    """The officer in charge opened the victim's contact plan: her changes are seen;
    commit. Anyone else looking leaves them on the officer's list."""
    if link.crime.officer_in_charge_id != staff.id:
        return
    for plan in db.session.scalars(
        select(ContactPlan).where(
            ContactPlan.crime_victim_id == link.id,
            ContactPlan.by_victim.is_(True),
            ContactPlan.seen_at.is_(None),
        )
    ):
        plan.seen_at = utcnow()
