"""The OpenID Connect protocol, for signing in staff through the force's identity
provider (for example Microsoft Entra ID) and victims through GOV.UK One Login.

Both use the authorisation code flow with PKCE (S256), `state` and `nonce`. The ID
token's signature is checked against the provider's published keys, and its `iss`,
`aud`, `exp`, `iat`, `sub` and `nonce` are required and checked; One Login's `vot`
must be "Cl.Cm" (medium-level authentication). Every refusal raises SignInRefused and
is logged on `trackmycrime.auth` at WARNING with the reason, never the token.

This module knows nothing of the request: what a sign-in must remember between the
redirect and the callback is kept in the store its caller passes (the browser's
session), and the provider's answer is passed in as it came. The redirect and the
callback are in shared/web/single_sign_on.py; who a verified identity is, in the
services (staff_sso for staff, victims for One Login).

Settings (Flask config):
    STAFF_OIDC_ISSUER          the staff provider's issuer URL; staff sign-on is off without it
    STAFF_OIDC_CLIENT_ID       this service's client id at that provider
    STAFF_OIDC_CLIENT_SECRET   a client secret (client_secret_basic), or
    STAFF_OIDC_PRIVATE_KEY     a private key, PEM or JWK JSON (private_key_jwt; preferred)
    STAFF_OIDC_SCOPES          default "openid email profile"
    STAFF_OIDC_ROLES_CLAIM     the ID token claim listing the person's groups (read by staff_sso)
    STAFF_OIDC_ROLE_MAP        {claim value: product role} (checked here, applied by staff_sso)
    ONELOGIN_ENABLED           victims may sign in with GOV.UK One Login
    ONELOGIN_ISSUER            default "https://oidc.account.gov.uk/"
    ONELOGIN_CLIENT_ID         this service's client id at One Login
    ONELOGIN_PRIVATE_KEY       the private key (PEM or JWK JSON) registered with One Login
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from authlib.common.errors import AuthlibBaseError
from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import ECKey, JWKRegistry, KeySet, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from shared.config import ConfigError, role_map

logger = logging.getLogger("trackmycrime.auth")

EXTENSION = "trackmycrime.oidc"
STAFF = "staff_sso"
ONELOGIN = "onelogin"

ONELOGIN_DEFAULT_ISSUER = "https://oidc.account.gov.uk/"
# Medium level of authentication: a password and a second factor.
ONELOGIN_VECTOR_OF_TRUST = "Cl.Cm"
DEFAULT_STAFF_SCOPES = "openid email profile"

# Asymmetric signatures only: never `none`, never a shared-secret HMAC.
ACCEPTED_ID_TOKEN_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
)
CLOCK_LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10

_ERROR_CODE = re.compile(r"^[a-z0-9_.-]{1,64}$")


def _provider_failures() -> tuple:
    """What can go wrong talking to a provider or reading what it sends. The HTTP
    library is loaded only where a provider is configured (and only then asked)."""
    import requests

    return (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)


class SignInRefused(Exception):
    """A sign-in through an identity provider is refused; `reason` says why (for logs,
    not for the person signing in)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedSignIn:
    """A provider's answer that passed every check."""

    claims: dict
    # For the provider's sign-out (id_token_hint); never logged.
    id_token: str = field(repr=False)
    # What the caller passed to authorisation_url (for example an invitation), returned intact.
    purpose: Any = None


@dataclass
class _Provider:
    name: str
    issuer: str
    client_id: str
    client: Any  # authlib FlaskOAuth2App
    # The level of authentication asked for (`vtr`) and required back (`vot`), if any.
    vector_of_trust: str | None = None


@dataclass
class _State:
    # Authlib's OAuth registry, made only when a provider is configured: it and the HTTP
    # library take about 10 MB that a service without single sign-on does without.
    oauth: Any = None
    providers: dict[str, _Provider] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Set-up


