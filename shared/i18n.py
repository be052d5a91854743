"""Language choice, the language switch route, and date formatting in the reader's
language and in Europe/London time."""

from flask import Blueprint, current_app, has_request_context, make_response, redirect, request
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from shared.auth import public, safe_next
from shared.codes import LANGUAGE_NAMES

LANG_COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # A command-line task: the service's default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    if getattr(current_user, "kind", None) == "victim" and current_user.preferred_language in languages:
        return current_user.preferred_language
    return request.accept_languages.best_match(languages) or "en"


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


def datetime_local(value) -> str:
    """A UTC timestamp as the reader's date and time in Europe/London."""
    if value is None:
        return ""
    return _(
        "%(date)s at %(time)s",
        date=format_date(value, "d MMMM yyyy"),
        time=format_time(value, "HH:mm"),
    )


def date_long(value) -> str:
    if value is None:
        return ""
    return format_date(value, "d MMMM yyyy")


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
