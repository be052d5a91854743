"""Language choice, the language switch route, and date formatting in the reader's
language and in Europe/London time."""

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates
from flask import Blueprint, current_app, has_request_context, make_response, redirect, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from shared.domain.property import pounds
from shared.domain.reference_data import LANGUAGE_NAMES
from shared.translation import catalogue
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.web.login import public, safe_next

LANG_COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        # A command-line task: the service's default language.
        return default
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in languages:
        return chosen
    if getattr(current_user, "kind", None) == "victim" and current_user.preferred_language in languages:
        return current_user.preferred_language
    return request.accept_languages.best_match(languages) or default


@bp.get("/language/<code>")
@public
def switch(code: str):
    """Set the reader's language and go back to the page they were on."""
    target = safe_next(request.args.get("next"), "/")
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@lru_cache(maxsize=4096)
def _long_date(locale: str, day: date) -> str:
    # Kept: a page shows many times of the same few days, and Babel takes a while over
    # each one.
    return dates.format_date(day, "d MMMM yyyy", locale=locale)


def _local(value: datetime) -> datetime:
    """A UTC timestamp (a naive one is UTC) in the service's time zone, Europe/London."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone())


def datetime_local(value) -> str:
    """A UTC timestamp as the reader's date and time in Europe/London."""
    if value is None:
        return ""
    local = _local(value)
    return _(
        "%(date)s at %(time)s", date=_long_date(current_locale(), local.date()), time=local.strftime("%H:%M")
    )


def date_long(value) -> str:
    """A day, or the day of a UTC timestamp in Europe/London, in words: 4 March 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _long_date(current_locale(), value)


def current_locale() -> str:
    return str(get_locale())


def init_app(app) -> None:
    app.register_blueprint(bp)
    # Globals rather than context, so that imported macros see them too.
    app.jinja_env.globals.update(
        service_name=_l("Track My Crime"),
        current_locale=current_locale,
        language_names=LANGUAGE_NAMES,
    )
    app.add_template_filter(datetime_local)
    app.add_template_filter(date_long)
    app.add_template_filter(pounds)
    # The templates' _() and ngettext(), through the request's kept translations as the
    # code's are (shared.translation): Flask-Babel is told not to install its own. Jinja
    # fills in the variables and escapes them, so these give the bare translation.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
