"""Staff single sign-on and GOV.UK One Login against a real OpenID provider
(oidc-provider run with node on 127.0.0.1): real discovery, keys, login, consent,
token endpoint and client authentication; no part of the provider is mocked."""

import base64
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from flask import Blueprint, request, url_for
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

import tests.conftest as _conftest
from shared.clients import oidc
from shared.config import ConfigError
from shared.factory import create_app
from shared.web import single_sign_on

if not hasattr(_conftest, "oidc_provider"):
    from tests.oidc.fixtures import oidc_provider  # noqa: F401  (the fixture, when conftest lacks it)

# ---------------------------------------------------------------------------
# Throwaway routes that drive the sign-in the way the real routes do.

routes = Blueprint("oidc_test", __name__, url_prefix="/test-oidc")


@routes.get("/staff/start")
def staff_start():
    return single_sign_on.start_staff_sign_in(url_for("oidc_test.staff_callback", _external=True))


@routes.get("/staff/callback")
def staff_callback():
    try:
        identity = single_sign_on.finish_staff_sign_in()
    except oidc.SignInRefused as refused:
        return {"refused": refused.reason}, 403
    return {
        "subject": identity.subject,
        "email": identity.email,
        "name": identity.name,
        "roles": sorted(identity.roles),
        "sign_out": oidc.sign_out_url(oidc.STAFF, identity.id_token, "http://localhost/backoffice/sign-in"),
    }


@routes.get("/onelogin/start")
def onelogin_start():
    return single_sign_on.start_onelogin(
        url_for("oidc_test.onelogin_callback", _external=True),
        {"invitation": request.args.get("invitation")},
    )


@routes.get("/onelogin/callback")
def onelogin_callback():
    try:
        identity = single_sign_on.finish_onelogin()
    except oidc.SignInRefused as refused:
        return {"refused": refused.reason}, 403
    return {"issuer": identity.issuer, "subject": identity.subject, "purpose": identity.purpose}


@pytest.fixture(scope="module")
def make_app(oidc_provider, tmp_path_factory):
    database = "sqlite:///" + str(tmp_path_factory.mktemp("oidc-db") / "app.db")

    def make(**config):
        app = create_app(
            {
                "APP_ENV": "testing",
                "SECRET_KEY": "oidc-test-secret",
                "SQLALCHEMY_DATABASE_URI": database,
                "PUBLIC_BASE_URL": "http://localhost",
                **config,
            }
        )
        if oidc.EXTENSION not in app.extensions:
            oidc.init_app(app)
        app.register_blueprint(routes)
        return app

    return make


@pytest.fixture(scope="module")
def key_app(make_app, oidc_provider):
    """Staff sign-on with private_key_jwt, and One Login."""
    return make_app(**oidc_provider.app_config())


@pytest.fixture(scope="module")
def secret_app(make_app, oidc_provider):
    """Staff sign-on with a client secret."""
    return make_app(**oidc_provider.staff_config(secret=True))


@pytest.fixture
def auth_log(caplog):
    caplog.set_level(logging.WARNING, logger="trackmycrime.auth")

    def records():
        return [r for r in caplog.records if r.name == "trackmycrime.auth" and r.levelno == logging.WARNING]

    return records


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    params = query(url)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlunsplit(parts._replace(query=urlencode(params)))


def local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "localhost", url
    return parts.path + "?" + parts.query


