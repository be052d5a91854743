"""Victims' accounts to the security bar: throttled guessing with no permanent lockout,
no user enumeration, password reset by a single-use link, changing a password, the
password rules, and server-side sessions."""

import hashlib
import os
import re
import time
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select, update
from werkzeug.exceptions import TooManyRequests

from shared.config import load_config
from shared.extensions import db
from shared.factory import create_app
from shared.models import AccountLink, AuditEvent, UserSession, Victim
from shared.models.types import utcnow
from shared.services import passwords
from tests import factories
from tests.pages import Page, PageClient

# A Redis database of its own for each test database, so that the SQLite and PostgreSQL
# runs of the suite can go at the same time.
REDIS_URL = "redis://127.0.0.1:6379/" + ("14" if os.environ.get("TEST_DATABASE_URL") else "15")
NEW_PASSWORD = "a brand new passphrase"
COMMON = "This password is too easy to guess because it is commonly used. Choose a different password"
WELSH_PASSPHRASE = "Mae’r ŵyn bach yn chwarae ger y tŷ ar ben y bryn 🐑🏔️ — ŷ ŵ â ê î ô û, diolch yn fawr!"


def _victim(**kwargs):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer, **kwargs)
    return link.victim


def _app_like(app, **config):
    """Another instance of the app on the same database, as a second server would be."""
    return create_app(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PUBLIC_BASE_URL": "http://localhost",
            **config,
        }
    )


def _close(other_app):
    with other_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sign_in_attempt(client: PageClient, email: str, password: str, address: str, token: str) -> Page:
    return client.post(
        "/sign-in",
        {"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _comparable(page: Page, *typed: str) -> str:
    """The page's HTML without what differs on every request (the CSRF token and the
    CSP nonce) and without what the visitor typed."""
    text = page.text
    for field in page.soup.find_all("input", attrs={"name": "csrf_token"}):
        text = text.replace(field["value"], "CSRF")
    nonce = re.search(r"'nonce-([^']+)'", page.response.headers["Content-Security-Policy"]).group(1)
    text = text.replace(nonce, "NONCE")
    for value in typed:
        text = text.replace(value, "TYPED")
    return text


def _cookie_names(page: Page) -> set[str]:
    return {header.split("=", 1)[0] for header in page.response.headers.getlist("Set-Cookie")}


def _reset_path(message: dict) -> str:
    match = re.search(r"http://localhost(/reset-password/[A-Za-z0-9_-]+)", message["body"])
    assert match, message["body"]
    return match.group(1)


def _ask_for_reset(client: PageClient, email: str, messages) -> str:
    page = client.post("/forgot-password", {"email": email})
    assert page.status == 200, page.error_summary
    return _reset_path(messages()[-1])


def _session_token(app, client: PageClient) -> str | None:
    cookie = client.http.get_cookie(app.config["SESSION_COOKIE_NAME"])
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return data.get("_user_id")


def _session_row(token: str) -> UserSession:
    db.session.expire_all()
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == digest))


def _client_with_cookie(app, value: str) -> PageClient:
    """A new browser holding a copy of someone's session cookie."""
    client = PageClient(app, portal=True)
    client.http.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return client


def _audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _is_signed_in(client: PageClient) -> bool:
    page = client.get("/cases")
    assert page.status in (200, 302)
    return page.status == 200


# Throttling ------------------------------------------------------------------------


