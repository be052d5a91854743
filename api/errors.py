"""Every error of the API as problem details (RFC 9457), never an HTML page or a 500 for
bad input."""

import logging
import re

from flask import g, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from api import api
from api.operations import OPERATIONS
from shared.extensions import db
from shared.web.problems import Problem

logger = logging.getLogger("trackmycrime.api")
PARAMETER = re.compile(r"<(?:(\w+):)?\w+>")


def documented_methods(path: str) -> list[str]:
    """The methods the document gives the path a request named. A crime reference may hold
    slashes, so `/crimes/X/victims` also matches `/crimes/{reference}`; the path is the
    operation's whose rule has the most fixed text (`/crimes/{reference}/victims`)."""
    matching = [op for op in OPERATIONS if _rule_pattern(op.rule).match(path)]
    if not matching:
        return []
    rule = max((op.rule for op in matching), key=lambda rule: len(PARAMETER.sub("", rule)))
    methods = [op.method for op in OPERATIONS if op.rule == rule]
    if "GET" in methods:
        methods.append("HEAD")
    return [*methods, "OPTIONS"]


def _rule_pattern(rule: str) -> re.Pattern:
    parts = []
    last = 0
    for match in PARAMETER.finditer(rule):
        parts.append(re.escape(rule[last : match.start()]))
        parts.append(".+" if match.group(1) == "path" else "[^/]+")
        last = match.end()
    parts.append(re.escape(rule[last:]))
    return re.compile("^" + "".join(parts) + "$")


@api.after_app_request
def _allow(response):
    """A 405 or an OPTIONS answer under /api/v1 (a 405 is answered before any operation is
    chosen, by the app) lists the methods the document gives the path."""
    if request.path.startswith("/api/v1/") and "Allow" in response.headers:
        methods = documented_methods(request.path)
        if methods:
            response.headers["Allow"] = ", ".join(methods)
    return response


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
