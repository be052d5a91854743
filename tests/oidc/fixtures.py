"""A real OpenID Connect provider for the tests: `oidc-provider` run with node on
127.0.0.1, with signing keys, clients and accounts made here.

One provider serves three clients: the staff client (private_key_jwt, RS256), a second
staff client that authenticates with a client secret, and a One Login-like victim
client (private_key_jwt, ES256, ES256-signed ID tokens).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import socket
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pytest
import requests
from joserfc.jwk import ECKey, RSAKey

from tests import clock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Node.js 22, installed by `npm ci` (the `node` devDependency), not the machine's own node.
NODE = os.path.join(ROOT, "node_modules", ".bin", "node")
SCRIPT = os.path.join(HERE, "provider.mjs")
READY = "OIDC-PROVIDER-READY"

# Callback addresses the provider accepts (the Flask test client's host is "localhost").
# It also accepts the same callbacks on one loopback port chosen when it starts
# (`OIDCProvider.browser_base_url`), for the app served to a real browser.
STAFF_REDIRECT_URIS = [
    "http://localhost/backoffice/sso/callback",
    "http://localhost/test-oidc/staff/callback",
]
ONELOGIN_REDIRECT_URIS = [
    "http://localhost/onelogin/callback",
    "http://localhost/test-oidc/onelogin/callback",
]
POST_LOGOUT_REDIRECT_URIS = [
    "http://localhost/",
    "http://localhost/backoffice/",
    "http://localhost/backoffice/sign-in",
    "http://localhost/sign-in",
    "http://localhost/signed-out",
]

STAFF_CLIENT_ID = "trackmycrime-staff"
SECRET_CLIENT_ID = "trackmycrime-staff-secret"
ONELOGIN_CLIENT_ID = "trackmycrime-onelogin"

# Accounts at the provider: log in with the `login` name (any password).
ACCOUNTS = [
    {
        "login": "alice",
        "sub": "staff-0001-alice",
        "email": "alice.officer@police.example",
        "name": "Alice Officer",
        "roles": ["TMC-Officers", "All-Staff"],
    },
    {
        "login": "sam",
        "sub": "staff-0002-sam",
        "email": "sam.supervisor@police.example",
        "name": "Sam Supervisor",
        "roles": ["TMC-Officers", "TMC-Supervisors", "Canteen-Committee"],
    },
    {
        "login": "nobody",
        "sub": "staff-0003-nobody",
        "email": "no.roles@police.example",
        "name": "No Roles",
        "roles": [],
    },
    {
        "login": "victim-medium",
        "sub": "urn:fdc:gov.uk:2022:medium-level-victim",
        "email": "victim.one@example.com",
        "name": "Victim One",
        "vot": "Cl.Cm",
    },
    {
        "login": "victim-low",
        "sub": "urn:fdc:gov.uk:2022:low-level-victim",
        "email": "victim.two@example.com",
        "name": "Victim Two",
        "vot": "Cl",
    },
]

# Group names at the provider → product roles, as a force would configure it.
ROLE_MAP = {
    "TMC-Officers": "officer",
    "TMC-Supervisors": "supervisor",
    "TMC-Admins": "admin",
}


@dataclass
class OIDCProvider:
    """A running provider and what the tests need to talk to it or impersonate it."""

    issuer: str
    # The provider's own private signing keys (joserfc keys), to craft ID tokens.
    signing_key: RSAKey  # RS256, kid "op-rs256"
    signing_key_es256: ECKey  # ES256, kid "op-es256"
    staff_client_id: str
    staff_private_key: RSAKey
    secret_client_id: str
    secret_client_secret: str
    onelogin_client_id: str
    onelogin_private_key: ECKey
    log_path: str
    # A free loopback port whose callbacks the provider also accepts: serve the app on
    # it, with PUBLIC_BASE_URL = browser_base_url, to sign in through a real browser.
    browser_port: int = 0
    accounts: list[dict] = field(default_factory=lambda: ACCOUNTS)

    @property
    def browser_base_url(self) -> str:
        return f"http://127.0.0.1:{self.browser_port}"

    def staff_config(self, *, secret: bool = False) -> dict:
        """App settings for staff single sign-on against this provider."""
        config = {
            "STAFF_OIDC_ISSUER": self.issuer,
            "STAFF_OIDC_ROLES_CLAIM": "roles",
            "STAFF_OIDC_ROLE_MAP": dict(ROLE_MAP),
        }
        if secret:
            config["STAFF_OIDC_CLIENT_ID"] = self.secret_client_id
            config["STAFF_OIDC_CLIENT_SECRET"] = self.secret_client_secret
        else:
            config["STAFF_OIDC_CLIENT_ID"] = self.staff_client_id
            config["STAFF_OIDC_PRIVATE_KEY"] = self.staff_private_key.as_pem(private=True).decode()
        return config

    def onelogin_config(self) -> dict:
        """App settings for One Login against this provider (the key as JWK JSON)."""
        return {
            "ONELOGIN_ENABLED": True,
            "ONELOGIN_ISSUER": self.issuer,
            "ONELOGIN_CLIENT_ID": self.onelogin_client_id,
            "ONELOGIN_PRIVATE_KEY": json.dumps(self.onelogin_private_key.as_dict(private=True)),
        }

    def app_config(self, *, secret: bool = False) -> dict:
        return {**self.staff_config(secret=secret), **self.onelogin_config()}

    def login_through(self, location: str, login_name: str, *, http: requests.Session | None = None) -> str:
        """Follow an authorisation request at the provider as a browser would: log in as
        `login_name`, consent, and return the final redirect to our callback (with
        `code` and `state`, or `error`)."""
        http = http or requests.Session()
        url = location
        for _ in range(15):
            if not url.startswith(self.issuer + "/"):
                return url
            response = http.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status_code != 200:
                raise AssertionError(f"The provider answered {response.status_code}: {response.text[:1000]}")
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="([a-z]+)"', response.text)
            if not action or not prompt:
                raise AssertionError(f"No sign-in form at the provider: {response.text[:1000]}")
            form = {"prompt": prompt.group(1)}
            if form["prompt"] == "login":
                form.update(login=login_name, password="any-password")
            response = http.post(
                urljoin(url, html.unescape(action.group(1))), data=form, allow_redirects=False, timeout=10
            )
            if not response.is_redirect:
                raise AssertionError(f"The provider answered {response.status_code}: {response.text[:1000]}")
            url = urljoin(url, response.headers["Location"])
        raise AssertionError(f"Too many steps at the provider; last address {url}")

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client_metadata(
    client_id, *, auth, redirect_uris, id_token_alg, public_jwk=None, secret=None, auth_alg=None
):
    client = {
        "client_id": client_id,
        "token_endpoint_auth_method": auth,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": POST_LOGOUT_REDIRECT_URIS,
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "id_token_signed_response_alg": id_token_alg,
    }
    if public_jwk:
        client["jwks"] = {"keys": [public_jwk]}
    if auth_alg:
        client["token_endpoint_auth_signing_alg"] = auth_alg
    if secret:
        client["client_secret"] = secret
    return client


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """Start oidc-provider on a free 127.0.0.1 port for the whole run."""
    node = NODE
    if not os.path.exists(node):
        pytest.fail(
            "Node.js 22 is not installed for the OpenID Connect tests: run `npm ci` in the project folder."
        )
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "oidc-provider")):
        pytest.fail("oidc-provider is not installed: run `npm ci` in the project folder.")

    signing_key = RSAKey.generate_key(2048, {"kid": "op-rs256", "alg": "RS256", "use": "sig"}, private=True)
    signing_key_es256 = ECKey.generate_key(
        "P-256", {"kid": "op-es256", "alg": "ES256", "use": "sig"}, private=True
    )
    staff_key = RSAKey.generate_key(
        2048, {"kid": "staff-client-1", "alg": "RS256", "use": "sig"}, private=True
    )
    onelogin_key = ECKey.generate_key(
        "P-256", {"kid": "onelogin-client-1", "alg": "ES256", "use": "sig"}, private=True
    )
    client_secret = secrets.token_urlsafe(32)

    # The PEM form of the staff key carries no kid: the provider then matches by algorithm.
    staff_public = staff_key.as_dict(private=False)
    staff_public.pop("kid", None)

    port = _free_port()
    browser_port = _free_port()
    while browser_port == port:
        browser_port = _free_port()
    browser_base_url = f"http://127.0.0.1:{browser_port}"
    folder = tmp_path_factory.mktemp("oidc-provider")
    config_path = folder / "config.json"
    log_path = folder / "provider.log"
    config_path.write_text(
        json.dumps(
            {
                "port": port,
                "jwks": {
                    "keys": [signing_key.as_dict(private=True), signing_key_es256.as_dict(private=True)]
                },
                "cookieKeys": [secrets.token_urlsafe(32), secrets.token_urlsafe(32)],
                "clients": [
                    _client_metadata(
                        STAFF_CLIENT_ID,
                        auth="private_key_jwt",
                        auth_alg="RS256",
                        public_jwk=staff_public,
                        redirect_uris=[*STAFF_REDIRECT_URIS, browser_base_url + "/backoffice/sso/callback"],
                        id_token_alg="RS256",
                    ),
                    _client_metadata(
                        SECRET_CLIENT_ID,
                        auth="client_secret_basic",
                        secret=client_secret,
                        redirect_uris=[*STAFF_REDIRECT_URIS, browser_base_url + "/backoffice/sso/callback"],
                        id_token_alg="RS256",
                    ),
                    _client_metadata(
                        ONELOGIN_CLIENT_ID,
                        auth="private_key_jwt",
                        auth_alg="ES256",
                        public_jwk=onelogin_key.as_dict(private=False),
                        redirect_uris=[*ONELOGIN_REDIRECT_URIS, browser_base_url + "/onelogin/callback"],
                        id_token_alg="ES256",
                    ),
                ],
                "accounts": ACCOUNTS,
            }
        ),
        encoding="utf-8",
    )

    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603  (a fixed script run by the tests)
            [node, SCRIPT, str(config_path), str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.PIPE,
            env={
                **os.environ,
                "OIDC_PROVIDER_EXIT_WITH_STDIN": "1",
                "OIDC_PROVIDER_CLOCK_OFFSET_MS": str(round(clock.offset_seconds() * 1000)),
            },
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            text = log_path.read_text(encoding="utf-8", errors="replace")
            if f"{READY} {issuer}" in text:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"oidc-provider did not start (exit {process.poll()}):\n{text}")
            time.sleep(0.05)

        yield OIDCProvider(
            issuer=issuer,
            signing_key=signing_key,
            signing_key_es256=signing_key_es256,
            staff_client_id=STAFF_CLIENT_ID,
            staff_private_key=staff_key,
            secret_client_id=SECRET_CLIENT_ID,
            secret_client_secret=client_secret,
            onelogin_client_id=ONELOGIN_CLIENT_ID,
            onelogin_private_key=onelogin_key,
            log_path=str(log_path),
            browser_port=browser_port,
        )
    finally:
        process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