def init_app(app: Flask) -> None:
    """Register the configured providers on one OAuth registry belonging to this app."""
    # The OAuth library logs PKCE verifiers at DEBUG; keep its records at INFO and above.
    authlib_logger = logging.getLogger("authlib")
    if authlib_logger.getEffectiveLevel() < logging.INFO:
        authlib_logger.setLevel(logging.INFO)

    state = _State()
    app.extensions[EXTENSION] = state
    config = app.config

    def registry() -> Any:  # authlib's OAuth registry, untyped
        if state.oauth is None:
            from authlib.integrations.flask_client import OAuth

            state.oauth = OAuth()
            state.oauth.init_app(app)
        return state.oauth

    if config.get("STAFF_OIDC_ISSUER"):
        issuer = str(config["STAFF_OIDC_ISSUER"])
        client_id = _required(config, "STAFF_OIDC_CLIENT_ID", "staff single sign-on")
        role_map(config.get("STAFF_OIDC_ROLE_MAP"))  # refuse a bad map at start-up, not at the first sign-in
        private_key = config.get("STAFF_OIDC_PRIVATE_KEY")
        secret = config.get("STAFF_OIDC_CLIENT_SECRET")
        if not private_key and not secret:
            raise ConfigError(
                "Staff single sign-on needs STAFF_OIDC_PRIVATE_KEY (a PEM or JWK private key, "
                "preferred) or STAFF_OIDC_CLIENT_SECRET."
            )
        state.providers[STAFF] = _register(
            registry(),
            STAFF,
            issuer,
            client_id,
            scope=config.get("STAFF_OIDC_SCOPES") or DEFAULT_STAFF_SCOPES,
            private_key=private_key,
            private_key_setting="STAFF_OIDC_PRIVATE_KEY",
            secret=secret,
        )

    if config.get("ONELOGIN_ENABLED"):
        issuer = str(config.get("ONELOGIN_ISSUER") or ONELOGIN_DEFAULT_ISSUER)
        client_id = _required(config, "ONELOGIN_CLIENT_ID", "GOV.UK One Login")
        private_key = _required(config, "ONELOGIN_PRIVATE_KEY", "GOV.UK One Login")
        state.providers[ONELOGIN] = _register(
            registry(),
            ONELOGIN,
            issuer,
            client_id,
            scope="openid",
            private_key=private_key,
            private_key_setting="ONELOGIN_PRIVATE_KEY",
            secret=None,
            vector_of_trust=ONELOGIN_VECTOR_OF_TRUST,
        )


def _required(config: Mapping[str, Any], key: str, feature: str) -> str:
    value = config.get(key)
    if not value:
        raise ConfigError(f"{feature} is switched on but {key} is not set.")
    return str(value)


def _load_private_key(value: object, setting: str) -> tuple[Any, str, dict[str, Any]]:
    """A private key from PEM text or a JWK (JSON text or dict); returns (key, alg, header)."""
    jwk: dict | None = None
    try:
        if isinstance(value, dict):
            jwk = value
        elif isinstance(value, str) and value.strip().startswith("{"):
            jwk = json.loads(value)
        if jwk is not None:
            key = JWKRegistry.import_key(jwk)
        else:
            text = value if isinstance(value, str | bytes) else str(value)
            key = None
            for key_type in (RSAKey, ECKey, OKPKey):
                try:
                    key = key_type.import_key(text)
                    break
                except (JoseError, ValueError, TypeError):
                    continue
            if key is None:
                raise ValueError("not a PEM private key")
    except (JoseError, ValueError, TypeError):
        raise ConfigError(f"{setting} is not a private key in PEM or JWK form.") from None
    if key is None:  # an empty JWK registry answer: no key at all
        raise ConfigError(f"{setting} is not a private key in PEM or JWK form.")
    if not key.is_private:
        raise ConfigError(f"{setting} holds a public key; it must be the private key.")

    public = key.as_dict(private=False)
    alg = (jwk or {}).get("alg")
    if not alg:
        if public["kty"] == "RSA":
            alg = "RS256"
        elif public["kty"] == "EC":
            alg = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}.get(str(public.get("crv")), "ES256")
        else:
            alg = "EdDSA"
    # Providers find the registered key by these (Entra ID asks for x5t with certificates).
    header = {k: jwk[k] for k in ("kid", "x5t", "x5t#S256") if jwk and jwk.get(k)}
    return key, alg, header


