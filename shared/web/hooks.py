"""Request plumbing every page shares: request ids, the CSP nonce, security headers,
and the error pages."""

import logging
import re
import secrets
import uuid

from flask import current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from shared.extensions import db
from shared.services import audit
from shared.web.login import public
from shared.web.problems import Problem, is_api_request
from shared.web.templating import error_layout

logger = logging.getLogger("trackmycrime")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,40}$")


def new_request_id() -> str:
    """The id a request is known by, in the logs, in the audit trail and in the answer's
    X-Request-ID: always one of ours, never one a caller sent, so that a client cannot
    pass its requests off as others' in the trail. Static files, which
    shared.web.static_files answers before Flask, carry one too."""
    return uuid.uuid4().hex


def forwarded_request_id(incoming: str, proxies: int) -> str | None:
    """The X-Request-ID a trusted proxy in front sent, when it is well formed: kept apart,
    in the logs only, to find the proxy's lines about the same request. Without a trusted
    proxy (TRUSTED_PROXIES=0) the header came from the client and is ignored."""
    return incoming if proxies > 0 and _REQUEST_ID.match(incoming) else None


def _start_request():
    g.request_id = new_request_id()
    g.forwarded_request_id = forwarded_request_id(
        request.headers.get("X-Request-ID", ""), current_app.config.get("TRUSTED_PROXIES", 0)
    )
    g.csp_nonce = secrets.token_urlsafe(16)
    g.audit_origin = audit.set_origin(audit.Origin(request_id=g.request_id, actor=_signed_in_user))


def _signed_in_user():
    # Called only when an audit event is written: most requests write none, and loading
    # the user for them would cost a query that nothing uses.
    return current_user._get_current_object() if current_user.is_authenticated else None


def _end_request(exc: BaseException | None) -> None:
    token = g.pop("audit_origin", None)
    if token is not None:
        audit.clear_origin(token)


def mark_input_refused() -> str:
    """Called by the error summary: this page sends a form back because of bad input,
    so it is answered with 400, not 200."""
    g.input_refused = True
    return ""


def _input_refused_status(response):
    if g.get("input_refused") and response.status_code == 200:
        response.status_code = 400
    return response


def security_headers(nonce: str) -> dict[str, str]:
    """The headers every response carries, pages and static files alike."""
    return {
        "Content-Security-Policy": (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    }


def _security_headers(response):
    response.headers.update(security_headers(g.get("csp_nonce", "")))
    response.headers["X-Request-ID"] = g.get("request_id", "")
    # No page of the service is kept by a browser or a proxy: signed-in pages, pages
    # whose address or form carries a secret (activation, reset and set-up links),
    # their redirects and errors, and the public pages too, since a victim may share a
    # computer with the person who harmed them. Only static files (answered before
    # Flask, with their own caching) and a public response that says otherwise are
    # cached.
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(error: HTTPException):
    code = error.code or 500
    if is_api_request():
        # An address under /api/ that matches no operation: answered in the API's way.
        allowed = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if code == 405 and allowed else {}
        return Problem(code, headers=headers).response()
    template = f"errors/{code}.html" if code in (400, 403, 404, 405, 413, 415, 429) else "errors/generic.html"
    return render_template(template, layout=error_layout(), code=code), code


def _csrf_error(error: CSRFError):
    logger.warning("CSRF refused: %s", error.description)
    return render_template("errors/400.html", layout=error_layout(), code=400), 400


def _unexpected_error(error: Exception):
    # The last resort, never a clean-up after a service (each rolls back its own unit of
    # work): a failure outside any unit, a read that failed or a connection lost, can
    # leave the database transaction aborted, and the error page is still to be made.
    db.session.rollback()
    logger.exception("Unhandled error in request %s", g.get("request_id"))
    if is_api_request():
        return Problem(500).response()
    return render_template("errors/generic.html", layout=error_layout(), code=500), 500


@public
def _health():
    """The app is up and answering: for a load balancer's health check. It needs no
    sign-in and queries nothing, so it is also the benchmarks' baseline (`bench/`)."""
    return "OK\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def init_app(app) -> None:
    app.add_url_rule("/health", "health", _health, methods=["GET"])
    app.before_request(_start_request)
    app.teardown_request(_end_request)
    app.after_request(_security_headers)
    app.after_request(_input_refused_status)
    app.jinja_env.globals["mark_input_refused"] = mark_input_refused
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
