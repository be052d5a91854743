"""Throttling of guesses: sign-in, second-factor codes and reset requests.

Each guarded form allows at most THROTTLE_LIMIT attempts (default 10 in 5 minutes)
per account and per client address, counted in a moving window. The account comes from
the server's own state (the pending sign-in, the signed-in user), never from a field the
client posts; only a first sign-in step, before any such state exists, counts per email
address typed (see `typed_email`). There is no permanent
lockout: an abuser must not be able to shut a victim out of their account. Counts live
in Redis when REDIS_URL is set (shared by every worker), in memory otherwise.

Should Redis stop answering while the service runs, each process counts in its own
memory until Redis is back (flask-limiter's in-memory fallback, which looks for Redis
again at growing intervals): sign-in keeps working and guesses stay limited, to the
limit per process rather than per service, and nothing answers 500. Refusing every
sign-in instead would shut victims and staff out whenever Redis is down, which is the
permanent lockout by other means.
"""

import hashlib
import logging
import time
from collections.abc import Callable

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shared.web import metrics

logger = logging.getLogger("trackmycrime.auth")


def _log_breach(limit) -> None:
    # The key is a hash or an address, never the email address typed.
    logger.warning("Throttled %s on %s: %s", limit.key, request.endpoint, limit.limit)
    metrics.THROTTLED.labels(request.endpoint or "none").inc()


limiter = Limiter(key_func=get_remote_address, strategy="moving-window", on_breach=_log_breach)


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]


def typed_email() -> str:
    """The account a first sign-in step is about: the email address typed, normalised.
    Before the password is right there is no server-side state to key on, and the
    address typed *is* the account being guessed (unknown addresses count too, so
    throttling says nothing about whether an account exists). Typing a different
    address each time aims each guess at a different account, so it gains nothing
    against any one of them; and every guess still counts in the per-address bucket,
    which no field of the form can change."""
    return "email:" + _digest(request.form.get("email", ""))


def pending_sign_in() -> str:
    """The member of staff part-way through signing in: set in the session by the
    server when the password was right, never taken from the form."""
    pending = session.get("pending_staff_id")
    return f"staff:{pending}" if pending is not None else "staff:none"


def signed_in_user() -> str:
    """The signed-in user, on their own forms (changing a password)."""
    if current_user.is_authenticated:
        return f"{current_user.kind}:{current_user.id}"
    return "anonymous"


def _limit() -> str:
    return current_app.config["THROTTLE_LIMIT"]


def guarded(scope: str, account: Callable[[], str]):
    """Throttle a form's POSTs per client address and per account under `scope`.
    `account` names the account from the server's own state: `pending_sign_in` or
    `signed_in_user`; only the first step of a sign-in or a reset request, where no
    such state exists yet, may use `typed_email`. A posted field never chooses the
    bucket of a step that has server-side state (an `email=` added to a code guess
    is ignored)."""
    per_address = limiter.limit(
        _limit, key_func=get_remote_address, methods=["POST"], scope=f"{scope}:address"
    )
    per_account = limiter.limit(_limit, key_func=account, methods=["POST"], scope=f"{scope}:account")

    def decorate(view):
        return per_address(per_account(view))

    return decorate


# The counts `hit` keeps while the limiter's storage does not answer.
_fallback = MovingWindowRateLimiter(MemoryStorage())


def hit(item: RateLimitItem, *identifiers: str) -> int:
    """Count one call against `item` for `identifiers`, in the limiter's storage (as the
    guarded forms are), or in this process's memory while that storage does not answer.
    Returns 0 when the call is within the limit, else the seconds until it would be."""
    try:
        return _hit(limiter.limiter, item, identifiers)
    except Exception:  # noqa: BLE001  (any storage error: Redis gone, a timeout, a reset connection)
        logger.warning("Rate limit storage unreachable: counting in this process's memory")
        return _hit(_fallback, item, identifiers)


def _hit(strategy, item: RateLimitItem, identifiers: tuple[str, ...]) -> int:
    if strategy.hit(item, *identifiers):
        return 0
    return max(1, int(strategy.get_window_stats(item, *identifiers).reset_time - time.time()) + 1)


def wait_minutes() -> int:
    """How long, in whole minutes (at least 1), until a throttled person can try again."""
    seconds = parse(current_app.config["THROTTLE_LIMIT"]).get_expiry()
    return max(1, -(-seconds // 60))


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down: count in this process's memory (above), and never fail a request over
    # a count that could not be kept.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    app.jinja_env.globals["throttle_wait_minutes"] = wait_minutes
