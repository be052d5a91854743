"""The second factor of a local staff account: a TOTP authenticator app, and single-use
recovery codes for when the phone is lost.

A code is accepted in the 30-second step it belongs to or the one either side (clocks
drift), and only when its step is later than the last step accepted, so that no code
works twice. Recovery codes are kept as SHA-256 hashes and work once each. The secret is
kept sealed with the key ring (shared.services.sealing), so that a copy of the database
alone cannot make codes.
"""

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from shared.extensions import db
from shared.models import RecoveryCode, StaffMember
from shared.models.types import utcnow
from shared.services import audit, sealing
from shared.services.statements import rows_changed
from shared.services.unit_of_work import transactional

logger = logging.getLogger("trackmycrime.auth")

ISSUER = "Track My Crime"
RECOVERY_CODES = 10
# Lower-case letters and digits that cannot be mistaken for one another.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_SIX_DIGITS = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A new random base32 secret for an authenticator app."""
    return pyotp.random_base32()


def sealed_secret(secret: str) -> str:
    """The secret as it is stored: sealed, never in plain text."""
    return sealing.seal(sealing.AUTHENTICATOR, secret)


def opened_secret(sealed: str | None) -> str | None:
    """The secret a stored one holds; None when there is none, or when no key in the
    ring opens it."""
    return sealing.unseal(sealing.AUTHENTICATOR, sealed) if sealed else None


def enrolment_nonce() -> str:
    """A random value to keep in the browser's session while it sets up an app."""
    return secrets.token_urlsafe(16)


def enrolment_secret(member_id: int, nonce: str) -> str:
    """The secret offered to the member during set-up, derived from the server's key
    and the session's nonce, so that the browser's cookie never holds the secret."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"totp-enrolment:{member_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG `data:` address, for an <img> (the page's content
    security policy allows images from `data:` but no inline styles)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff")


def grouped(secret: str) -> str:
    """The secret in groups of four characters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def matching_step(secret: str, code: str | None, after: int | None, now: float | None = None) -> int | None:
    """The time step `code` belongs to, if it is within one step of now and later than
    `after`; else None."""
    code = _clean(code)
    if not _SIX_DIGITS.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(code, totp.generate_otp(step)):
            return step
    return None


def looks_like_totp(code: str | None) -> bool:
    return bool(_SIX_DIGITS.match(_clean(code)))


def _claim_step(member: StaffMember, step: int) -> bool:
    """Record `step` as the last one used, unless another request got there first."""
    result = db.session.execute(
        update(StaffMember)
        .where(
            StaffMember.id == member.id,
            or_(StaffMember.totp_last_step.is_(None), StaffMember.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return False
    member.totp_last_step = step
    return True


def _use_recovery_code(member: StaffMember, code: str) -> bool:
    row_id = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.staff_id == member.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row_id is None:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


@transactional
def check_code(member: StaffMember, code: str | None) -> bool:
    """Whether `code` is a fresh authenticator code or an unused recovery code of the
    enrolled `member`; either is used up. Commits."""
    if not member.totp_secret or not code:
        return False
    if looks_like_totp(code):
        secret = opened_secret(member.totp_secret)
        if secret is None:
            # Sealed with a key no longer in SECRET_KEY or SECRET_KEY_FALLBACKS: recovery
            # codes still work, and an administrator can reset the authenticator.
            logger.error(
                "Authenticator secret of staff %s cannot be opened with the service's keys", member.id
            )
            return False
        step = matching_step(secret, code, member.totp_last_step)
        ok = step is not None and _claim_step(member, step)
        if not ok:
            logger.info("Authenticator code refused for staff %s", member.id)
        return ok
    ok = _use_recovery_code(member, code)
    if ok:
        audit.record("staff.recovery_code_used", "staff_member", member.id, actor=member)
        logger.info("Recovery code used by staff %s", member.id)
    else:
        logger.info("Recovery code refused for staff %s", member.id)
    return ok


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transactional
def enrol(member: StaffMember, secret: str, code: str | None) -> list[str] | None:
    """Set up the authenticator app of `member`, who has none, when `code` is right for
    `secret`, and commit. Returns the new recovery codes (to show once, never to store),
    or None when the code is wrong or the member already has an app."""
    step = matching_step(secret, code, None)
    if step is None or member.totp_secret:
        logger.info("Authenticator set-up refused for staff %s", member.id)
        return None
    sealed = sealed_secret(secret)
    result = db.session.execute(
        update(StaffMember)
        .where(StaffMember.id == member.id, StaffMember.totp_secret.is_(None))
        .values(totp_secret=sealed, totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return None  # another request set up an app first: this one changed nothing
    member.totp_secret, member.totp_last_step = sealed, step
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == member.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(staff_id=member.id, code_hash=_hash_recovery(c)) for c in codes)
    audit.record("staff.totp_enrolled", "staff_member", member.id, actor=member)
    logger.info("Authenticator set up for staff %s", member.id)
    return codes


def clear(member: StaffMember) -> None:
    """Remove the member's authenticator app and recovery codes, so that they set up a
    new one at their next sign-in. Part of the caller's unit of work, which audits it."""
    member.totp_secret = None
    member.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == member.id))


def recovery_codes_left(member: StaffMember) -> int:
    """How many unused recovery codes the member has."""
    return db.session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.staff_id == member.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()
