"""Requests refused before any view, form or throttle reads them, with a clear 4xx:

- a body larger than the route takes: 413. The API takes up to API_MAX_BODY_BYTES,
  every other route up to MAX_CONTENT_LENGTH (100 KB by default: the forms need a few
  kilobytes). A body sent without its length is cut off at the same limit as it is read.
- a body of another kind than a form on an HTML route (JSON above all, which Flask-WTF
  would otherwise parse into the form, however large or deeply nested): 415.
- text the database cannot store: a NUL byte anywhere in the path, the query string or
  a form (PostgreSQL refuses it, and no person types one), or, in a JSON body, a NUL or
  a lone surrogate (`"\\ud800"`, checked by the API as it reads the body): 400.
  Refused rather than stripped, so that what is saved is always what was sent.

Pages answer with an error page; the API with the status its operations document.
"""

import json

from flask import Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from shared.translation import gettext as _
from shared.web.problems import Problem, is_api_request
from shared.web.templating import error_layout

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Deeper than any body the API documents (three levels), shallow enough that parsing,
# checking and hashing it never nears Python's recursion limit.
MAX_JSON_DEPTH = 32
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


def body_limit() -> int:
    return current_app.config["API_MAX_BODY_BYTES" if is_api_request() else "MAX_CONTENT_LENGTH"]


def unstorable(text: str) -> bool:
    """Whether `text` holds a character no column can store: a NUL byte, or a lone
    surrogate (which has no UTF-8 form)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_problem(value: object, depth: int = 0) -> str | None:
    """What is wrong with a parsed JSON value that the schema cannot say: nested deeper
    than MAX_JSON_DEPTH, or a key or string the database cannot store. None when
    nothing is."""
    if depth > MAX_JSON_DEPTH:
        return f"The body is nested more than {MAX_JSON_DEPTH} levels deep."
    if isinstance(value, str):
        return (
            "The body holds a NUL character or a lone surrogate, which cannot be stored."
            if unstorable(value)
            else None
        )
    if isinstance(value, dict):
        for key, item in value.items():
            found = json_problem(key, depth + 1) or json_problem(item, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = json_problem(item, depth + 1)
            if found:
                return found
    return None


def _refused_part() -> str | None:
    """Where a request holds text that cannot be stored: "path", "query" or "form"."""
    if unstorable(request.path):
        return "path"
    if any(unstorable(key) or unstorable(value) for key, value in request.args.items(multi=True)):
        return "query"
    if request.mimetype in FORM_TYPES and any(
        unstorable(key) or unstorable(value) for key, value in request.form.items(multi=True)
    ):
        return "form"
    return None


def _refuse_text(part: str):
    if is_api_request():
        return _refuse_api_text(part)
    page = render_template(
        "errors/input_refused.html",
        layout=error_layout(),
        code=400,
        message=_("What was sent holds a character that cannot be saved (a NUL character)."),
    )
    return page, 400


def _refuse_api_text(part: str):
    """Each in the API's documented way: no record has such a name (404); a query the
    operation cannot read (422, as for any query that does not fit); the token
    endpoint's form, in OAuth 2.0's own error format (RFC 6749 section 5.2)."""
    detail = f"The {part} holds a NUL character, which cannot be stored."
    if part == "path":
        return Problem(404, detail).response()
    if part == "query":
        return Problem(422, detail, errors=[{"pointer": "/", "detail": detail}]).response()
    body = json.dumps({"error": "invalid_request", "error_description": detail})
    return Response(body, status=400, mimetype="application/json", headers={"Cache-Control": "no-store"})


def _check_request():
    request.max_content_length = body_limit()
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise RequestEntityTooLarge()
    if (
        not is_api_request()
        and request.method not in _BODILESS
        and request.mimetype
        and request.mimetype not in FORM_TYPES
    ):
        raise UnsupportedMediaType()
    part = _refused_part()
    return _refuse_text(part) if part else None


def init_app(app) -> None:
    app.before_request(_check_request)
