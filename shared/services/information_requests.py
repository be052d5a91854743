"""Requests to a third party for information about a victim, and the written notice owed
for each (Victims and Prisoners Act 2024 s.28; shared.domain.information_requests).

Recording a request opens the entitlement `info_request_notice`, due by the rules from
the day of the request. The notice goes to the victim, or for a victim under 18 that day
to the parent or guardian the officer names. The victim's portal shows each request in
plain words; for a victim who uses it, is safe to contact and is told herself, that page
is the written notice and the service tells her there is something new (through the
outbox, which checks again when it sends). Nothing goes out by itself to a victim who is
not safe to contact: the officer must choose a safe route, and records the notice given
by it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import format_date
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from shared.domain import information_requests as rules
from shared.domain.children import ADULT_AGE
from shared.domain.victims_code_rules import PORTAL_WAY, SAFE_ROUTE_WAYS
from shared.extensions import db
from shared.models import CrimeVictim, Entitlement, InformationRequest
from shared.models.types import utcnow
from shared.services import actors, audit, calendar, entitlements, guardians, outbox
from shared.services.actors import Actor
from shared.services.errors import Conflict, ServiceError
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

if TYPE_CHECKING:
    from shared.services.information_request_input import InformationRequestIn


@dataclass(frozen=True)
class RequestDetails:
    """A request as the officer or the records system gives it, before it is checked."""

    recipient_kind: str | None
    recipient_name: str | None
    information_sought: str | None
    purpose: str | None
    handling: str | None
    requested_at: datetime | None
    guardian_name: str | None = None
    guardian_relationship: str | None = None
    safe_route: str | None = None
    safe_route_detail: str | None = None


def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def _text(value: str | None, missing: str | LazyString, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(missing, field)
    if len(value) > rules.MAX_NOTICE_TEXT:
        raise ServiceError(
            _l("Enter %(max)d characters or fewer", max=rules.MAX_NOTICE_TEXT),
            field,
        )
    return value


def _short(value: str | None, field: str) -> str | None:
    value = _line(value)
    if len(value) > rules.MAX_NAME:
        raise ServiceError(_l("Enter %(max)d characters or fewer", max=rules.MAX_NAME), field)
    return value or None


def _age_on(link: CrimeVictim, at: datetime) -> int | None:
    born = link.victim.date_of_birth
    if born is None:
        return None
    day = calendar.local_date(at)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def not_safe_to_contact(link: CrimeVictim) -> bool:
    """The victim's contact plan says it is not safe to contact her."""
    plan = entitlements.current_plans([link.id]).get(link.id)
    return plan is not None and not plan.safe_to_contact


def _check_date(link: CrimeVictim, at: datetime | None) -> datetime:
    if at is None:
        raise ServiceError(_l("Enter the date of the request"), "requested_at")
    now = utcnow()
    if calendar.local_date(at) > calendar.local_date(now) or at > now + timedelta(minutes=1):
        raise ServiceError(_l("The date of the request must be today or in the past"), "requested_at")
    happened = calendar.local_date(link.crime.occurred_at)
    if calendar.local_date(at) < happened:
        raise ServiceError(
            _l(
                "The date of the request must be on or after %(day)s, when the crime happened",
                day=format_date(happened, "d MMMM yyyy"),
            ),
            "requested_at",
        )
    return at


def _checked(link: CrimeVictim, details: RequestDetails) -> dict:
    """The request's columns, checked: each refusal names its field."""
    if not details.recipient_kind:
        raise ServiceError(_l("Select who is being asked for the information"), "recipient_kind")
    if details.recipient_kind not in rules.RECIPIENT_KINDS:
        raise ServiceError(
            _l("Select who is being asked for the information from the list"), "recipient_kind"
        )
    name = _short(details.recipient_name, "recipient_name")
    if not name:
        raise ServiceError(_l("Enter the name of who is being asked"), "recipient_name")
    at = _check_date(link, details.requested_at)
    out = {
        "recipient_kind": details.recipient_kind,
        "recipient_name": name,
        "information_sought": _text(
            details.information_sought, _l("Enter what information is being asked for"), "information_sought"
        ),
        "purpose": _text(details.purpose, _l("Enter why the information is needed"), "purpose"),
        "handling": _text(details.handling, _l("Enter how the information will be handled"), "handling"),
        "requested_at": at,
    }
    out.update(_guardian(link, details, at))
    out.update(_route(link, details))
    return out