def _register(
    oauth: Any,
    name: str,
    issuer: str,
    client_id: str,
    *,
    scope: str,
    private_key: object,
    private_key_setting: str,
    secret: str | None,
    vector_of_trust: str | None = None,
) -> _Provider:
    client_kwargs = {
        "scope": scope,
        "code_challenge_method": "S256",
        "default_timeout": HTTP_TIMEOUT_SECONDS,
    }
    auth_methods = None
    if private_key:
        key, alg, header = _load_private_key(private_key, private_key_setting)
        client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"  # noqa: S105  (a method name)
        from authlib.oauth2.rfc7523 import PrivateKeyJWT

        auth_methods = [PrivateKeyJWT(alg=alg, headers=header or None)]
        credential = key
    else:
        client_kwargs["token_endpoint_auth_method"] = "client_secret_basic"  # noqa: S105  (a method name)
        credential = str(secret)

    # Every client setting is given here, so that nothing is picked up from other
    # config keys that happen to share the client's name.
    client = oauth.register(
        name,
        client_id=client_id,
        client_secret=credential,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
        client_auth_methods=auth_methods,
        request_token_url=None,
        request_token_params=None,
        access_token_url=None,
        access_token_params=None,
        refresh_token_url=None,
        refresh_token_params=None,
        authorize_url=None,
        authorize_params=None,
        api_base_url=None,
    )
    return _Provider(
        name=name, issuer=issuer, client_id=client_id, client=client, vector_of_trust=vector_of_trust
    )


# ---------------------------------------------------------------------------
# The flow


def _state() -> _State | None:
    return current_app.extensions.get(EXTENSION)


def staff_sso_enabled() -> bool:
    state = _state()
    return bool(state and STAFF in state.providers)


def onelogin_enabled() -> bool:
    state = _state()
    return bool(state and ONELOGIN in state.providers)


def _provider(name: str) -> _Provider:
    state = _state()
    provider = state.providers.get(name) if state else None
    if provider is None:
        _refuse(name, "this sign-in method is not configured")
    return provider


def _refuse(name: str, reason: str) -> NoReturn:
    logger.warning("Sign-in refused (%s): %s", name, reason)
    raise SignInRefused(reason)


def _metadata(provider: _Provider) -> dict:
    try:
        metadata = provider.client.load_server_metadata()
    except _provider_failures() as exc:
        _refuse(provider.name, f"the provider's discovery document could not be read ({type(exc).__name__})")
    if metadata.get("issuer") != provider.issuer:
        # A provider that names another issuer could be mixing up sign-ins.
        _refuse(provider.name, "the provider's discovery document names a different issuer")
    return metadata


def authorisation_url(
    name: str, redirect_uri: str, store: MutableMapping, purpose: object = None, **params: Any
) -> str:
    """The address at the named provider (`staff_sso` or `onelogin`) to send the browser
    to, with `params` added to the request. The sign-in's state, nonce and PKCE verifier
    are kept in `store` (the browser's session) for `finish`; so is `purpose`, which must
    be JSON-serialisable. Raises SignInRefused."""
    provider = _provider(name)
    _metadata(provider)
    if provider.vector_of_trust:
        params = {"vtr": json.dumps([provider.vector_of_trust]), **params}
    try:
        rv = provider.client.create_authorization_url(redirect_uri, **params)
    except _provider_failures() as exc:
        _refuse(name, f"the sign-in request could not be made ({type(exc).__name__})")
    provider.client.framework.set_state_data(
        store,
        rv["state"],
        {
            "redirect_uri": redirect_uri,
            "nonce": rv["nonce"],
            "code_verifier": rv["code_verifier"],
            "purpose": purpose,
        },
    )
    return rv["url"]


