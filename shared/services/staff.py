"""Staff sign-in with a local account."""

from sqlalchemy import select

from shared.extensions import db
from shared.models import StaffMember
from shared.services.passwords import verify_password


def authenticate(email: str, password: str) -> StaffMember | None:
    """The active staff member with this email and password, or None. Costs one hash
    check either way."""
    staff = db.session.scalar(
        select(StaffMember).where(StaffMember.email == (email or "").strip().lower())
    )
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        return None
    return staff
