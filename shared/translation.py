"""Translating a string into the reader's language, quickly: the one way the service's
code and templates translate.

Flask-Babel finds the catalogue afresh for every string, through several lookups of the
request context each; a page translates a hundred strings or more. Here the catalogue is
kept on the request with its locale (so a message rendered under `force_locale` still
gets its own language's). `gettext`, `ngettext` and their lazy forms work as
Flask-Babel's do; modules import them from here as `_`, `_l` and `ngettext`, never from
Flask-Babel, so that nothing translates by another path (tests/test_i18n.py checks).
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


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The form of the message for `num` in the reader's language (Welsh has six), with
    `num` there to fill in as %(num)d."""
    variables.setdefault("num", num)
    return catalogue().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """`string` translated each time it is used, into the language of the moment."""
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyString:
    """`ngettext` each time it is used, into the language of the moment."""
    return LazyString(ngettext, singular, plural, num, **variables)