def _guardian(link: CrimeVictim, details: RequestDetails, at: datetime) -> dict:
    """For a victim under 18 on the day of the request, the parent or guardian told:
    required. For a victim known to be an adult, refused. Without a date of birth, the
    officer's choice."""
    name = _short(details.guardian_name, "guardian_name")
    relationship = details.guardian_relationship or None
    age = _age_on(link, at)
    recorded = guardians.guardian_of(link)
    if age is not None and age < ADULT_AGE and not name and not relationship and recorded is not None:
        # The parent or guardian recorded for the child on this crime, unless the officer
        # names another.
        name, relationship = recorded.name, recorded.relationship
    if age is not None and age >= ADULT_AGE:
        if name or relationship:
            raise ServiceError(
                _l("The victim was 18 or over on the day of the request: the notice goes to them"),
                "guardian_name",
            )
        return {"guardian_name": None, "guardian_relationship": None}
    if age is not None and not name:
        raise ServiceError(
            _l("The victim was under 18 on the day of the request: enter the parent or guardian to tell"),
            "guardian_name",
        )
    if name and relationship not in rules.GUARDIAN_RELATIONSHIPS:
        raise ServiceError(_l("Select whether they are a parent or a guardian"), "guardian_relationship")
    if relationship and not name:
        raise ServiceError(_l("Enter the name of the parent or guardian"), "guardian_name")
    return {"guardian_name": name, "guardian_relationship": relationship if name else None}


def _route(link: CrimeVictim, details: RequestDetails) -> dict:
    """A victim not safe to contact is told only by a safe route the officer chooses."""
    route = details.safe_route or None
    if route is not None and route not in rules.SAFE_ROUTES:
        raise ServiceError(_l("Select a safe way to give the notice from the list"), "safe_route")
    if route is None and not_safe_to_contact(link):
        raise ServiceError(
            _l("It is not safe to contact the victim: choose a safe way to give the notice"), "safe_route"
        )
    detail = _short(details.safe_route_detail, "safe_route_detail")
    return {"safe_route": route, "safe_route_detail": detail if route else None}


def _tells_online(link: CrimeVictim, request: InformationRequest) -> bool:
    """The portal page is the written notice: the person told reads the case online
    (the victim herself, or the recorded parent or guardian whose account follows the
    child's case), is safe to contact, and no safe route was chosen."""
    if request.safe_route is not None or not_safe_to_contact(link):
        return False
    if request.guardian_name is None:
        return link.victim.is_active
    guardian = guardians.receiving_rights(link)
    return (
        guardian is not None
        and guardian.name == request.guardian_name
        and guardian.account is not None
        and guardian.account.is_active
    )


def held(link: CrimeVictim, source_ref: str) -> InformationRequest | None:
    return db.session.scalar(
        select(InformationRequest).where(
            InformationRequest.crime_id == link.crime_id, InformationRequest.source_ref == source_ref
        )
    )


@transactional
def record_request(
    link: CrimeVictim, details: RequestDetails, by: Actor, *, source_ref: str | None = None
) -> InformationRequest:
    """Record a request for information about the victim, open the written notice she (or
    her parent or guardian) is owed, and commit. Raises ServiceError naming the field for
    a request that is incomplete or wrong, Conflict for a cancelled crime; then nothing
    is kept."""
    if link.crime.cancelled_at is not None:
        raise Conflict(_l("This crime record has been cancelled"))
    values = _checked(link, details)
    at = values["requested_at"]
    rights = entitlements.current_rights([link.id])[link.id]
    ent = entitlements.open_entitlement(
        link, rules.NOTICE_RULE, at, bool(rights), detail=values["recipient_name"], by=by
    )
    request = InformationRequest(
        crime_id=link.crime_id,
        crime_victim_id=link.id,
        entitlement_id=ent.id,
        created_by_id=actors.staff_id(by),
        api_client_id=actors.api_client_id(by),
        source_ref=source_ref,
        **values,
    )
    db.session.add(request)
    db.session.flush()
    if calendar.local_date(at) < rules.IN_FORCE:
        entitlements.close(ent, "not_applicable", reason="before_in_force", by=by)
    elif _tells_online(link, request):
        entitlements.close(ent, "met", at=request.created_at, way=PORTAL_WAY.code)
        outbox.enqueue("new_update", victim=link.victim, crime_id=link.crime_id)
    audit.record(
        "information_request.record",
        "crime",
        link.crime_id,
        detail=f"victim {link.id}: {values['recipient_kind']}, notice {ent.id}",
        actor=by,
    )
    return request


