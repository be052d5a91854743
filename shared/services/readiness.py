"""Whether this instance can serve: for a load balancer or an orchestrator to send it
requests only then (`/health/ready`). `/health` only says the process answers.

Ready means the database answers, its schema is at the migration this code expects,
and the store of the sign-in throttle's counts (Redis) answers when REDIS_URL is set.
Each problem is said in words an operator can act on, never with an address, a user
name or an error's own message, which could carry them.
"""

from flask import current_app
from limits.storage import storage_from_string
from sqlalchemy.exc import SQLAlchemyError

from shared.extensions import db
from shared.services import schema_version

# How long Redis may take to answer, in seconds: a readiness check must answer soon.
REDIS_TIMEOUT = 2


def _database() -> dict[str, str]:
    try:
        with db.engine.connect() as connection:
            at = schema_version.current(connection)
    except SQLAlchemyError as error:
        cause = type(getattr(error, "orig", None) or error).__name__
        return {"database": f"does not answer ({cause})"}
    expected = schema_version.expected_head()
    if at == expected:
        return {}
    if at is None:
        return {"schema": f"not created: run flask db upgrade (expected migration {expected})"}
    return {"schema": f"at migration {at}, expected {expected}: run flask db upgrade"}


def _redis() -> dict[str, str]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {}
    storage = current_app.extensions.get("readiness_redis")
    if storage is None:
        storage = storage_from_string(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        current_app.extensions["readiness_redis"] = storage
    return {} if storage.check() else {"redis": "does not answer"}


def problems() -> dict[str, str]:
    """What stops this instance serving, by what it is about; empty when it is ready."""
    return _database() | _redis()
