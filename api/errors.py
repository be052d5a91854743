"""Every error of the API as problem details (RFC 9457), never an HTML page or a 500 for
bad input."""

import logging

from flask import g
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from api import api
from shared.extensions import db
from shared.web.problems import Problem

logger = logging.getLogger("trackmycrime.api")


def validation_problem(error: ValidationError) -> Problem:
    errors = []
    for item in error.errors(include_url=False, include_input=False):
        pointer = "/" + "/".join(str(part) for part in item["loc"]) if item["loc"] else ""
        errors.append({"pointer": pointer, "detail": item["msg"]})
    return Problem(422, "The request body is not valid: see errors.", errors=errors)


@api.errorhandler(Problem)
def _problem(error: Problem):
    return error.response()


@api.errorhandler(ValidationError)
def _invalid(error: ValidationError):
    return validation_problem(error).response()


@api.errorhandler(HTTPException)
def _http(error: HTTPException):
    headers = {}
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429:
        headers["Retry-After"] = "60"
    return Problem(
        error.code or 400, error.description if error.code not in (404, 405) else None, headers=headers
    ).response()


@api.errorhandler(Exception)
def _unexpected(error: Exception):
    # The last resort, never a clean-up after a service (each rolls back its own unit of
    # work): a failure outside any unit, a read that failed or a connection lost, can
    # leave the database transaction aborted, and the call's audit event is still to be
    # written (api.auth.audit_call).
    db.session.rollback()
    logger.exception("Unhandled error in API request %s", g.get("request_id"))
    return Problem(500, "Something went wrong. The request id is in the X-Request-ID header.").response()