def check_notice_way(ent: Entitlement, way: str) -> None:
    """A notice for a victim not safe to contact, or for which the officer chose a safe
    route, is given only by a safe route: refused otherwise."""
    request = db.session.scalar(select(InformationRequest).where(InformationRequest.entitlement_id == ent.id))
    link = db.session.get_one(CrimeVictim, ent.crime_victim_id)
    safe_only = not_safe_to_contact(link) or (request is not None and request.safe_route is not None)
    if safe_only and way not in SAFE_ROUTE_WAYS.values():
        raise ServiceError(
            _l("It is not safe to contact the victim directly: give the notice by a safe route"), "way"
        )


def of_victim(link: CrimeVictim) -> list[InformationRequest]:
    """The victim's requests on this crime, newest first."""
    return list(
        db.session.scalars(
            select(InformationRequest)
            .where(InformationRequest.crime_victim_id == link.id)
            .order_by(InformationRequest.requested_at.desc(), InformationRequest.id.desc())
        )
    )


def by_entitlement(ids: list[int]) -> dict[int, InformationRequest]:
    """The requests behind these notice entitlements, by entitlement id. One query."""
    if not ids:
        return {}
    return {
        request.entitlement_id: request
        for request in db.session.scalars(
            select(InformationRequest).where(InformationRequest.entitlement_id.in_(ids))
        )
    }


def notices(requests: list[InformationRequest]) -> dict[int, tuple[Entitlement, str]]:
    """Each request's notice entitlement with its status now, by entitlement id. One query."""
    ids = [request.entitlement_id for request in requests]
    if not ids:
        return {}
    status = entitlements.status_expression(utcnow()).label("status")
    rows = db.session.execute(select(Entitlement, status).where(Entitlement.id.in_(ids)))
    return {ent.id: (ent, state) for ent, state in rows}


# --------------------------------------------------------------- the records system


def from_records_system(
    link: CrimeVictim, data: "InformationRequestIn", by: Actor
) -> tuple[str, InformationRequest]:
    """A request a records system sends (shared.services.information_request_input): the
    same `request_id` again changes nothing ("unchanged"); the same id for another
    recipient or day is a Conflict. Otherwise as recorded in the back office ("created")."""
    existing = held(link, data.request_id)
    if existing is not None:
        if existing.crime_victim_id != link.id or existing.recipient_kind != data.recipient.kind:
            raise Conflict("This request_id is already recorded for another request", "request_id")
        return "unchanged", existing
    details = RequestDetails(
        recipient_kind=data.recipient.kind,
        recipient_name=data.recipient.name,
        information_sought=data.information_sought,
        purpose=data.purpose,
        handling=data.handling,
        requested_at=data.requested_at,
        guardian_name=data.guardian.name if data.guardian else None,
        guardian_relationship=data.guardian.relationship if data.guardian else None,
        safe_route=data.safe_route.route if data.safe_route else None,
        safe_route_detail=data.safe_route.detail if data.safe_route else None,
    )
    return "created", record_request(link, details, by, source_ref=data.request_id)


def status_of(request: InformationRequest) -> dict:
    """The request as the API answers it, with its notice's status now."""
    ent, state = notices([request])[request.entitlement_id]
    return {
        "request_id": request.source_ref,
        "recipient_kind": request.recipient_kind,
        "requested_at": request.requested_at,
        "notice_to": "guardian" if request.guardian_name else "victim",
        "notice": {"due_at": ent.due_at, "status": state, "met_at": ent.met_at, "way": ent.way},
    }
