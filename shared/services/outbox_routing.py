"""Where a notification goes, or why it does not, decided when it is sent rather than
when it was queued: nothing goes to a victim marked not safe to contact, nothing about a
case to one who opted out, and the channel and language are the contact plan's as it is
now. For a child victim, who is contacted (the parent or guardian, the child, or both) is
the one recorded now (shared.services.guardians)."""

from dataclasses import dataclass

from sqlalchemy import select

from shared.domain.notification_kinds import KINDS
from shared.extensions import db
from shared.models import CrimeVictim, Guardian, OutboxMessage, StaffMember, Victim
from shared.services import entitlements, guardians


def account_withheld_reason(victim: Victim, *, own_crimes_only: bool = False) -> str | None:
    """Why no account message (an invitation, a password reset) may go to this victim:
    'not_safe' when any of their contact plans says it is not safe, else None. A record
    waiting for the owner of its email address to confirm it (`Victim.same_as_id`)
    writes to her address, so her own plans count too, unless `own_crimes_only` (what
    the officer inviting may be told, who must learn nothing of her other crimes)."""
    people = [victim.id]
    if victim.same_as_id is not None and victim.merged_at is None and not own_crimes_only:
        people.append(victim.same_as_id)
    links = db.session.scalars(select(CrimeVictim.id).where(CrimeVictim.victim_id.in_(people))).all()
    # A parent or guardian's account follows their children's cases: their plans count.
    links = [
        *links,
        *db.session.scalars(select(Guardian.crime_victim_id).where(Guardian.account_id.in_(people))),
    ]
    plans = entitlements.current_plans(links)
    if any(not plan.safe_to_contact for plan in plans.values()):
        return "not_safe"
    return None


@dataclass(frozen=True)
class Route:
    """Where a message goes, or why it does not: `withheld` or `failed` names a reason."""

    channel: str | None = None
    to: str | None = None
    language: str = "en"
    withheld: str | None = None
    failed: str | None = None

    def destination(self) -> tuple[str, str]:
        """The channel and address of a route that goes (neither withheld nor failed),
        which always has both."""
        if self.channel is None or self.to is None:
            raise ValueError(f"a route that does not go has no destination: {self}")
        return self.channel, self.to


def route(message: OutboxMessage, channels: tuple[str, ...]) -> Route:
    """Decide, now, whether the message may go and by which channel, to which address and
    in which language."""
    kind = KINDS[message.kind]
    if kind.audience == "staff":
        member = db.session.get(StaffMember, message.staff_id)
        if member is not None and not member.is_active and kind.about == "case":
            # An alert to a disabled account goes nowhere (a set-up link is its own way in).
            return Route(withheld="disabled")
        return Route("email", member.email, "en") if member and member.email else Route(failed="no_address")
    victim = db.session.get_one(Victim, message.victim_id)
    if kind.about == "account":
        reason = account_withheld_reason(victim)
        if reason:
            return Route(withheld=reason)
        channel, language = "email", victim.preferred_language
    else:
        link = db.session.scalar(
            select(CrimeVictim).where(
                CrimeVictim.crime_id == message.crime_id, CrimeVictim.victim_id == victim.id
            )
        )
        whom = "victim"
        if link is None:
            # A parent or guardian holding the account that follows a child's case.
            link = guardians.followed_case(victim, message.crime_id)
            whom = "guardian"
        if link is not None and whom not in guardians.reached(link):
            # Who the police contact about a child's case is recorded: the other is not sent it.
            return Route(withheld="not_contacted")
        plan = entitlements.current_plans([link.id]).get(link.id) if link is not None else None
        if plan is not None and not plan.safe_to_contact:
            return Route(withheld="not_safe")
        if plan is not None and plan.opted_out:
            return Route(withheld="opted_out")
        if link is None or not victim.is_active:
            return Route(withheld="no_account")
        channel = plan.channel if plan is not None else victim.contact_channel
        language = plan.language if plan is not None else victim.preferred_language
        if channel not in ("email", "sms"):
            return Route(withheld="channel")
        if channel == "sms" and "sms" not in channels:
            return Route(channel=channel, failed="no_channel")
    to = victim.email if channel == "email" else victim.phone
    if not to:
        return Route(channel=channel, failed="no_address")
    return Route(channel, to, language)