def start(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(client, provider, path: str, login: str):
    callback = provider.login_through(start(client, path), login)
    return client.get(local(callback))


# ---------------------------------------------------------------------------
# Staff: the whole flow


def test_staff_sign_in_with_private_key_jwt_maps_roles(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    params = query(location)
    assert location.startswith(oidc_provider.issuer + "/auth?")
    assert params["client_id"] == oidc_provider.staff_client_id
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert params["state"] and params["nonce"]
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert "vtr" not in params

    response = client.get(local(oidc_provider.login_through(location, "sam")))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {
        "subject": "staff-0002-sam",
        "email": "sam.supervisor@police.example",
        "name": "Sam Supervisor",
        # TMC-Officers and TMC-Supervisors are mapped; Canteen-Committee is ignored.
        "roles": ["officer", "supervisor"],
        "sign_out": response.json["sign_out"],
    }
    assert auth_log() == []


def test_staff_sign_in_with_client_secret(secret_app, oidc_provider):
    client = secret_app.test_client()
    response = sign_in(client, oidc_provider, "/test-oidc/staff/start", "alice")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["subject"] == "staff-0001-alice"
    assert response.json["roles"] == ["officer"]


def test_staff_member_with_no_mapped_group_gets_no_role(key_app, oidc_provider):
    response = sign_in(key_app.test_client(), oidc_provider, "/test-oidc/staff/start", "nobody")
    assert response.status_code == 200
    assert response.json["roles"] == []


def test_state_tampering_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    callback = oidc_provider.login_through(start(client, "/test-oidc/staff/start"), "alice")
    tampered = with_query(callback, state=query(callback)["state"] + "x")
    response = client.get(local(tampered))
    assert response.status_code == 403
    assert "state" in response.json["refused"]
    assert any("state does not match" in r.getMessage() for r in auth_log())


def test_callback_without_state_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    callback = oidc_provider.login_through(start(client, "/test-oidc/staff/start"), "alice")
    response = client.get(local(with_query(callback, state=None)))
    assert response.status_code == 403
    assert "no state" in auth_log()[-1].getMessage()


def test_callback_from_another_browser_is_refused(key_app, oidc_provider, auth_log):
    """A callback carried to a browser that did not start the sign-in (login CSRF)."""
    callback = oidc_provider.login_through(start(key_app.test_client(), "/test-oidc/staff/start"), "alice")
    response = key_app.test_client().get(local(callback))
    assert response.status_code == 403
    assert "state does not match" in auth_log()[-1].getMessage()


def test_a_callback_is_used_once(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    callback = oidc_provider.login_through(start(client, "/test-oidc/staff/start"), "alice")
    assert client.get(local(callback)).status_code == 200
    again = client.get(local(callback))
    assert again.status_code == 403
    assert "state does not match" in auth_log()[-1].getMessage()


def test_nonce_tampering_is_refused(key_app, oidc_provider, auth_log):
    """A nonce changed on the way to the provider comes back in the ID token and no
    longer matches the one this browser's sign-in sent."""
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    callback = oidc_provider.login_through(with_query(location, nonce="attacker-chosen-nonce"), "alice")
    response = client.get(local(callback))
    assert response.status_code == 403
    assert response.json["refused"] == "the ID token's nonce claim is wrong"
    assert "nonce" in auth_log()[-1].getMessage()


def test_id_token_without_nonce_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    callback = oidc_provider.login_through(with_query(location, nonce=None), "alice")
    response = client.get(local(callback))
    assert response.status_code == 403
    assert response.json["refused"] == "the ID token has no nonce claim"


def test_authorization_response_from_another_issuer_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    callback = oidc_provider.login_through(start(client, "/test-oidc/staff/start"), "alice")
    assert query(callback)["iss"] == oidc_provider.issuer
    response = client.get(local(with_query(callback, iss="https://evil.example")))
    assert response.status_code == 403
    assert "unexpected issuer" in auth_log()[-1].getMessage()


def test_wrong_code_verifier_is_refused_by_the_provider(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    state = query(location)["state"]
    with client.session_transaction() as sess:
        stored = sess[f"_state_staff_sso_{state}"]
        stored["data"]["code_verifier"] = "x" * 64
        sess[f"_state_staff_sso_{state}"] = stored
    response = client.get(local(oidc_provider.login_through(location, "alice")))
    assert response.status_code == 403
    assert response.json["refused"] == "the token request failed (invalid_grant)"


def test_the_provider_requires_pkce(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    stripped = with_query(location, code_challenge=None, code_challenge_method=None)
    callback = oidc_provider.login_through(stripped, "alice")
    assert query(callback)["error"] == "invalid_request"
    response = client.get(local(callback))
    assert response.status_code == 403
    assert response.json["refused"] == "the provider answered with an error (invalid_request)"


def test_user_cancelling_at_the_provider_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    location = start(client, "/test-oidc/staff/start")
    http = requests.Session()
    interaction = http.get(location, allow_redirects=False, timeout=10).headers["Location"]
    aborted = http.get(urljoin(location, interaction) + "/abort", allow_redirects=False, timeout=10)
    callback = oidc_provider.login_through(aborted.headers["Location"], "alice", http=http)
    assert query(callback)["error"] == "access_denied"
    response = client.get(local(callback))
    assert response.status_code == 403
    assert "access_denied" in auth_log()[-1].getMessage()


def test_sign_out_address_is_the_providers(key_app, oidc_provider):
    response = sign_in(key_app.test_client(), oidc_provider, "/test-oidc/staff/start", "alice")
    url = response.json["sign_out"]
    assert url.startswith(oidc_provider.issuer + "/session/end?")
    params = query(url)
    assert params["post_logout_redirect_uri"] == "http://localhost/backoffice/sign-in"
    assert params["client_id"] == oidc_provider.staff_client_id
    assert params["id_token_hint"].count(".") == 2
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    assert "logout" in page.text.lower()


# ---------------------------------------------------------------------------
# Crafted ID tokens, checked against the real provider's published keys


def craft(key, claims: dict, *, alg: str = "RS256", kid: str = "op-rs256") -> str:
    return jwt.encode({"alg": alg, "kid": kid, "typ": "JWT"}, claims, key, algorithms=[alg])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def good_claims(provider, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": provider.issuer,
        "aud": provider.staff_client_id,
        "sub": "staff-0001-alice",
        "iat": now,
        "exp": now + 300,
        "nonce": "expected-nonce",
        "roles": ["TMC-Officers"],
    }
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def test_a_well_made_token_is_accepted(key_app, oidc_provider):
    token = craft(oidc_provider.signing_key, good_claims(oidc_provider))
    with key_app.app_context():
        claims = oidc.validate_id_token(oidc.STAFF, token, "expected-nonce")
    assert claims["sub"] == "staff-0001-alice"


def _bad_signature(p):
    impostor = RSAKey.generate_key(2048, {"kid": "op-rs256"}, private=True)
    return craft(impostor, good_claims(p)), "expected-nonce", "signature does not verify"


def _unknown_key(p):
    impostor = RSAKey.generate_key(2048, {"kid": "not-published"}, private=True)
    return (
        craft(impostor, good_claims(p), kid="not-published"),
        "expected-nonce",
        "key the provider does not publish",
    )


def _alg_none(p):
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64(json.dumps(good_claims(p)).encode())
    return f"{header}.{payload}.", "expected-nonce", "algorithm this service refuses"


def _hmac_with_public_key(p):
    # The classic confusion: HS256 keyed with the provider's public key.
    header = b64(json.dumps({"alg": "HS256", "kid": "op-rs256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(good_claims(p)).encode())
    secret = p.signing_key.as_pem(private=False)
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}", "expected-nonce", "algorithm this service refuses"


def _wrong_audience(p):
    return craft(p.signing_key, good_claims(p, aud="someone-else")), "expected-nonce", "aud claim is wrong"


def _other_clients_token(p):
    return (
        craft(p.signing_key, good_claims(p, aud=p.onelogin_client_id)),
        "expected-nonce",
        "aud claim is wrong",
    )


def _expired(p):
    now = int(time.time())
    claims = good_claims(p, iat=now - 7200, exp=now - 3600)
    return craft(p.signing_key, claims), "expected-nonce", "has expired"


def _wrong_issuer(p):
    return (
        craft(p.signing_key, good_claims(p, iss="https://login.evil.example")),
        "expected-nonce",
        "iss claim is wrong",
    )


def _no_issuer(p):
    return craft(p.signing_key, good_claims(p, iss=None)), "expected-nonce", "has no iss claim"


def _wrong_nonce(p):
    return (
        craft(p.signing_key, good_claims(p, nonce="replayed-nonce")),
        "expected-nonce",
        "nonce claim is wrong",
    )


def _no_nonce_in_token(p):
    return craft(p.signing_key, good_claims(p, nonce=None)), "expected-nonce", "has no nonce claim"


def _no_nonce_expected(p):
    return craft(p.signing_key, good_claims(p)), None, "no nonce was sent"


def _no_subject(p):
    return craft(p.signing_key, good_claims(p, sub=None)), "expected-nonce", "has no sub claim"


def _not_a_token(p):
    return "not-a-jwt", "expected-nonce", "could not be read"


BAD_TOKENS = [
    _bad_signature,
    _unknown_key,
    _alg_none,
    _hmac_with_public_key,
    _wrong_audience,
    _other_clients_token,
    _expired,
    _wrong_issuer,
    _no_issuer,
    _wrong_nonce,
    _no_nonce_in_token,
    _no_nonce_expected,
    _no_subject,
    _not_a_token,
]


@pytest.mark.parametrize("make_token", BAD_TOKENS, ids=lambda f: f.__name__.strip("_"))
def test_bad_id_tokens_are_refused_and_logged(key_app, oidc_provider, auth_log, make_token):
    token, nonce, reason = make_token(oidc_provider)
    with key_app.app_context(), pytest.raises(oidc.SignInRefused) as refused:
        oidc.validate_id_token(oidc.STAFF, token, nonce)
    assert reason in refused.value.reason
    records = auth_log()
    assert len(records) == 1
    message = records[0].getMessage()
    assert reason in message and "staff_sso" in message
    assert token not in message and token.split(".")[0] not in message


def test_one_login_token_signed_by_another_key_is_refused(key_app, oidc_provider, auth_log):
    impostor = ECKey.generate_key("P-256", {"kid": "op-es256"}, private=True)
    claims = good_claims(oidc_provider, aud=oidc_provider.onelogin_client_id, vot="Cl.Cm")
    with key_app.app_context():
        accepted = oidc.validate_id_token(
            oidc.ONELOGIN,
            craft(oidc_provider.signing_key_es256, claims, alg="ES256", kid="op-es256"),
            "expected-nonce",
        )
        assert accepted["vot"] == "Cl.Cm"
        with pytest.raises(oidc.SignInRefused, match="signature does not verify"):
            oidc.validate_id_token(
                oidc.ONELOGIN, craft(impostor, claims, alg="ES256", kid="op-es256"), "expected-nonce"
            )
    assert len(auth_log()) == 1


# ---------------------------------------------------------------------------
# GOV.UK One Login


def test_one_login_sign_in(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    client.set_cookie("lang", "cy")
    location = start(client, "/test-oidc/onelogin/start?invitation=inv-123")
    params = query(location)
    assert params["client_id"] == oidc_provider.onelogin_client_id
    assert json.loads(params["vtr"]) == ["Cl.Cm"]
    assert params["ui_locales"] == "cy"
    assert params["scope"] == "openid"
    assert params["code_challenge_method"] == "S256"
    assert params["nonce"] and params["state"]

    response = client.get(local(oidc_provider.login_through(location, "victim-medium")))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {
        "issuer": oidc_provider.issuer,
        "subject": "urn:fdc:gov.uk:2022:medium-level-victim",
        "purpose": {"invitation": "inv-123"},
    }
    assert auth_log() == []


def test_one_login_asks_in_english_by_default(key_app):
    location = start(key_app.test_client(), "/test-oidc/onelogin/start")
    assert query(location)["ui_locales"] == "en"


def test_one_login_at_a_lower_level_is_refused(key_app, oidc_provider, auth_log):
    client = key_app.test_client()
    response = sign_in(client, oidc_provider, "/test-oidc/onelogin/start?invitation=inv-9", "victim-low")
    assert response.status_code == 403
    assert "level of authentication" in response.json["refused"]
    assert "vot" in auth_log()[-1].getMessage()


def test_one_login_state_cannot_finish_a_staff_sign_in(key_app, oidc_provider, auth_log):
    """Each provider's sign-ins are kept apart: a One Login answer at the staff callback fails."""
    client = key_app.test_client()
    callback = oidc_provider.login_through(start(client, "/test-oidc/onelogin/start"), "victim-medium")
    response = client.get("/test-oidc/staff/callback?" + urlsplit(callback).query)
    assert response.status_code == 403
    assert "state does not match" in auth_log()[-1].getMessage()


# ---------------------------------------------------------------------------
# Set-up


def test_a_provider_that_cannot_be_reached_is_a_refusal(make_app, oidc_provider, auth_log):
    from tests.oidc.fixtures import _free_port

    app = make_app(
        **{**oidc_provider.staff_config(), "STAFF_OIDC_ISSUER": f"http://127.0.0.1:{_free_port()}"}
    )
    with app.test_request_context("/"), pytest.raises(oidc.SignInRefused, match="discovery document"):
        single_sign_on.start_staff_sign_in("http://localhost/test-oidc/staff/callback")
    assert "ConnectionError" in auth_log()[-1].getMessage()


def test_a_provider_naming_another_issuer_is_refused(make_app, oidc_provider, auth_log):
    """The issuer in the provider's discovery document must be exactly the configured one."""
    app = make_app(**{**oidc_provider.staff_config(), "STAFF_OIDC_ISSUER": oidc_provider.issuer + "/"})
    with app.test_request_context("/"), pytest.raises(oidc.SignInRefused, match="different issuer"):
        single_sign_on.start_staff_sign_in("http://localhost/test-oidc/staff/callback")
    assert len(auth_log()) == 1


def test_staff_sign_on_is_off_without_an_issuer(make_app):
    app = make_app()
    with app.app_context():
        assert not oidc.staff_sso_enabled()
        assert not oidc.onelogin_enabled()
        with pytest.raises(oidc.SignInRefused):
            oidc.validate_id_token(oidc.STAFF, "x.y.z", "n")


def test_each_app_has_its_own_clients(key_app, secret_app):
    with key_app.app_context():
        assert oidc.staff_sso_enabled() and oidc.onelogin_enabled()
        key_client = key_app.extensions[oidc.EXTENSION].providers[oidc.STAFF]
    with secret_app.app_context():
        assert oidc.staff_sso_enabled() and not oidc.onelogin_enabled()
        secret_client = secret_app.extensions[oidc.EXTENSION].providers[oidc.STAFF]
    assert key_client.client_id != secret_client.client_id
    assert key_client.client is not secret_client.client


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"STAFF_OIDC_ROLE_MAP": {"G": "superuser"}}, "unknown roles: superuser"),
        ({"STAFF_OIDC_ROLE_MAP": "Group-without-a-role"}, "must be claim-value=role"),
        ({"STAFF_OIDC_CLIENT_ID": None}, "STAFF_OIDC_CLIENT_ID is not set"),
        ({"STAFF_OIDC_PRIVATE_KEY": None}, "STAFF_OIDC_PRIVATE_KEY"),
        ({"STAFF_OIDC_PRIVATE_KEY": "-----BEGIN NONSENSE-----"}, "not a private key"),
        ({"ONELOGIN_PRIVATE_KEY": None}, "ONELOGIN_PRIVATE_KEY is not set"),
    ],
)
def test_bad_settings_stop_the_app(make_app, oidc_provider, config, message):
    settings = {**oidc_provider.app_config(), **config}
    with pytest.raises(ConfigError, match=message):
        make_app(**settings)


def test_a_public_key_is_not_accepted_as_the_private_key(make_app, oidc_provider):
    public = json.dumps(oidc_provider.onelogin_private_key.as_dict(private=False))
    with pytest.raises(ConfigError, match="public key"):
        make_app(**{**oidc_provider.app_config(), "ONELOGIN_PRIVATE_KEY": public})
