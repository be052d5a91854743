"""The files robots and security researchers look for at fixed addresses: /robots.txt
and /.well-known/security.txt (RFC 9116)."""

from datetime import datetime, time, timedelta

from flask import abort, current_app

from shared.domain.reference_data import LANGUAGES
from shared.models.types import utcnow
from shared.web.login import public

TEXT = {"Content-Type": "text/plain; charset=utf-8"}

# Only the victims' start page is for search engines: everything else is someone's
# case, a sign-in form, the police's own pages or the records systems' API, and a search
# engine that lists an address tells the world the service exists at it. `$` ends the
# match (RFC 9309), and the longer rule wins, so only `/` itself is allowed.
ROBOTS = """\
User-agent: *
Allow: /$
Disallow: /
"""


def security_txt(contacts: tuple[str, ...], expires: datetime, base_url: str) -> str:
    """The security.txt fields: whom to tell, until when this file may be believed, the
    languages reports may be written in and, when served over https, where it lives."""
    lines = [f"Contact: {contact}" for contact in contacts]
    lines.append(f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append(f"Preferred-Languages: {', '.join(LANGUAGES)}")
    if base_url.startswith("https://"):
        lines.append(f"Canonical: {base_url.rstrip('/')}/.well-known/security.txt")
    return "\n".join(lines) + "\n"


def expiry(now: datetime, ahead: timedelta) -> datetime:
    """`ahead` from the start of today (UTC): the file stays the same all day, and is
    always believed while the service runs with its contact set."""
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo) + ahead


@public
def _robots():
    return ROBOTS, 200, TEXT


@public
def _security():
    config = current_app.config
    if not config["SECURITY_CONTACT"]:
        abort(404)
    text = security_txt(
        config["SECURITY_CONTACT"],
        expiry(utcnow(), config["SECURITY_TXT_EXPIRES"]),
        config["PUBLIC_BASE_URL"],
    )
    return text, 200, TEXT


def init_app(app) -> None:
    app.add_url_rule("/robots.txt", "robots_txt", _robots, methods=["GET"])
    app.add_url_rule("/.well-known/security.txt", "security_txt", _security, methods=["GET"])
