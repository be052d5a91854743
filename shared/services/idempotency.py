"""Idempotency keys on the records-system API's POSTs (the IETF Idempotency-Key header).

The first request with a key stores a placeholder in the same transaction as its first
change, and its response once done. A replay with the same body gets that response back
and changes nothing; the same key with another body is refused (422). A duplicate that
arrives while the first is still being answered waits for it (on PostgreSQL its insert
waits on the unique key), then gets the same response; after API_IDEMPOTENCY_WAIT_SECONDS
it is told to try again (409). A placeholder left by a request cut off half-way is taken
over by the next one with the same key: every write is an upsert by the records system's
own ids, so doing it again finishes the work rather than repeating it."""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from shared.extensions import db
from shared.models import ApiClient, IdempotencyRecord
from shared.models.types import utcnow

IN_PROGRESS = 0
# A placeholder older than this belongs to a request that will not finish.
ABANDONED_AFTER = timedelta(minutes=2)


class KeyReused(Exception):
    """The key was used with a different request."""


class InProgress(Exception):
    """A request with this key is still being answered."""


@dataclass
class Replay:
    status_code: int
    body: str
    location: str | None


def fingerprint(method: str, path: str, body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def begin(client: ApiClient, key: str, print_: str) -> IdempotencyRecord | Replay:
    """The placeholder to fill in (flushed, not committed: it commits with the request's
    first change), or the Replay of the response already given. Raises KeyReused,
    InProgress."""
    deadline = time.monotonic() + current_app.config["API_IDEMPOTENCY_WAIT_SECONDS"]
    while True:
        record = _find(client, key)
        if record is None:
            record = IdempotencyRecord(
                client_id=client.id, key=key, fingerprint=print_, status_code=IN_PROGRESS, body=""
            )
            db.session.add(record)
            try:
                db.session.flush()
                return record
            except IntegrityError:
                db.session.rollback()  # another request with this key got there first
                continue
        if record.fingerprint != print_:
            raise KeyReused()
        if record.status_code != IN_PROGRESS:
            return Replay(record.status_code, record.body, record.location)
        if record.created_at < utcnow() - ABANDONED_AFTER:
            return record
        db.session.rollback()
        if time.monotonic() >= deadline:
            raise InProgress()
        time.sleep(0.05)


def _find(client: ApiClient, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.client_id == client.id, IdempotencyRecord.key == key)
        .execution_options(populate_existing=True)
    )


def finish(record: IdempotencyRecord, status_code: int, body: str, location: str | None) -> None:
    """Store the response for replays, and commit."""
    record.status_code, record.body, record.location = status_code, body, location
    db.session.commit()


def abandon(record_id: int) -> None:
    """The request failed: the key is free again, so a corrected retry may use it. The
    caller has rolled back; a placeholder already committed is removed and committed."""
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.id == record_id, IdempotencyRecord.status_code == IN_PROGRESS
        )
    )
    db.session.commit()
