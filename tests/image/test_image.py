"""The production image, run as a force runs it: a one-off `migrate` container, then `web`
and `worker` containers with APP_ENV=production, read-only root file systems and secrets
from files, against this machine's PostgreSQL, Redis and a real SMTP server.

Collected only when SMOKE_IMAGE names the image (`make test-image` builds it and sets it)."""

import json
import os
import re
import secrets
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa
from bs4 import BeautifulSoup

from shared.extensions import db
from shared.factory import create_app
from tests import factories
from tests.smtp_server import free_port

IMAGE = os.environ.get("SMOKE_IMAGE", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PODMAN = ["podman"]
PODMAN_ENV = {**os.environ, "CONTAINERS_CONF": os.path.join(ROOT, "container", "containers.conf")}
DATABASE_URL = os.environ.get(
    "SMOKE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/trackmycrime_smoke"
)
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/11")
# The limits the machine's sandbox needs (see container/containers.conf); harmless elsewhere.
RUN = ["run", "--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
PASSWORD = "correct horse battery staple 7"

pytestmark = pytest.mark.skipif(not IMAGE, reason="SMOKE_IMAGE names no image: run `make test-image`")


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*PODMAN, *args], env=PODMAN_ENV, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"podman {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done


class Deployment:
    """The settings a force would give the containers, and the containers it started."""

    def __init__(self, tmp_path, smtp_server):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.metrics_token = secrets.token_urlsafe(24)
        self.secrets_dir = tmp_path / "secrets"
        self.secrets_dir.mkdir()
        (self.secrets_dir / "secret_key").write_text(secrets.token_hex(32) + "\n")
        self.secrets_dir.chmod(0o755)
        (self.secrets_dir / "secret_key").chmod(0o644)
        self.environment = {
            "APP_ENV": "production",
            "DATABASE_URL": DATABASE_URL,
            "SECRET_KEY_FILE": "/run/secrets/secret_key",
            "PUBLIC_BASE_URL": self.base,
            "REDIS_URL": REDIS_URL,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "TRUSTED_PROXIES": "1",
            "METRICS_TOKEN": self.metrics_token,
            **smtp_server.environment(),
        }
        self.names: list[str] = []

    def run(self, *command: str, detach: bool = False, without: tuple[str, ...] = (), check: bool = True):
        name = f"trackmycrime-smoke-{uuid.uuid4().hex[:8]}"
        self.names.append(name)
        env_args = []
        for key, value in self.environment.items():
            if key not in without:
                env_args += ["--env", f"{key}={value}"]
        args = [
            *RUN,
            "--name",
            name,
            "--read-only",
            "--volume",
            f"{self.secrets_dir}:/run/secrets:ro",
            *env_args,
        ]
        if detach:
            podman(*args, "--detach", IMAGE, *command)
            return name
        return podman(*args, IMAGE, *command, check=check)

    def logs(self, name: str) -> str:
        done = podman("logs", name, check=False)
        return done.stdout + done.stderr

    def remove(self):
        for name in self.names:
            podman("rm", "--force", "--time", "5", name, check=False)


class Browser:
    """A person's browser behind the force's TLS proxy: each request says it came over
    HTTPS (X-Forwarded-Proto, trusted from one proxy), and the Secure cookies are sent back."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.http.cookies.clear()
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def form(self, path: str, fields: dict) -> requests.Response:
        page = self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code)
        token = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
        return self.request("POST", path, data={**fields, "csrf_token": token})


def _fresh_database() -> None:
    url = sa.make_url(DATABASE_URL)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def _wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"Waited {seconds} s for {what}")


def _ready(base: str):
    try:
        return requests.get(base + "/health/ready", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, request):
    from tests.smtp_server import SmtpServer

    smtp_server = SmtpServer()
    smtp_server.start()
    _fresh_database()
    deployment = Deployment(tmp_path_factory.mktemp("image"), smtp_server)
    deployment.smtp = smtp_server
    yield deployment
    deployment.remove()
    smtp_server.stop()


def test_the_image_runs_the_service_in_production(deployment):
    # 1. The one-off migration brings the empty database to the current schema.
    migrated = deployment.run("migrate")
    assert migrated.returncode == 0

    # The force's records system and one officer, as a force sets them up.
    registered = deployment.run(
        "api-clients", "register", "Records system", "--scope", "crimes:write", "--scope", "victims:invite"
    )
    client_id = re.search(r"client_id:\s+(\S+)", registered.stdout).group(1)
    client_secret = re.search(r"client_secret:\s+(\S+)", registered.stdout).group(1)
    officer_app = create_app(
        {"APP_ENV": "testing", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": DATABASE_URL}
    )
    with officer_app.app_context():
        collar = factories.staff(roles=("officer",)).collar_number
        db.session.remove()
        db.engine.dispose()

    # 2. Web and worker, side by side.
    web = deployment.run("web", detach=True)
    worker = deployment.run("worker", detach=True)
    try:
        _wait_for(lambda: _ready(deployment.base), "readiness")
    except AssertionError:
        raise AssertionError(deployment.logs(web)) from None
    assert requests.get(deployment.base + "/health/ready", timeout=5).status_code == 200

    # 3. The records system records a crime and its victim, and invites her.
    token = requests.post(
        deployment.base + "/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, client_secret),
        timeout=30,
    ).json()["access_token"]
    api = {"Authorization": f"Bearer {token}"}
    reported = datetime.now(UTC) - timedelta(days=1)
    crime = {
        "reference": "SMOKE-1",
        "offence": "burglary_residential",
        "occurred_at": (reported - timedelta(hours=5)).isoformat(),
        "reported_at": reported.isoformat(),
        "recorded_at": (reported + timedelta(hours=2)).isoformat(),
        "officer_in_charge": collar,
        "stage": "under_investigation",
        "updated_at": (reported + timedelta(hours=2)).isoformat(),
    }
    victim_email = "sam.smoke@example.com"
    victim = {
        "victim_ref": "V1",
        "name": "Sam Smoke",
        "date_of_birth": "1980-01-02",
        "email": victim_email,
        "preferred_language": "en",
        "contact_channel": "email",
        "updated_at": datetime.now(UTC).isoformat(),
    }
    for path, body in (
        ("/crimes", crime),
        ("/crimes/SMOKE-1/victims", victim),
        ("/crimes/SMOKE-1/victims/V1/invitation", {}),
    ):
        answer = requests.post(
            deployment.base + "/api/v1" + path,
            json=body,
            headers={**api, "Idempotency-Key": str(uuid.uuid4())},
            timeout=30,
        )
        assert answer.status_code == 201, (path, answer.text)

    # 4. The worker sends the invitation by SMTP.
    invitation = _wait_for(
        lambda: next((m for m in deployment.smtp.received if victim_email in m.recipients), None),
        "the invitation email",
    )
    link = re.search(re.escape(deployment.base) + r"(/activate/[A-Za-z0-9_-]+)", invitation.body).group(1)

    # 5. The victim activates her account, signs in and reads her case.
    browser = Browser(deployment.base)
    activated = browser.form(link, {"password": PASSWORD, "confirm": PASSWORD})
    assert activated.status_code == 302, activated.text[:500]
    signed_in = browser.form("/sign-in", {"email": victim_email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/cases", signed_in.text[:500]
    cases = browser.request("GET", "/cases")
    assert cases.status_code in (200, 302)
    case_path = (
        cases.headers["Location"]
        if cases.status_code == 302
        else BeautifulSoup(cases.text, "html.parser").select_one('a[href^="/cases/"]')["href"]
    )
    case = browser.request("GET", case_path)
    assert case.status_code == 200
    assert "residential burglary" in case.text.lower()
    request_id = case.headers["X-Request-ID"]

    # 6. JSON log lines, on stdout, carry the request id of those requests.
    logs = _json_lines(deployment.logs(web))
    assert [line for line in logs if line.get("request_id") == request_id], deployment.logs(web)[-3000:]
    assert any(line.get("levelname", line.get("level")) for line in logs)
    worker_logs = _json_lines(deployment.logs(worker))
    assert worker_logs, deployment.logs(worker)[-3000:]
    everything = deployment.logs(web) + deployment.logs(worker)
    assert PASSWORD not in everything
    assert link.rsplit("/", 1)[1] not in everything

    # 7. Metrics, behind their token, show the requests and the outbox.
    assert requests.get(deployment.base + "/metrics", timeout=10).status_code in (401, 403, 404)
    metrics = requests.get(
        deployment.base + "/metrics",
        headers={"Authorization": f"Bearer {deployment.metrics_token}"},
        timeout=10,
    )
    assert metrics.status_code == 200
    assert re.search(r'^\w*requests\w*\{[^}]*endpoint="portal\.case"', metrics.text, re.M), metrics.text[
        :3000
    ]
    assert re.search(r"^\w*outbox\w*", metrics.text, re.M)

    # 8. The image's own health check passes for both.
    assert podman("healthcheck", "run", web, check=False).returncode == 0, deployment.logs(web)[-2000:]
    assert podman("healthcheck", "run", worker, check=False).returncode == 0, deployment.logs(worker)[-2000:]


@pytest.mark.parametrize("setting", ["DATABASE_URL", "SECRET_KEY_FILE", "PUBLIC_BASE_URL", "REDIS_URL"])
def test_a_container_without_a_required_setting_stops_and_names_it(deployment, setting):
    refused = deployment.run("web", without=(setting,), check=False)
    assert refused.returncode != 0
    named = setting.removesuffix("_FILE")
    assert named in refused.stdout + refused.stderr, refused.stdout + refused.stderr


def test_the_image_runs_as_an_unprivileged_user_with_no_build_tools():
    looked = podman(
        *RUN,
        "--rm",
        "--read-only",
        "--entrypoint",
        "sh",
        IMAGE,
        "-c",
        "id -u; for tool in pip pip3 gcc cc make apt-get; do command -v $tool || true; done;"
        " python3 -c 'import pip' 2>&1 || true",
    )
    lines = looked.stdout.split()
    assert lines[0] == "10001"
    # apt-get is part of Debian's base; pip and compilers are not in the image.
    assert not [line for line in lines[1:] if line.endswith(("/pip", "/pip3", "/gcc", "/cc", "/make"))], lines
    assert "No module named 'pip'" in looked.stdout
