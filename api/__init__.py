"""The records-system API, `/api/v1`: forces' records systems push crimes, victims and
key events in and read their status back. A blueprint of its own beside the staff one:
it authenticates systems with OAuth 2.0 bearer tokens rather than people with sessions,
answers in JSON, and writes one audit event per call."""

from flask import Blueprint

api = Blueprint("api", __name__)

from api import auth, cdi_audit_results, court, errors, information_requests, property, views  # noqa: E402,F401  (registers the routes and hooks)
