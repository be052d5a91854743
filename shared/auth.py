"""Who is signed in, and the marker for routes anyone may reach."""

from urllib.parse import urlsplit

from flask import current_app, request

from shared.extensions import db, login_manager
from shared.models import StaffMember, Victim


@login_manager.user_loader
def load_user(user_id: str):
    kind, _, pk = (user_id or "").partition(":")
    if not pk.isdigit():
        return None
    model = {"staff": StaffMember, "victim": Victim}.get(kind)
    return db.session.get(model, int(pk)) if model else None


def public(view):
    """Mark a view as reachable without signing in. Every other view needs a user."""
    view.is_public = True
    return view


def endpoint_is_public() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is None or getattr(view, "is_public", False)


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
