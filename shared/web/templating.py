"""Jinja set-up: GOV.UK Frontend macros, templates that fail loudly on a typo, and the
layout of each front end for its error pages."""

from flask import current_app, request
from flask import templating as flask_templating
from flask_login import current_user
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader
from jinja2.utils import missing
from markupsafe import Markup

from shared.domain.permissions import can
from shared.translation import catalogue
from shared.translation import gettext as _
from shared.web import sessions


class Environment(flask_templating.Environment):
    """Flask's Jinja environment, with each template reading the environment's globals
    directly when it has none of its own. Jinja otherwise gives every template a
    ChainMap over them, and every render and every `{% from ... import %}` then walks
    that ChainMap name by name: about a tenth of the time a page takes to render. The
    service never gives a template globals of its own, nor changes them after start-up."""

    def make_globals(self, d):
        return self.globals if not d else super().make_globals(d)


class LoudUndefined(ChainableUndefined):
    """A name that does not exist fails the render; a missing key or attribute of a
    value that does exist is empty, as the GOV.UK Frontend macros expect of their
    optional parameters."""

    # Names the GOV.UK Frontend macros test on purpose: `caller` when a macro is used
    # without a call block, and `undefined` as JavaScript's value of that name.
    _EXPECTED_NAMES = frozenset({"caller", "undefined"})

    def _fail_if_name(self):
        if self._undefined_obj is missing and self._undefined_name not in self._EXPECTED_NAMES:
            self._fail_with_undefined_error()

    def __str__(self):
        self._fail_if_name()
        return ""

    def __iter__(self):
        self._fail_if_name()
        return iter(())

    def __bool__(self):
        self._fail_if_name()
        return False

    def __len__(self):
        self._fail_if_name()
        return 0


def html(template: str, *values) -> Markup:
    """HTML from a trusted template with `{}` slots; the values are escaped."""
    return Markup(template).format(*values)  # noqa: S704  (templates are literals in our own files)


def password_input(autocomplete: str) -> dict:
    """Parameters for the GOV.UK password input, its Show and Hide texts in the
    reader's language (the macro's defaults are English only)."""
    return {
        "autocomplete": autocomplete,
        "showPasswordText": _("Show"),
        "hidePasswordText": _("Hide"),
        "showPasswordAriaLabelText": _("Show password"),
        "hidePasswordAriaLabelText": _("Hide password"),
        "passwordShownAnnouncementText": _("Your password is visible"),
        "passwordHiddenAnnouncementText": _("Your password is hidden"),
    }


# A count for each plural form GOV.UK Frontend asks for (CLDR's, as Intl.PluralRules
# gives them), to pick the right Welsh or English form through ngettext.
_PLURAL_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 6, "other": 10}


def character_count(maxlength: int, rows: int = 6) -> dict:
    """Parameters for the GOV.UK character count: the limit, and its messages in the
    reader's language, in every plural form (the component's defaults are English only).
    GOV.UK Frontend fills in %{count} itself, so the catalogue's own ngettext is used:
    shared.translation's would %-format it."""
    translations = catalogue()
    return {
        "rows": rows,
        "maxlength": maxlength,
        "textareaDescriptionText": _("You can enter up to %{count} characters"),
        "charactersUnderLimitText": {
            form: translations.ngettext(
                "You have %{count} character remaining", "You have %{count} characters remaining", n
            )
            for form, n in _PLURAL_SAMPLES.items()
        },
        "charactersAtLimitText": _("You have 0 characters remaining"),
        "charactersOverLimitText": {
            form: translations.ngettext(
                "You have %{count} character too many", "You have %{count} characters too many", n
            )
            for form, n in _PLURAL_SAMPLES.items()
        },
    }


# The layout each front end's pages extend, by blueprint: {name: (address prefix, layout)}.
_LAYOUTS = "trackmycrime.layouts"
# For an app with no front end of its own: the bare page, with no header.
_BARE_LAYOUT = "layouts/base.html"


def use_layout(blueprint, template: str) -> None:
    """Show the error pages of `blueprint` in `template`, its own layout, so that an
    error looks like the part of the site it happened in. Called by each front end
    that renders pages; shared never names their templates."""

    def register(state):
        layouts = state.app.extensions.setdefault(_LAYOUTS, {})
        layouts[state.blueprint.name] = ((state.url_prefix or "").rstrip("/"), template)

    blueprint.record_once(register)


def error_layout() -> str:
    """The layout for an error page: that of the blueprint that answered the request.
    An address that matches no route, or a route of no front end (the language switch,
    the health check), has none: then, as a fallback, the layout of the front end whose
    address prefix the path is under, the longest prefix first. So an unknown
    back-office address still looks like the back office, and any other address like
    the portal, which sits at the root."""
    layouts = current_app.extensions.get(_LAYOUTS, {})
    if request.blueprint in layouts:
        return layouts[request.blueprint][1]
    under = [
        (prefix, template)
        for prefix, template in layouts.values()
        if not prefix or request.path == prefix or request.path.startswith(prefix + "/")
    ]
    return max(under, key=lambda found: len(found[0]))[1] if under else _BARE_LAYOUT


# More combinations than the layout's fragments have: past this, nothing more is kept.
FRAGMENTS_KEPT = 256


def fragment_cache(app):
    """`fragment(*key)`, used as `{% call fragment(...) %}...{% endcall %}`: the block's
    output, rendered once for each key and kept. For the parts of the layout that
    depend on nothing but the values in the key (the language, whether a victim is
    signed in): never anything personal or particular to one request, such as a name, a
    form's CSRF token or an address with an id in it. Nothing is kept while templates
    reload (development), so an edited template shows at once."""
    kept: dict[tuple, Markup] = {}

    def fragment(*key, caller):
        found = kept.get(key)
        if found is None:
            found = caller()  # Markup: the templates autoescape
            if not app.jinja_env.auto_reload and len(kept) < FRAGMENTS_KEPT:
                kept[key] = found
        return found

    return fragment


def _can(permission: str) -> bool:
    """Whether the signed-in user holds `permission`: for showing only the links and
    buttons they may use. The views check again."""
    return can(current_user, permission)


def init_app(app) -> None:
    app.jinja_env.undefined = LoudUndefined
    app.jinja_env.globals.update(
        html=html,
        password_input=password_input,
        can=_can,
        fragment=fragment_cache(app),
        session_time_left=sessions.time_left,
    )
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
