"""Who is signed in, and the marker for routes anyone may reach."""

from urllib.parse import unquote, urlsplit

from flask import current_app, request
from sqlalchemy.orm import selectinload

from shared.extensions import db, login_manager
from shared.models import StaffMember, Victim


@login_manager.user_loader
def load_user(user_id: str):
    kind, _, pk = (user_id or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "staff":
        return db.session.get(StaffMember, int(pk), options=[selectinload(StaffMember.role_rows)])
    if kind == "victim":
        return db.session.get(Victim, int(pk))
    return None


def public(view):
    """Mark a view as reachable without signing in. Every other view needs a user."""
    view.is_public = True
    return view


def endpoint_is_public() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is None or getattr(view, "is_public", False)


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`.

    Checked as given and once percent-decoded, since browsers drop tabs and newlines and
    read a backslash as a slash: `/%09/evil` would otherwise become `//evil`.
    """
    if not target:
        return default
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        if "\\" in candidate or any(c.isspace() or not c.isprintable() for c in candidate):
            return default
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return default
    return target
