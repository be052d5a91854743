"""Who is calling: OAuth 2.0 client credentials (authlib). A records system trades its
client id and secret for a short-lived bearer token at `/api/v1/oauth/token`, then sends
the token with every call. Every operation declares the scope it needs; one that
declares none is refused (deny by default). Each client has its own rate limit, and
every call, refused ones included, writes one audit event."""

import json
import logging

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidScopeError, MissingAuthorizationError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InsufficientScopeError
from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from limits import parse

from api import api
from api.operations import operation
from shared.extensions import csrf
from shared.models import API_SCOPES
from shared.services import api_clients, audit
from shared.web import throttle
from shared.web.problems import Problem
from shared.web.throttle import limiter

logger = logging.getLogger("trackmycrime.api")
REALM = "trackmycrime"

# The records systems call with bearer tokens, never with a browser's cookies.
csrf.exempt(api)


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self):
        super().validate_token_request()
        asked = set((self.request.payload.scope or "").split())
        if asked - set(self.request.client.scope_list):
            raise InvalidScopeError(description="The client may not have some of the scopes asked for.")


class Tokens(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return api_clients.token_for(token_string)


def _server(app) -> AuthorizationServer:
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"client_credentials": app.config["API_TOKEN_SECONDS"]}
    app.config["OAUTH2_SCOPES_SUPPORTED"] = list(API_SCOPES)
    server = AuthorizationServer(
        app,
        query_client=api_clients.by_client_id,
        save_token=lambda token, oauth_request: api_clients.save_token(token, oauth_request.client),
    )
    server.register_grant(ClientCredentials)
    return server


@api.record_once
def _init(state) -> None:
    # One server and protector per app, never shared between app instances.
    state.app.extensions["api_oauth_server"] = _server(state.app)
    protector = ResourceProtector()
    protector.register_token_validator(Tokens(realm=REALM))
    state.app.extensions["api_oauth_protector"] = protector


def _challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> str:
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


@api.before_request
def authenticate():
    g.api_client = None
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "is_public", False):
        return
    scope = getattr(view, "api_scope", None)
    if scope is None:
        raise Problem(403, "This operation is not open to any client.")
    protector = current_app.extensions["api_oauth_protector"]
    try:
        token = protector.acquire_token([scope])
    except MissingAuthorizationError:
        raise Problem(
            401, "Send a bearer token from /api/v1/oauth/token.", headers={"WWW-Authenticate": _challenge()}
        ) from None
    except InsufficientScopeError:
        g.refused_reason = "insufficient_scope"
        raise Problem(
            403,
            f"The token does not have the {scope} scope.",
            slug="insufficient-scope",
            headers={"WWW-Authenticate": _challenge("insufficient_scope", scope=scope)},
        ) from None
    except OAuth2Error:
        g.refused_reason = "invalid_token"
        raise Problem(
            401,
            "The token is not valid: it is unknown, has expired or its client was revoked.",
            headers={"WWW-Authenticate": _challenge("invalid_token", "The token is not valid")},
        ) from None
    g.api_client = token.client
    g.api_scopes = set(token.get_scope().split())
    _rate_limit(token.client)


def _rate_limit(client) -> None:
    item = parse(current_app.config["API_RATE_LIMIT"])
    wait = throttle.hit(item, "api", client.client_id)
    if wait:
        logger.warning("Rate limited API client %s", client.client_id)
        raise Problem(
            429,
            f"This client may make {item} calls. Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def has_scope(scope: str) -> bool:
    return scope in g.get("api_scopes", set())


@api.after_request
def audit_call(response):
    """One audit event per call: which client (or none), what it asked and the answer."""
    response.headers["Cache-Control"] = "no-store"
    try:
        detail = f"{request.method} {request.full_path.rstrip('?')} {response.status_code}"
        reason = g.get("refused_reason")
        if reason:
            detail += f" {reason}"
        audit.record_alone(
            "api.call", None, None, detail=detail[:500], actor=g.get("api_client") or _Anonymous()
        )
    except Exception:  # noqa: BLE001  (the answer is sent even if the trail cannot be written; it is logged)
        logger.exception("Could not write the audit event of API request %s", g.get("request_id"))
        return Problem(503, "The call could not be recorded; try again.").response()
    return response


class _Anonymous:
    """A caller with no valid token, in the audit trail."""

    kind = "api"
    id = None


@operation(
    "/oauth/token",
    "POST",
    summary="Get a bearer token (OAuth 2.0 client credentials)",
    scope=None,
    tag="authentication",
    form={
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {"type": "string", "description": "Space-separated scopes; all the client's when left out."},
        "client_id": {"type": "string", "description": "With client_secret, instead of HTTP Basic."},
        "client_secret": {"type": "string"},
    },
    responses={200: ("A bearer token", None)},
    errors=(400, 401, 429),
)
@limiter.limit(lambda: current_app.config["THROTTLE_LIMIT"], key_func=get_remote_address, scope="api-token")
def token():
    """Authenticate with HTTP Basic (client id and secret) or client_id and
    client_secret in the form. Errors follow OAuth 2.0 (RFC 6749 section 5.2)."""
    response = current_app.extensions["api_oauth_server"].create_token_response()
    if response.status_code != 200:
        body = json.loads(response.get_data() or b"{}")
        g.refused_reason = body.get("error", "token_refused")
    return response