def test_the_eleventh_guess_at_one_account_is_refused_from_any_address(victim_client, ctx, caplog):
    victim = _victim()
    token = victim_client.get("/sign-in").csrf()
    for n in range(1, 11):
        page = _sign_in_attempt(victim_client, victim.email, f"guess number {n}", f"10.0.0.{n}", token)
        assert page.status == 400
        assert page.error_summary == ["Enter a correct email address and password"]

    # The same account, typed differently, from an address never seen before.
    refused = _sign_in_attempt(
        victim_client, f"  {victim.email.upper()} ", "guess number 11", "10.0.0.11", token
    )
    assert refused.status == 429
    assert refused.h1 == "Too many attempts"
    assert "Wait 5 minutes, then try again." in refused.main_text
    assert int(refused.response.headers["Retry-After"]) > 0
    assert refused.soup.select_one(".govuk-exit-this-page")

    # While throttled even the right password is refused, so guessing stays useless.
    right = _sign_in_attempt(victim_client, victim.email, factories.PASSWORD, "10.0.0.12", token)
    assert right.status == 429
    assert not _is_signed_in(victim_client)
    assert _audit_count("victim.sign_in") == 0
    # The refusals are logged, without the email address typed.
    throttled = [
        r.getMessage()
        for r in caplog.records
        if r.name == "trackmycrime.auth" and "Throttled" in r.getMessage()
    ]
    assert len(throttled) == 2
    assert not [m for m in throttled if victim.email.split("@")[0] in m.lower()]


def test_the_too_many_attempts_page_fits_both_layouts(app):
    for path, exit_button in (("/sign-in", True), ("/backoffice/sign-in", False)):
        with app.test_request_context(path):
            app.preprocess_request()
            response = app.make_response(app.handle_user_exception(TooManyRequests()))
            page = Page(response)
        assert page.status == 429
        assert page.h1 == "Too many attempts"
        assert "Wait 5 minutes, then try again." in page.main_text
        assert bool(page.soup.select_one(".govuk-exit-this-page")) is exit_button


def test_the_eleventh_guess_from_one_address_is_refused_whatever_the_account(victim_client, ctx):
    victim = _victim()
    token = victim_client.get("/sign-in").csrf()
    for n in range(1, 11):
        page = _sign_in_attempt(
            victim_client, f"person{n}@example.com", "a guessed password", "10.0.1.1", token
        )
        assert page.status == 400
    assert (
        _sign_in_attempt(
            victim_client, "person11@example.com", "a guessed password", "10.0.1.1", token
        ).status
        == 429
    )
    assert _sign_in_attempt(victim_client, victim.email, factories.PASSWORD, "10.0.1.1", token).status == 429
    # Someone else, elsewhere, is not shut out.
    assert _sign_in_attempt(victim_client, victim.email, factories.PASSWORD, "10.0.1.2", token).status == 302