def finish(name: str, answer: Mapping[str, str], store: MutableMapping) -> VerifiedSignIn:
    """Check the provider's answer (the callback's query parameters) against the sign-in
    kept in `store`, exchange its code for tokens and check the ID token. Raises
    SignInRefused."""
    provider = _provider(name)
    state = answer.get("state")
    if not state:
        _refuse(name, "the provider's answer has no state")
    framework = provider.client.framework
    data = framework.get_state_data(store, state)
    # One answer per sign-in: a replayed callback finds nothing.
    framework.clear_state_data(store, state)
    if not data:
        _refuse(name, "the state does not match a sign-in started in this browser")

    error = answer.get("error")
    if error:
        shown = error if _ERROR_CODE.match(error) else "unrecognised"
        _refuse(name, f"the provider answered with an error ({shown})")

    returned_issuer = answer.get("iss")
    if returned_issuer is not None and returned_issuer != provider.issuer:
        _refuse(name, "the answer came from an unexpected issuer")

    code = answer.get("code")
    if not code:
        _refuse(name, "the provider's answer has no authorisation code")

    _metadata(provider)
    try:
        token = provider.client.fetch_access_token(
            redirect_uri=data["redirect_uri"],
            code=code,
            code_verifier=data["code_verifier"],
        )
    except _provider_failures() as exc:
        _refuse(name, f"the token request failed ({_describe(exc)})")
    id_token = token.get("id_token") if isinstance(token, dict) else None
    if not id_token:
        _refuse(name, "the token response has no ID token")
    claims = validate_id_token(name, id_token, data.get("nonce"), access_token=token.get("access_token"))
    if provider.vector_of_trust and claims.get("vot") != provider.vector_of_trust:
        _refuse(name, "the sign-in was not at the required level of authentication (vot)")
    return VerifiedSignIn(claims=claims, id_token=id_token, purpose=data.get("purpose"))


def _describe(exc: Exception) -> str:
    error = getattr(exc, "error", None)
    if isinstance(error, str) and _ERROR_CODE.match(error):
        return error
    return type(exc).__name__


def _decode(provider: _Provider, id_token: str, algorithms: list[str]) -> jwt.Token:
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    keys = KeySet.import_key_set(provider.client.fetch_jwk_set())
    try:
        return jwt.decode(id_token, keys, registry=registry)
    except InvalidKeyIdError:
        # The provider may have rotated its keys since they were fetched.
        keys = KeySet.import_key_set(provider.client.fetch_jwk_set(force=True))
        return jwt.decode(id_token, keys, registry=registry)


def validate_id_token(
    client_name: str, id_token: str, nonce: str | None, access_token: str | None = None
) -> dict:
    """Verify an ID token for the named client (`staff_sso` or `onelogin`) against its
    provider's published keys and return its claims; raises SignInRefused otherwise.

    `nonce` is the value sent in the authorisation request: it is required, and so is
    the same value in the token.
    """
    provider = _provider(client_name)
    if not isinstance(id_token, str) or not id_token:
        _refuse(client_name, "no ID token")
    if not nonce:
        _refuse(client_name, "no nonce was sent for this sign-in")
    metadata = _metadata(provider)
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in advertised if alg in ACCEPTED_ID_TOKEN_ALGORITHMS]
    if not algorithms:
        _refuse(client_name, "the provider signs ID tokens only with algorithms this service refuses")

    try:
        token = _decode(provider, id_token, algorithms)
    except BadSignatureError:
        _refuse(client_name, "the ID token's signature does not verify")
    except UnsupportedAlgorithmError:
        _refuse(client_name, "the ID token is signed with an algorithm this service refuses")
    except InvalidKeyIdError:
        _refuse(client_name, "the ID token is signed with a key the provider does not publish")
    except _provider_failures() as exc:
        _refuse(client_name, f"the ID token could not be read ({type(exc).__name__})")

    options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": provider.client_id}
    if access_token:
        params["access_token"] = access_token
    from authlib.oidc.core import CodeIDToken

    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except ExpiredTokenError:
        _refuse(client_name, "the ID token has expired")
    except MissingClaimError as exc:
        _refuse(client_name, f"the ID token has no {exc.claim} claim")
    except ClaimError as exc:
        _refuse(client_name, f"the ID token's {exc.claim} claim is wrong")
    except _provider_failures() as exc:
        _refuse(client_name, f"the ID token could not be checked ({type(exc).__name__})")

    # Stated again in plain terms, whatever the libraries above decide.
    if claims.get("iss") != provider.issuer:
        _refuse(client_name, "the ID token's iss claim is wrong")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        _refuse(client_name, "the ID token's nonce claim is wrong")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        _refuse(client_name, "the ID token's sub claim is wrong")
    return dict(claims)


def sign_out_url(client_name: str, id_token_hint: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's sign-out address (RP-initiated logout), or None when it has none."""
    provider = _provider(client_name)
    metadata = _metadata(provider)
    if not metadata.get("end_session_endpoint"):
        return None
    result = provider.client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token_hint,
        client_id=provider.client_id,
    )
    return result["url"]
