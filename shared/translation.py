"""Translating a string into the reader's language, quickly.

Flask-Babel finds the catalogue afresh for every string, through several lookups of the
request context each; a page translates a hundred strings or more. Here the catalogue is
kept on the request with its locale (so a message rendered under `force_locale` still
gets its own language's). `gettext` and `lazy_gettext` work as Flask-Babel's do.
"""

from flask import g
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def catalogue():
    """The reader's translations as Flask-Babel finds them, kept for the request."""
    locale = get_locale()
    if locale is None:  # no app context: Flask-Babel's own answer (no translations)
        return get_translations()
    kept = g.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g._catalogue = (locale, get_translations())
    return kept[1]


def gettext(string: str, **variables) -> str:
    translated = catalogue().ugettext(string)
    return translated % variables if variables else translated


def lazy_gettext(string: str, **variables) -> LazyString:
    """`string` translated each time it is used, into the language of the moment."""
    return LazyString(gettext, string, **variables)
