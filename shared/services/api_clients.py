"""Records systems' API clients: registration by an administrator (the secret is shown
once and only its hash kept), revocation, and the bearer tokens issued to them."""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, delete, func, select

from shared.extensions import db
from shared.models import API_SCOPES, ApiClient, ApiToken, IdempotencyRecord, StaffMember
from shared.models.api import digest
from shared.models.types import utcnow
from shared.services import audit, pager
from shared.services.errors import ServiceError
from shared.services.pager import Page
from shared.services.unit_of_work import transactional
from shared.translation import lazy_gettext as _l

MAX_NAME = 120


@transactional
def register(name: str, scopes: list[str], by: StaffMember | None) -> tuple[ApiClient, str]:
    """Register a records system and commit. Returns the client and its secret, which
    is never stored or shown again. Raises ServiceError for a missing or used name, or
    no scope."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Enter the name of the records system"), "name")
    if len(name) > MAX_NAME:
        raise ServiceError(_l("The name must be %(max)d characters or fewer", max=MAX_NAME), "name")
    if db.session.scalar(select(ApiClient.id).where(func.lower(ApiClient.name) == name.lower())) is not None:
        raise ServiceError(_l("A records system with this name is already registered"), "name")
    chosen = [scope for scope in API_SCOPES if scope in set(scopes or ())]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ServiceError(_l("Select what the records system may do"), "scopes")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        client_id="tmc-" + secrets.token_hex(12),
        secret_hash=digest(secret),
        scopes=" ".join(chosen),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(client)
    db.session.flush()
    audit.record("api_client.register", "api_client", client.id, detail=client.scopes, actor=by)
    return client, secret


@transactional
def revoke(client: ApiClient, by: StaffMember | None) -> None:
    """Stop the client and every token it holds at once, and commit."""
    if client.revoked_at is not None:
        raise ServiceError(_l("This records system’s access is already revoked"))
    client.revoked_at = utcnow()
    client.revoked_by_id = getattr(by, "id", None)
    audit.record("api_client.revoke", "api_client", client.id, actor=by)


def _listed() -> Select[ApiClient]:
    # Those still active first, then by name.
    return select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.name, ApiClient.id)


def all_clients() -> list[ApiClient]:
    return list(db.session.scalars(_listed()))


def list_clients(page: int, per_page: int) -> Page:
    """The records systems a page at a time, those still active first. Two queries."""
    return pager.fetch_page(_listed(), page, per_page)


def get(client_pk: int) -> ApiClient | None:
    return db.session.get(ApiClient, client_pk)


def by_client_id(client_id: str) -> ApiClient | None:
    return db.session.scalar(select(ApiClient).where(ApiClient.client_id == (client_id or "")))


@transactional
def save_token(token: dict, client: ApiClient) -> None:
    """Keep the hash of a token just issued, clear the client's long-expired tokens and
    idempotency records, and commit."""
    now = utcnow()
    db.session.add(
        ApiToken(
            client_id=client.id,
            token_hash=digest(token["access_token"]),
            scope=token.get("scope") or "",
            issued_at=now,
            expires_at=now + timedelta(seconds=int(token["expires_in"])),
        )
    )
    db.session.execute(
        delete(ApiToken).where(ApiToken.client_id == client.id, ApiToken.expires_at < now - timedelta(days=1))
    )
    kept = timedelta(hours=current_app.config["API_IDEMPOTENCY_HOURS"])
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client.id, IdempotencyRecord.created_at < now - kept
        )
    )
    audit.record("api.token_issued", "api_client", client.id, detail=token.get("scope"), actor=client)


def token_for(raw: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw or "")))