def test_password_reset_requests_are_throttled_too(victim_client, ctx, messages):
    victim = _victim()
    token = victim_client.get("/forgot-password").csrf()
    for n in range(1, 11):
        page = victim_client.post(
            "/forgot-password",
            {"email": victim.email, "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.0.2.{n}"},
        )
        assert page.status == 200
    page = victim_client.post(
        "/forgot-password",
        {"email": victim.email, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.2.11"},
    )
    assert page.status == 429
    assert page.h1 == "Too many attempts"
    assert len(messages()) == 10


def test_there_is_no_permanent_lockout(app, ctx, restore_limiter):
    victim = _victim()
    short = _app_like(app, THROTTLE_LIMIT="3 per 2 seconds")
    try:
        client = PageClient(short, portal=True)
        token = client.get("/sign-in").csrf()
        for n in range(3):
            assert _sign_in_attempt(client, victim.email, f"guess {n}", "10.0.3.1", token).status == 400
        assert _sign_in_attempt(client, victim.email, factories.PASSWORD, "10.0.3.1", token).status == 429
        time.sleep(2.2)
        page = _sign_in_attempt(client, victim.email, factories.PASSWORD, "10.0.3.1", token)
        assert page.status == 302
        assert client.get("/cases").h1 == "Your crimes"
    finally:
        _close(short)


def test_two_app_instances_share_the_count_through_redis(app, ctx, restore_limiter):
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.fail("Redis must be running on 127.0.0.1:6379 for this test")
    store.flushdb()
    victim = _victim()
    first = second = None
    try:
        first = _app_like(app, REDIS_URL=REDIS_URL)
        client = PageClient(first, portal=True)
        token = client.get("/sign-in").csrf()
        for n in range(6):
            assert _sign_in_attempt(client, victim.email, f"guess {n}", f"10.0.4.{n}", token).status == 400
        assert store.dbsize() > 0  # the counts are in Redis, not in this process

        # A second server starts with nothing in memory and sees the same counts.
        second = _app_like(app, REDIS_URL=REDIS_URL)
        other = PageClient(second, portal=True)
        token = other.get("/sign-in").csrf()
        for n in range(6, 10):
            assert _sign_in_attempt(other, victim.email, f"guess {n}", f"10.0.4.{n}", token).status == 400
        assert _sign_in_attempt(other, victim.email, factories.PASSWORD, "10.0.4.10", token).status == 429
    finally:
        store.flushdb()
        store.close()
        for instance in (first, second):
            if instance is not None:
                _close(instance)


def test_change_password_guesses_are_throttled_per_victim_not_for_everyone(app, victim_client, ctx):
    victim = _victim()
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    token = victim_client.get("/account/password").csrf()
    for n in range(1, 12):
        page = victim_client.post(
            "/account/password",
            {
                "current_password": f"guess {n}",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "csrf_token": token,
            },
            environ_base={"REMOTE_ADDR": f"10.0.5.{n}"},
        )
        assert page.status == (429 if n == 11 else 400), n
    # Another victim elsewhere can still change theirs.
    other_victim = _victim()
    other = PageClient(app, portal=True)
    other.victim_sign_in(other_victim.email, factories.PASSWORD)
    page = other.post(
        "/account/password",
        {"current_password": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.5.99"},
    )
    assert page.status == 302


def test_an_email_field_added_to_each_change_password_guess_does_not_give_it_a_fresh_count(
    victim_client, ctx
):
    """Changing a password counts per signed-in victim: an `email=` in the form is
    not the account, and the right password while throttled changes nothing."""
    victim = _victim()
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    token = victim_client.get("/account/password").csrf()
    before = _fresh_victim(victim).password_hash

    def attempt(current: str, n: int):
        return victim_client.post(
            "/account/password",
            {
                "current_password": current,
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "email": f"random{n}-{os.urandom(4).hex()}@example.com",
                "csrf_token": token,
            },
            environ_base={"REMOTE_ADDR": f"10.0.6.{n}"},
        )

    for n in range(1, 11):
        assert attempt(f"guess {n}", n).status == 400, n
    assert attempt(factories.PASSWORD, 11).status == 429
    assert _fresh_victim(victim).password_hash == before


def _fresh_victim(victim) -> Victim:
    db.session.expire_all()
    return db.session.get(Victim, victim.id)


# No user enumeration ---------------------------------------------------------------


def test_sign_in_looks_the_same_for_a_wrong_password_and_an_unknown_account(app, ctx):
    victim = _victim()
    attempts = {}
    for label, email in (("known", victim.email), ("unknown", "nobody.here@example.com")):
        client = PageClient(app, portal=True)
        attempts[label] = (client.post("/sign-in", {"email": email, "password": "not the password"}), email)
    (known, known_email), (unknown, unknown_email) = attempts["known"], attempts["unknown"]
    assert known.status == unknown.status == 400
    assert _cookie_names(known) == _cookie_names(unknown)
    assert _comparable(known, known_email) == _comparable(unknown, unknown_email)


def test_an_unknown_account_still_costs_one_password_hash_check(victim_client, ctx, monkeypatch):
    victim = _victim()
    calls = []
    real_verify = passwords.PasswordHasher.verify

    def counting_verify(self, stored_hash, password):
        if self is passwords._hasher:
            calls.append(stored_hash)
        return real_verify(self, stored_hash, password)

    # PasswordHasher has __slots__, so the count is taken on its class for this one instance.
    monkeypatch.setattr(passwords.PasswordHasher, "verify", counting_verify)
    token = victim_client.get("/sign-in").csrf()
    for email in (victim.email, "nobody.here@example.com"):
        calls.clear()
        victim_client.post("/sign-in", {"email": email, "password": "not the password", "csrf_token": token})
        assert len(calls) == 1, email
    for email in (victim.email, "nobody.here@example.com"):
        calls.clear()
        victim_client.post("/forgot-password", {"email": email}, csrf_from="/forgot-password")
        assert len(calls) == 1, email


def test_reset_requests_look_the_same_whether_or_not_the_account_exists(app, ctx, messages):
    victim = _victim()
    officer = factories.staff()
    not_activated = factories.victim(factories.crime(officer), officer).victim
    pages = {}
    for email in (victim.email, "nobody.here@example.com", not_activated.email):
        client = PageClient(app, portal=True)
        pages[email] = client.post("/forgot-password", {"email": email})
    first = pages[victim.email]
    assert first.h1 == "Check your email"
    assert "If there is an account with that email address, we have sent a link" in first.main_text
    for email, page in pages.items():
        assert page.status == first.status == 200
        assert _cookie_names(page) == _cookie_names(first)
        assert _comparable(page) == _comparable(first), email
    assert [m["to"] for m in messages()] == [victim.email]


def test_bad_activation_links_all_look_the_same(app, ctx, messages):
    victim = _victim()
    reset_path = _ask_for_reset(PageClient(app, portal=True), victim.email, messages)
    reset_token = reset_path.rsplit("/", 1)[1]
    pages = []
    # Made-up tokens, and a real token for another purpose.
    for token in ("not-a-real-token", "Zm9vYmFyYmF6cXV4" * 3, reset_token):
        client = PageClient(app, portal=True)
        pages.append((client.get(f"/activate/{token}"), token))
    first, first_token = pages[0]
    assert first.status == 404
    assert first.h1 == "This link is not valid"
    for page, token in pages:
        assert page.status == 404
        assert _cookie_names(page) == _cookie_names(first)
        assert _comparable(page, token) == _comparable(first, first_token)


# Password reset --------------------------------------------------------------------


def test_a_victim_resets_their_password_by_email(victim_client, ctx, messages):
    officer = factories.staff(name="Detective Alice Hartley")
    crime = factories.crime(officer, reference="43/55501/26", offence="stalking")
    link = factories.active_victim(crime, officer, name="Bethan Morgan")
    victim = link.victim

    sign_in = victim_client.get("/sign-in")
    assert sign_in.links(r"^/forgot-password$") == ["/forgot-password"]
    form = victim_client.get("/forgot-password")
    assert form.h1 == "Reset your password"
    sent = victim_client.post("/forgot-password", {"email": victim.email})
    assert sent.h1 == "Check your email"

    [message] = messages()
    assert message["kind"] == "password_reset" and message["to"] == victim.email
    everything = message["subject"] + message["body"]
    for secret in ("43/55501/26", "stalking", "Bethan", "Morgan", "Alice", "Hartley"):
        assert secret.lower() not in everything.lower(), secret
    path = _reset_path(message)

    choose = victim_client.get(path)
    assert choose.status == 200
    assert choose.h1 == "Choose a new password"
    done = victim_client.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.response.headers["Location"] == "/sign-in?reset=1"
    banner = victim_client.follow(done)
    assert "Your password has been reset" in banner.main_text

    assert (
        victim_client.post("/sign-in", {"email": victim.email, "password": factories.PASSWORD}).status == 400
    )
    victim_client.victim_sign_in(victim.email, NEW_PASSWORD)
    assert _audit_count("victim.password_reset") == 1

    # The link works once.
    again = victim_client.get(path)
    assert again.status == 410
    assert again.h1 == "This link has already been used"
    assert again.links(r"^/forgot-password$")


@pytest.mark.time_sensitive
def test_reset_link_problems(victim_client, ctx, messages):
    victim = _victim()
    missing = victim_client.get("/reset-password/not-a-real-token")
    assert missing.status == 404
    assert missing.h1 == "This link is not valid"
    assert (
        victim_client.post(
            "/reset-password/not-a-real-token",
            {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            csrf_from="/forgot-password",
        ).status
        == 404
    )

    older = _ask_for_reset(victim_client, victim.email, messages)
    newer = _ask_for_reset(victim_client, victim.email, messages)
    # A newer link voids the older one.
    superseded = victim_client.post(
        older, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, csrf_from="/forgot-password"
    )
    assert superseded.status == 410
    assert victim_client.get(newer).status == 200

    db.session.execute(update(AccountLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = victim_client.get(newer)
    assert expired.status == 410
    assert expired.h1 == "This link has expired"
    db.session.expire_all()
    assert db.session.get(Victim, victim.id).password_hash is not None
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)


def test_a_password_reset_ends_every_session_of_the_victim(app, ctx, messages):
    victim = _victim()
    elsewhere = PageClient(app, portal=True)
    elsewhere.victim_sign_in(victim.email, factories.PASSWORD)
    token = _session_token(app, elsewhere)
    assert _is_signed_in(elsewhere)

    client = PageClient(app, portal=True)
    path = _ask_for_reset(client, victim.email, messages)
    client.post(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert not _is_signed_in(elsewhere)
    assert _session_row(token).ended_reason == "password_changed"


# Changing a password ---------------------------------------------------------------


def test_a_victim_changes_their_password_and_other_sessions_end(app, victim_client, ctx):
    victim = _victim()
    other_device = PageClient(app, portal=True)
    other_device.victim_sign_in(victim.email, factories.PASSWORD)
    other_token = _session_token(app, other_device)
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)

    cases = victim_client.get("/cases")
    assert cases.links(r"^/account/password$") == ["/account/password"]
    form = victim_client.get("/account/password")
    assert form.h1 == "Change your password"

    wrong = victim_client.post(
        "/account/password",
        {"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status == 400
    assert wrong.error_summary == ["Your current password is not correct"]
    assert wrong.title.startswith("Error:")
    mismatch = victim_client.post(
        "/account/password",
        {"current_password": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": "something else"},
    )
    assert mismatch.error_summary == ["The passwords do not match"]

    done = victim_client.post(
        "/account/password",
        {"current_password": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.response.headers["Location"] == "/cases"
    assert "Your password has been changed" in victim_client.follow(done).main_text

    assert _is_signed_in(victim_client)
    assert not _is_signed_in(other_device)
    assert _session_row(other_token).ended_reason == "password_changed"
    assert _audit_count("victim.password_changed") == 1
    fresh = PageClient(app, portal=True)
    assert fresh.post("/sign-in", {"email": victim.email, "password": factories.PASSWORD}).status == 400
    fresh.victim_sign_in(victim.email, NEW_PASSWORD)


def test_changing_a_password_needs_a_signed_in_victim(victim_client, ctx):
    page = victim_client.get("/account/password")
    assert page.status == 302
    assert page.response.headers["Location"] == "/sign-in?next=/account/password"


# Password rules --------------------------------------------------------------------


def test_password_rules(victim_client, ctx, messages):
    victim = _victim()
    path = _ask_for_reset(victim_client, victim.email, messages)
    for password, errors in (
        ("", ["Enter a password", "Enter your password again"]),
        ("7 chars", ["Your password must be at least 8 characters"]),
        ("password1", [COMMON]),
        ("qwertyuiop", [COMMON]),
        ("x" * 257, ["Your password must be 256 characters or fewer"]),
    ):
        page = victim_client.post(path, {"password": password, "confirm": password})
        assert page.status == 400, password
        assert page.error_summary == errors, password
        assert page.title.startswith("Error:")
    # No composition rules: eight lower-case letters and a digit are enough.
    assert victim_client.post(path, {"password": "lamp7fox", "confirm": "lamp7fox"}).status == 302
    victim_client.victim_sign_in(victim.email, "lamp7fox")


def test_a_long_unicode_passphrase_is_accepted_and_signs_in(app, victim_client, ctx, messages):
    assert len(WELSH_PASSPHRASE) >= 64
    victim = _victim()
    path = _ask_for_reset(victim_client, victim.email, messages)
    page = victim_client.post(path, {"password": WELSH_PASSPHRASE, "confirm": WELSH_PASSPHRASE})
    assert page.status == 302, page.error_summary
    fresh = PageClient(app, portal=True)
    fresh.victim_sign_in(victim.email, WELSH_PASSPHRASE)
    assert fresh.get("/cases").h1 == "Your crimes"
    # Changing it to another such passphrase works too.
    other = WELSH_PASSPHRASE.replace("🐑", "🐉")
    done = fresh.post(
        "/account/password", {"current_password": WELSH_PASSPHRASE, "password": other, "confirm": other}
    )
    assert done.status == 302, done.error_summary


# Sessions --------------------------------------------------------------------------


def test_signing_in_starts_a_new_session(app, victim_client, ctx):
    victim = _victim()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    victim_client.get("/sign-in")
    before = victim_client.http.get_cookie(cookie_name).value

    victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    after = victim_client.http.get_cookie(cookie_name).value
    assert after != before
    first_token = _session_token(app, victim_client)
    assert _session_row(first_token).ended_at is None

    # Someone holding the cookie from before sign-in is not signed in (no fixation).
    assert _client_with_cookie(app, after).get("/cases").status == 200
    assert _client_with_cookie(app, before).get("/cases").status == 302

    # Each sign-in gets its own identifier.
    second = PageClient(app, portal=True)
    second.victim_sign_in(victim.email, factories.PASSWORD)
    assert _session_token(app, second) != first_token


def test_a_copied_cookie_is_useless_after_signing_out(app, victim_client, ctx):
    victim = _victim()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    copied = victim_client.http.get_cookie(cookie_name).value
    token = _session_token(app, victim_client)
    assert _client_with_cookie(app, copied).get("/cases").status == 200

    cases = victim_client.get("/cases")
    victim_client.post("/sign-out", {"csrf_token": cases.csrf()})

    replay = _client_with_cookie(app, copied).get("/cases")
    assert replay.status == 302
    assert replay.response.headers["Location"].startswith("/sign-in")
    assert _session_row(token).ended_reason == "signed_out"


@pytest.mark.time_sensitive
@pytest.mark.parametrize(
    ("column", "setting", "reason"),
    [
        ("last_seen_at", "VICTIM_SESSION_IDLE", "idle_timeout"),
        ("created_at", "VICTIM_SESSION_MAX", "absolute_timeout"),
    ],
)
def test_sessions_time_out(app, victim_client, ctx, column, setting, reason):
    victim = _victim()
    victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    token = _session_token(app, victim_client)
    assert _is_signed_in(victim_client)

    row = _session_row(token)
    setattr(row, column, utcnow() - app.config[setting] - timedelta(minutes=1))
    db.session.commit()

    page = victim_client.get("/cases")
    assert page.status == 302
    assert page.response.headers["Location"] == "/sign-in?next=/cases"
    assert _session_row(token).ended_reason == reason


def test_session_cookie_attributes(app, victim_client, ctx, monkeypatch):
    victim = _victim()
    page = victim_client.victim_sign_in(victim.email, factories.PASSWORD)
    [cookie] = [
        header
        for header in page.response.headers.getlist("Set-Cookie")
        if header.startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    ]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"

    monkeypatch.setenv("NOTIFICATION_SENDER", "smtp")
    monkeypatch.setenv("SMTP_HOST", "smtp.police.example")
    monkeypatch.setenv("SMTP_FROM", "Track My Crime <no-reply@police.example>")
    production = load_config(
        app.instance_path,
        {
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 64,
            "DATABASE_URL": "postgresql+psycopg://track@db.police.example/trackmycrime",
            "PUBLIC_BASE_URL": "https://track.police.example",
            "REDIS_URL": "redis://cache.police.example:6379/0",
        },
    )
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(app, ctx, restore_limiter, proxies):
    """Behind a trusted proxy each client's address is throttled on its own; without one,
    an X-Forwarded-For header cannot be forged to dodge the per-address limit."""
    other = _app_like(app, TRUSTED_PROXIES=proxies, THROTTLE_LIMIT="3 per 5 minutes")
    try:
        client = PageClient(other, portal=True)
        token = client.get("/sign-in").csrf()
        statuses = []
        for n in range(4):
            response = client._request(
                "post",
                "/sign-in",
                data={"csrf_token": token, "email": f"nobody{n}@example.com", "password": "wrong password"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            statuses.append(response.status_code)
        assert statuses == ([400, 400, 400, 400] if proxies else [400, 400, 400, 429])
    finally:
        _close(other)
