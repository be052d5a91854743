"""What the public pages say that comes from the service itself: the cookies it sets, how
long it keeps what, and when the accessibility statements were prepared. The pages read
these, so that they stay true when the code or a setting changes."""

from dataclasses import dataclass
from datetime import date, timedelta

from shared.translation import lazy_gettext as _l
from shared.web.locale import LANG_COOKIE

# When the accessibility statements were prepared and last reviewed.
STATEMENTS_PREPARED = date(2026, 12, 5)


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    expires: str


def cookies(config) -> list[Cookie]:
    """Every cookie the service sets: the session cookie (Flask's, holding only a random
    token and a form token) and the language choice (shared.web.locale). Nothing else:
    no analytics, so no cookie banner."""
    return [
        Cookie(
            config["SESSION_COOKIE_NAME"],
            _l("Keeps you signed in and protects the forms you send from being forged"),
            _l("When you close your browser"),
        ),
        Cookie(LANG_COOKIE, _l("Remembers whether you chose English or Welsh"), _l("1 year")),
    ]


def days(length: timedelta) -> int:
    return length // timedelta(days=1)


def minutes(length: timedelta) -> int:
    return length // timedelta(minutes=1)
