"""What the portal shows a victim of their own cases: the list and the case page, each a
fixed, small number of queries whatever the data size. Only the victim's own links are
ever found, and the cases of the children whose parent or guardian holds the account
(shared.services.guardians), until each child turns 18."""

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from shared.domain.feedback import POINTS
from shared.extensions import db
from shared.models import (
    CourtHearing,
    Crime,
    CrimeVictim,
    Entitlement,
    FeedbackInvitation,
    Guardian,
    InformationRequest,
    InvestigationUpdate,
    PropertyItem,
    SecureMessage,
    StaffMember,
    Victim,
)
from shared.models.types import utcnow
from shared.services import guardians, pager
from shared.services.pager import Page


def _held_by(victim_id: int | BindParameter[int], today: date | BindParameter[date]) -> ColumnElement[bool]:
    """The links the account `victim_id` may see on `today`: the victim's own, and those
    of the children whose parent or guardian holds it, before each turns 18."""
    children = select(Guardian.crime_victim_id).where(
        Guardian.account_id == victim_id, Guardian.ends_on > today
    )
    return or_(CrimeVictim.victim_id == victim_id, CrimeVictim.id.in_(children))


def cases_of(victim: Victim, page: int, per_page: int) -> Page:
    """A page of the victim's own crimes, and of the children's cases their account
    follows as parent or guardian, newest first. Two queries."""
    stmt = (
        select(CrimeVictim)
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .where(_held_by(victim.id, guardians.today()))
        .order_by(Crime.recorded_at.desc(), CrimeVictim.id.desc())
    )
    return pager.fetch_page(stmt, page, per_page)


@cache
def _case() -> Select:
    """A victim's link to one crime (parameters `victim_id` and `public_id`), with the
    crime and its officer in charge joined in and nothing else. Built once."""
    return (
        select(CrimeVictim)
        .options(
            lazyload(CrimeVictim.victim),
            joinedload(CrimeVictim.crime).options(
                lazyload(Crime.team), joinedload(Crime.officer_in_charge).lazyload(StaffMember.team)
            ),
        )
        .where(
            CrimeVictim.public_id == bindparam("public_id"),
            _held_by(bindparam("victim_id"), bindparam("today")),
        )
    )


