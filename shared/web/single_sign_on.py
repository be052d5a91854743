"""Signing in through an identity provider, as the browser sees it: the redirect that
starts a sign-in and the callback that finishes it. The sign-in's state is kept in the
browser's session between the two; the protocol itself is in shared/clients/oidc.py."""

from dataclasses import dataclass, field
from typing import Any

from flask import redirect, request, session
from flask_babel import get_locale

from shared.clients import oidc
from shared.domain.reference_data import DEFAULT_LANGUAGE, LANGUAGES
from shared.services import staff_sso


@dataclass(frozen=True)
class OneLoginIdentity:
    issuer: str
    subject: str
    # What the route passed to start_onelogin (for example an invitation), returned intact.
    purpose: Any = None
    id_token: str = field(default="", repr=False, compare=False)


def init_app(app) -> None:
    """Let templates offer only the sign-in methods that are switched on."""
    app.jinja_env.globals.update(
        staff_sso_enabled=oidc.staff_sso_enabled, onelogin_enabled=oidc.onelogin_enabled
    )


def start_staff_sign_in(redirect_uri: str):
    """A redirect response sending the browser to the staff provider; raises SignInRefused."""
    return redirect(oidc.authorisation_url(oidc.STAFF, redirect_uri, session))


def finish_staff_sign_in() -> staff_sso.StaffIdentity:
    """Check the provider's answer on the callback request; raises SignInRefused."""
    verified = oidc.finish(oidc.STAFF, request.args, session)
    return staff_sso.identity_from(verified.claims, verified.id_token)


def _ui_locale() -> str:
    locale = get_locale()
    language = getattr(locale, "language", None) or str(locale or DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def start_onelogin(redirect_uri: str, purpose_data=None):
    """A redirect response sending the browser to One Login, which asks in the page's
    language; raises SignInRefused.

    `purpose_data` (JSON-serialisable, for example an invitation) is kept with the
    sign-in's state and handed back by finish_onelogin.
    """
    return redirect(
        oidc.authorisation_url(oidc.ONELOGIN, redirect_uri, session, purpose_data, ui_locales=_ui_locale())
    )


def finish_onelogin() -> OneLoginIdentity:
    """Check One Login's answer on the callback request; raises SignInRefused."""
    verified = oidc.finish(oidc.ONELOGIN, request.args, session)
    return OneLoginIdentity(
        issuer=verified.claims["iss"],
        subject=verified.claims["sub"],
        purpose=verified.purpose,
        id_token=verified.id_token,
    )
