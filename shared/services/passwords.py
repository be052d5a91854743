"""Password hashing with argon2id, and the rules a new password must meet."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.services.errors import ServiceError
from shared.translation import lazy_gettext as _l

MIN_PASSWORD = 8
MAX_PASSWORD = 256

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Checked when no account matches, so that an unknown email costs the same time.
    Made when first needed, not on import: hashing takes argon2id's 64 MB for a moment,
    the peak memory of every process that imports this, the notification worker's
    included, which never checks a password."""
    return _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`. With no hash, still spends the time
    of one check and returns False."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 passwords seen most often in breached-password lists, read when a
    password is first set: the pages that only sign people in never need them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_rules(password: str, field: str = "password") -> None:
    """Raise ServiceError unless `password` is 8 to 256 characters and not a common or
    breached password. Any characters are allowed; there are no composition rules."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise ServiceError(_l("Your password must be at least 8 characters"), field)
    if len(password) > MAX_PASSWORD:
        raise ServiceError(_l("Your password must be 256 characters or fewer"), field)
    if password.lower() in _common_passwords() or len(set(password)) < 3:
        raise ServiceError(
            _l("This password is too easy to guess because it is commonly used. Choose a different password"),
            field,
        )