@cache
def _case_page() -> Select:
    """What the victim's case page shows of their case (parameters `victim_id` and
    `public_id`), as one plain row: the crime, its officer in charge, the messages from
    staff the victim has not read, the number of updates meant for them, the update
    they asked for that is still to come, the newest update that is more than a general
    one, how many items of property are hers, at which points they have closed the
    feedback survey (`feedback_closed_<point>`), and the next hearing at court from `now`.
    Built once."""
    unread = (
        select(func.count())
        .where(
            SecureMessage.crime_victim_id == CrimeVictim.id,
            SecureMessage.sender == "staff",
            SecureMessage.read_at.is_(None),
        )
        .scalar_subquery()
    )
    shown = (
        select(func.count())
        .where(
            InvestigationUpdate.crime_id == CrimeVictim.crime_id,
            InvestigationUpdate.visible_to_victim.is_(True),
        )
        .scalar_subquery()
    )
    # The victim's request for an update still to be answered (one at most is open).
    asked = (
        select(Entitlement.triggered_at, Entitlement.due_at)
        .where(
            Entitlement.crime_victim_id == CrimeVictim.id,
            Entitlement.rule == "update_request",
            Entitlement.state == "open",
        )
        .order_by(Entitlement.id)
        .limit(1)
    )
    # The victim's own items of property (shared.services.property): her case page links
    # to them when there are any.
    own_property = (
        select(func.count()).where(PropertyItem.crime_victim_id == CrimeVictim.id).scalar_subquery()
    )
    # Requests to others for information about the victim (Victims and Prisoners Act 2024 s.28).
    information_requests = (
        select(func.count()).where(InformationRequest.crime_victim_id == CrimeVictim.id).scalar_subquery()
    )
    feedback_closed = [
        exists()
        .where(FeedbackInvitation.crime_victim_id == CrimeVictim.id, FeedbackInvitation.point == point)
        .label(f"feedback_closed_{point}")
        for point in POINTS
    ]
    # The newest update the victim can read that says more than a general update: a
    # decision not to investigate further stands while it is this one.
    latest = (
        select(InvestigationUpdate.id)
        .where(
            InvestigationUpdate.crime_id == CrimeVictim.crime_id,
            InvestigationUpdate.visible_to_victim.is_(True),
            InvestigationUpdate.kind != "general",
        )
        .order_by(InvestigationUpdate.created_at.desc(), InvestigationUpdate.id.desc())
        .limit(1)
    )
    # The next hearing at court: the first still listed from now on (parameter `now`).
    hearing = (
        select(CourtHearing.kind)
        .where(
            CourtHearing.crime_id == CrimeVictim.crime_id,
            CourtHearing.status == "listed",
            CourtHearing.starts_at >= bindparam("now", type_=CourtHearing.starts_at.type),
        )
        .order_by(CourtHearing.starts_at, CourtHearing.id)
        .limit(1)
    )
    return (
        select(
            CrimeVictim.public_id,
            # Whose case it is: the signed-in victim's own, or (not them) a child's whose
            # parent or guardian they are, by the child's name.
            (CrimeVictim.victim_id == bindparam("victim_id")).label("own"),
            select(Victim.name)
            .where(Victim.id == CrimeVictim.victim_id)
            .scalar_subquery()
            .label("victim_name"),
            Crime.id.label("crime_id"),
            Crime.reference,
            Crime.reported_at,
            Crime.stage,
            Crime.offence,
            Crime.outcome,
            Crime.cancelled_at,
            Crime.cancellation_reason,
            StaffMember.name.label("officer_name"),
            StaffMember.collar_number.label("officer_collar_number"),
            unread.label("unread_messages"),
            shown.label("victim_updates"),
            own_property.label("property_items"),
            information_requests.label("information_requests"),
            asked.with_only_columns(Entitlement.triggered_at).scalar_subquery().label("update_asked_at"),
            asked.with_only_columns(Entitlement.due_at).scalar_subquery().label("update_due_at"),
            *feedback_closed,
            latest.scalar_subquery().label("latest_event_id"),
            latest.with_only_columns(InvestigationUpdate.kind).scalar_subquery().label("latest_event_kind"),
            latest.with_only_columns(InvestigationUpdate.new_outcome)
            .scalar_subquery()
            .label("latest_event_outcome"),
            latest.with_only_columns(InvestigationUpdate.created_at)
            .scalar_subquery()
            .label("latest_event_at"),
            hearing.scalar_subquery().label("next_hearing_kind"),
            hearing.with_only_columns(CourtHearing.court_name).scalar_subquery().label("next_hearing_court"),
            hearing.with_only_columns(CourtHearing.starts_at).scalar_subquery().label("next_hearing_at"),
        )
        .join(Crime, Crime.id == CrimeVictim.crime_id)
        .join(StaffMember, StaffMember.id == Crime.officer_in_charge_id)
        .where(
            CrimeVictim.public_id == bindparam("public_id"),
            _held_by(bindparam("victim_id"), bindparam("today")),
        )
    )


def case_of(victim: Victim, public_id: str) -> CrimeVictim | None:
    """The victim's link to one crime, or None when it is not theirs. The crime and its
    officer in charge come in the same query; the victim is the one signed in."""
    return db.session.scalar(
        _case(), {"victim_id": victim.id, "public_id": public_id, "today": guardians.today()}
    )


def case_view(victim: Victim, public_id: str) -> Row[Any] | None:
    """The victim's case as their case page shows it (see `_case_page`), in one query;
    None when it is not theirs."""
    return db.session.execute(
        _case_page(),
        {"victim_id": victim.id, "public_id": public_id, "now": utcnow(), "today": guardians.today()},
    ).first()
