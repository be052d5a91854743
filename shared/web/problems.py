"""Errors of the records-system API as RFC 9457 problem details
(`application/problem+json`): a type, a title, the HTTP status, a detail for this
occurrence, and for bad input the list of what is wrong and where (a JSON pointer)."""

import json

from flask import Response, request

PROBLEM_BASE = "https://trackmycrime.police.uk/problems/"

# Each status: its title and the last part of its `type` address.
KINDS = {
    400: ("Bad request", "bad-request"),
    401: ("Not signed in", "unauthorised"),
    403: ("Not allowed", "forbidden"),
    404: ("Not found", "not-found"),
    405: ("Method not allowed", "method-not-allowed"),
    406: ("Not acceptable", "not-acceptable"),
    409: ("Conflict", "conflict"),
    413: ("Request too large", "too-large"),
    415: ("Unsupported media type", "unsupported-media-type"),
    422: ("Unprocessable content", "invalid"),
    428: ("Idempotency key required", "idempotency-key-required"),
    429: ("Too many requests", "rate-limited"),
    500: ("Internal server error", "internal"),
    503: ("Service unavailable", "unavailable"),
}
TITLES = {status: title for status, (title, _slug) in KINDS.items()}


class Problem(Exception):
    """Raised anywhere in an API request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[dict] | None = None,
        headers: dict | None = None,
        slug: str | None = None,
        title: str | None = None,
    ):
        super().__init__(detail or TITLES.get(status, ""))
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.slug = slug
        self.title = title

    def body(self) -> dict:
        out = {
            "type": PROBLEM_BASE + (self.slug or KINDS.get(self.status, ("", "error"))[1]),
            "title": self.title or TITLES.get(self.status, "Error"),
            "status": self.status,
        }
        if self.detail:
            out["detail"] = self.detail
        out["instance"] = request.path
        if self.errors:
            out["errors"] = self.errors
        return out

    def response(self) -> Response:
        response = Response(json.dumps(self.body()), status=self.status, mimetype="application/problem+json")
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


# Routes outside /api/ that take and answer JSON in the API's way: GOV.UK Notify's
# delivery receipts (shared.web.notify_callbacks).
JSON_PATHS = frozenset({"/notify/delivery-receipts"})


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/") or request.path in JSON_PATHS
