"""Who is signed in, the marker for routes anyone may reach, and where to go after signing in."""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import current_app, request

from shared.extensions import login_manager
from shared.web import sessions

V = TypeVar("V", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(token: str):
    """Flask-Login keeps the session token, never a user id, in the cookie."""
    return sessions.load(token)


def public(view: V) -> V:
    """Mark a view as reachable without signing in. Every other view needs a user."""
    view.is_public = True  # type: ignore[attr-defined]  # a mark on the function object
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
