"""Idempotency keys on the records-system API's POSTs (the IETF Idempotency-Key header).

The first request with a key stores a placeholder and, in the same unit of work
(shared.services.records.answer_once), its change and its response. A replay with the
same body gets that response back and changes nothing; the same key with another body is
refused (422). A duplicate that arrives while the first is still being answered waits for
it (on PostgreSQL its insert waits on the unique key, then loses the race for it and is
tried again), then gets the same response. A placeholder found stored but still in
progress is waited for; after API_IDEMPOTENCY_WAIT_SECONDS the request is told to try
again (409), and once the placeholder has been abandoned it is taken over: every write is
an upsert by the records system's own ids, so doing it again finishes the work rather
than repeating it."""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

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
class Answer:
    """The response to a POST, as kept for its replays."""

    status_code: int
    body: str
    location: str | None


class Replay(Answer):
    """The response already given to a request with the same key and body."""


def fingerprint(method: str, path: str, body: object) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def begin(client: ApiClient, key: str, print_: str) -> IdempotencyRecord | Replay:
    """The placeholder to fill in (flushed, not committed: it commits with the request's
    change, in the caller's unit of work, of which this is the first step), or the Replay
    of the response already given. Raises KeyReused, InProgress, and IntegrityError when
    another request with this key stored its placeholder first (a race the caller's unit
    is tried again for)."""
    deadline = time.monotonic() + current_app.config["API_IDEMPOTENCY_WAIT_SECONDS"]
    while True:
        record = _find(client, key)
        if record is None:
            record = IdempotencyRecord(
                client_id=client.id, key=key, fingerprint=print_, status_code=IN_PROGRESS, body=""
            )
            db.session.add(record)
            db.session.flush()
            return record
        if record.fingerprint != print_:
            raise KeyReused()
        if record.status_code != IN_PROGRESS:
            return Replay(record.status_code, record.body, record.location)
        if record.created_at < utcnow() - ABANDONED_AFTER:
            return record
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
    """Keep the response for replays, in the caller's unit of work. A request that fails
    keeps nothing, its placeholder included, so a corrected retry may use the key."""
    record.status_code, record.body, record.location = status_code, body, location
