"""Redis stops while the service runs: sign-in throttling falls back to each process's
own counts (documented in the README beside REDIS_URL), and every page, sign-in and the
API keep answering, never with a 500; when Redis is back, it is used again."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from shared.extensions import db
from shared.factory import create_app
from shared.web import throttle
from tests import factories
from tests.api_helpers import ApiCaller, register
from tests.pages import PageClient
from tests.signed_in import sign_in_as

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, on a free port, that the test stops and starts."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ping = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if ping.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def keys(self) -> list[bytes]:
        return redis.Redis(host="127.0.0.1", port=self.port).keys("*")


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_app(app, own_redis, restore_limiter):
    """The service counting guesses in the test's own Redis (the limiter is one object:
    `restore_limiter` gives it back to the suite's app afterwards)."""
    with_redis = create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": "http://localhost",
            "REDIS_URL": own_redis.url,
            "THROTTLE_LIMIT": "3 per 5 minutes",
        }
    )
    assert with_redis.config["RATELIMIT_STORAGE_URI"] == own_redis.url
    yield with_redis
    with with_redis.app_context():
        db.session.remove()
        db.engine.dispose()
    # The limiter is one object for the whole suite: the next test must not inherit the
    # storage found dead here, nor the counts kept in memory meanwhile.
    throttle.limiter._storage_dead = False
    throttle.limiter._fallback_storage.reset()
    throttle._fallback.storage.reset()


def _guess(client: PageClient, email: str, password: str = "not the password") -> int:
    token = client.get("/sign-in").csrf()
    return client.post("/sign-in", {"csrf_token": token, "email": email, "password": password}).status


def test_sign_in_and_pages_keep_answering_while_redis_is_down(redis_app, own_redis):
    with redis_app.app_context():
        officer = factories.staff()
        crime = factories.crime(officer)
        link = factories.active_victim(crime, officer)
        email = link.victim.email
        staff_client = PageClient(redis_app)
        sign_in_as(staff_client, officer)
        client, secret = register()
        caller = ApiCaller(redis_app, client.client_id, secret)

    # Redis up: the guesses are counted there.
    victim_client = PageClient(redis_app, portal=True)
    assert _guess(victim_client, email) == 400
    assert own_redis.keys()

    own_redis.stop()
    # Every part of the service still answers.
    assert staff_client.get(f"/backoffice/crimes/{crime.id}").status == 200
    assert victim_client.get("/sign-in").status == 200
    assert caller.get("/crimes/" + crime.reference).status_code < 500
    # Sign-in works, and guessing is still limited, counted in this process.
    other = PageClient(redis_app, portal=True)
    assert _guess(other, email, factories.PASSWORD) == 302
    statuses = [_guess(PageClient(redis_app, portal=True), email) for _ in range(4)]
    assert statuses[:2] == [400, 400] and statuses[-1] == 429
    assert PageClient(redis_app).get("/health").status == 200

    # Back again: the service goes on answering, and in time counts in Redis again.
    own_redis.start()
    assert _guess(PageClient(redis_app, portal=True), "someone@example.com") in (400, 429)
    assert staff_client.get(f"/backoffice/crimes/{crime.id}").status == 200


def test_the_api_rate_limit_counts_in_memory_while_redis_is_down(redis_app, own_redis):
    with redis_app.app_context():
        client, secret = register()
        caller = ApiCaller(redis_app, client.client_id, secret)
    caller.fetch_token()
    own_redis.stop()
    redis_app.config["API_RATE_LIMIT"] = "2 per minute"
    statuses = [caller.get("/crimes/43-00001-26").status_code for _ in range(3)]
    assert 500 not in statuses and statuses[-1] == 429
    assert throttle.limiter.enabled
