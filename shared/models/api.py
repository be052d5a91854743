"""Records systems that push crimes in through the API: their OAuth clients, the
short-lived tokens issued to them, and the responses kept for their idempotency keys."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.extensions import Model
from shared.models.types import CleanLine, UTCDateTime, utcnow


def digest(secret: str) -> str:
    """How client secrets and tokens are kept: they are 256 random bits, so one SHA-256
    is enough to make a stolen copy of the table useless."""
    return hashlib.sha256(secret.encode()).hexdigest()


# What a client may be allowed to do; a token carries some or all of its client's.
API_SCOPES = (
    "crimes:write",
    "crimes:read",
    "entitlements:read",
    "reports:read",
    "victims:invite",
    "incidents:write",
    "incidents:read",
    # A Witness Care Unit's system: court events of crimes, and the hearings read back.
    "court:write",
    "court:read",
)


class ApiClient(Model):
    """A records system (Niche, Athena, Connect...) registered by an administrator. Only
    the SHA-256 of its secret is kept: the secret is 256 random bits, shown once."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanLine(120), unique=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Space-separated, as OAuth writes scopes.
    scopes: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    # The actor in the audit trail and in the history the records system writes.
    kind = "api"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    # authlib's ClientMixin, for the client credentials grant.
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def check_redirect_uri(self, redirect_uri) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return self.active and hmac.compare_digest(self.secret_hash, digest(client_secret or ""))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        """The scopes asked for that the client holds; all of them when none are asked for."""
        if not scope:
            return self.scopes
        allowed = set(self.scope_list)
        return " ".join(s for s in scope.split() if s in allowed)


class ApiToken(Model):
    """A bearer token: only its SHA-256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    client: Mapped[ApiClient] = relationship(lazy="joined")

    # authlib's TokenMixin, for the resource protector.
    def check_client(self, client) -> bool:
        return self.client_id == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.expires_at - utcnow()).total_seconds()))

    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return not self.client.active


class IdempotencyRecord(Model):
    """The response given to a client's POST with an Idempotency-Key, stored in the same
    transaction as what the request changed: a replay gets it back and changes nothing."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("client_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the JSON body in canonical form.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
