"""Throttling of guesses: sign-in, second-factor codes and reset requests.

Each guarded form allows at most THROTTLE_LIMIT attempts (default 10 in 5 minutes)
per account and per client address, counted in a moving window. There is no permanent
lockout: an abuser must not be able to shut a victim out of their account. Counts live
in Redis when REDIS_URL is set (shared by every worker), in memory otherwise.
"""

import hashlib
import logging

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from shared.web import metrics

logger = logging.getLogger("trackmycrime.auth")


def _log_breach(limit) -> None:
    # The key is a hash or an address, never the email address typed.
    logger.warning("Throttled %s on %s: %s", limit.key, request.endpoint, limit.limit)
    metrics.THROTTLED.labels(request.endpoint or "none").inc()


limiter = Limiter(key_func=get_remote_address, strategy="moving-window", on_breach=_log_breach)


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:32]


def _account_from_form() -> str:
    """The account the guess is about: the email typed (unknown addresses count too, so
    throttling says nothing about whether an account exists); at the second-factor step,
    the member of staff part-way through signing in; on a signed-in user's own forms
    (changing a password), that user."""
    if "email" in request.form:
        return "email:" + _digest(request.form.get("email", ""))
    pending = session.get("pending_staff_id")
    if pending is not None:
        return f"staff:{pending}"
    if current_user.is_authenticated:
        return f"{current_user.kind}:{current_user.id}"
    return "anonymous"


def _limit() -> str:
    return current_app.config["THROTTLE_LIMIT"]


def guarded(scope: str):
    """Throttle a form's POSTs per account and per client address under `scope`."""
    per_address = limiter.limit(
        _limit, key_func=get_remote_address, methods=["POST"], scope=f"{scope}:address"
    )
    per_account = limiter.limit(
        _limit, key_func=_account_from_form, methods=["POST"], scope=f"{scope}:account"
    )

    def decorate(view):
        return per_address(per_account(view))

    return decorate


def wait_minutes() -> int:
    """How long, in whole minutes (at least 1), until a throttled person can try again."""
    seconds = parse(current_app.config["THROTTLE_LIMIT"]).get_expiry()
    return max(1, -(-seconds // 60))


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.jinja_env.globals["throttle_wait_minutes"] = wait_minutes
