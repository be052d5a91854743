"""`POST /notify/delivery-receipts`: GOV.UK Notify's delivery receipts (its "callbacks"),
which it sends once it knows whether an email or text message was delivered.

Public in the sense of needing no sign-in, with one check: the bearer token the force
chose (NOTIFY_CALLBACK_TOKEN) and gave Notify, compared in constant time. Without the
setting the route is not served (404). Answers, in the API's problem+json:

- 401: no token or the wrong one; nothing read, nothing changed.
- 413, 415, 400, 422: a body too large, not JSON, or not Notify's callback.
- 404: no message Notify gave that id (and that reference); nothing changed.
- 409: a status that would go back (`sending` after `delivered`) or change a final one;
  nothing changed.
- 200: recorded, or the status it already had (a late receipt after a poll).
"""

import hmac
import json
import logging
from datetime import datetime
from typing import Literal
from uuid import UUID

from flask import Flask, Response, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.extensions import csrf
from shared.services import outbox_delivery
from shared.web.input_guard import json_problem
from shared.web.login import public
from shared.web.problems import Problem

logger = logging.getLogger("trackmycrime.outbox")

PATH = "/notify/delivery-receipts"


class Callback(BaseModel):
    """Notify's delivery receipt for an email or a text message, as it documents it."""

    model_config = ConfigDict(extra="ignore")

    id: UUID
    reference: str | None = None
    to: str | None = None
    status: Literal[
        "created",
        "sending",
        "pending",
        "sent",
        "delivered",
        "permanent-failure",
        "temporary-failure",
        "technical-failure",
    ]
    created_at: datetime | None = None
    completed_at: datetime | None = None
    sent_at: datetime | None = None
    notification_type: Literal["email", "sms"]
    template_id: UUID | None = None
    template_version: int | None = None


def _authorised() -> bool:
    token = current_app.config["NOTIFY_CALLBACK_TOKEN"]
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@public
def _receipt():
    try:
        return _record()
    except Problem as problem:
        return problem.response()


def _record() -> Response:
    if not current_app.config["NOTIFY_CALLBACK_TOKEN"]:
        raise Problem(404)
    if not _authorised():
        logger.warning("Delivery receipt refused: no token or the wrong one")
        raise Problem(
            401, "Send the callback token as a bearer token.", headers={"WWW-Authenticate": "Bearer"}
        )
    if request.mimetype != "application/json":
        raise Problem(415, "Send the receipt as application/json.")
    try:
        body = json.loads(request.get_data(as_text=True))
    except ValueError:
        raise Problem(400, "The body is not JSON.") from None
    problem = json_problem(body)
    if problem:
        raise Problem(400, problem)
    try:
        callback = Callback.model_validate(body)
    except ValidationError as error:
        errors = [
            {"pointer": "/" + "/".join(str(part) for part in item["loc"]), "detail": item["msg"]}
            for item in error.errors(include_url=False, include_input=False)
        ]
        raise Problem(422, "The body is not Notify's delivery receipt: see errors.", errors=errors) from None
    message = outbox_delivery.by_notification_id(str(callback.id), callback.reference)
    if message is None:
        raise Problem(404, "No message has that notification id and reference.")
    try:
        receipt = outbox_delivery.record(message, callback.status)
    except outbox_delivery.Backwards as error:
        raise Problem(409, f"The message's status cannot go back: {error}.") from None
    return jsonify({"status": receipt.status, "changed": receipt.changed})


def init_app(app: Flask) -> None:
    app.add_url_rule(PATH, "notify_delivery_receipts", csrf.exempt(_receipt), methods=["POST"])
