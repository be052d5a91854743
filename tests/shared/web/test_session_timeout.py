"""The warning before a session ends (WCAG 2.2 success criterion 2.2.1): signed-in pages
carry it with the time the session has left; "stay signed in" moves the session's end on
the server, for victims and staff, never past its absolute limit and never without the
page's CSRF token; the "you were signed out" pages say how long the limit is."""

from datetime import UTC, datetime, timedelta

import pytest

from shared.extensions import db
from shared.models import UserSession
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def _only_session() -> UserSession:
    db.session.expire_all()
    [row] = db.session.query(UserSession).all()
    return row


def _stay(client: PageClient, path: str, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client._request("post", path, headers=headers)


@pytest.fixture
def victim(ctx):
    crime = factories.crime(factories.staff())
    return factories.active_victim(crime, crime.officer_in_charge).victim


def test_a_victim_is_warned_and_stays_signed_in(app, victim, time_machine):
    time_machine.move_to(START, tick=False)
    client = PageClient(app, portal=True)
    sign_in_as(client, victim)
    page = client.get("/cases")
    dialog = page.soup.select_one("dialog#timeout-warning")
    assert dialog["data-seconds-left"] == str(15 * 60)
    assert dialog["data-warn-seconds"] == str(2 * 60)
    assert dialog["data-stay-url"] == "/session/stay-signed-in"
    assert dialog["data-timed-out-url"] == "/session/timed-out"
    token = dialog["data-csrf-token"]

    # Fourteen minutes later the warning shows; the victim chooses to stay signed in.
    time_machine.move_to(START + timedelta(minutes=14), tick=False)
    answer = _stay(client, "/session/stay-signed-in", token)
    assert answer.status_code == 200
    assert answer.get_json() == {"seconds_left": 15 * 60}
    assert _only_session().last_seen_at == START + timedelta(minutes=14)

    # Still signed in after what would have been the end of the first 15 minutes.
    time_machine.move_to(START + timedelta(minutes=28), tick=False)
    assert client.get("/cases").status == 200
    assert _only_session().ended_at is None


def test_staying_signed_in_needs_the_page_s_csrf_token_and_changes_nothing_without_it(
    app, victim, time_machine
):
    time_machine.move_to(START, tick=False)
    client = PageClient(app, portal=True)
    sign_in_as(client, victim)
    token = client.get("/cases").soup.select_one("dialog#timeout-warning")["data-csrf-token"]
    # Within a minute of the last request, which the session does not note again
    # (shared.web.sessions.TOUCH_EVERY): only staying signed in would.
    time_machine.move_to(START + timedelta(seconds=30), tick=False)
    for forged in (None, "forged"):
        answer = _stay(client, "/session/stay-signed-in", forged)
        assert answer.status_code == 400
    assert _only_session().last_seen_at == START
    assert _stay(client, "/session/stay-signed-in", token).status_code == 200
    assert _only_session().last_seen_at == START + timedelta(seconds=30)


def test_staying_signed_in_never_passes_the_absolute_limit(app, victim, time_machine):
    time_machine.move_to(START, tick=False)
    client = PageClient(app, portal=True)
    sign_in_as(client, victim)
    token = client.get("/cases").soup.select_one("dialog#timeout-warning")["data-csrf-token"]
    # Every 14 minutes for almost two hours: the session still ends two hours after sign-in.
    for minutes in range(14, 113, 14):
        time_machine.move_to(START + timedelta(minutes=minutes), tick=False)
        answer = _stay(client, "/session/stay-signed-in", token)
    assert answer.get_json() == {"seconds_left": (120 - 112) * 60}


def test_a_session_that_ended_cannot_be_extended(app, victim, time_machine):
    time_machine.move_to(START, tick=False)
    client = PageClient(app, portal=True)
    sign_in_as(client, victim)
    token = client.get("/cases").soup.select_one("dialog#timeout-warning")["data-csrf-token"]
    time_machine.move_to(START + timedelta(minutes=16), tick=False)
    answer = _stay(client, "/session/stay-signed-in", token)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")
    row = _only_session()
    assert row.ended_reason == "idle_timeout" and row.last_seen_at == START


def test_staff_are_warned_and_stay_signed_in(app, ctx, time_machine):
    time_machine.move_to(START, tick=False)
    member = factories.staff(roles=("analyst",))
    client = PageClient(app)
    sign_in_as(client, member)
    page = client.follow(client.get("/backoffice/"))
    dialog = page.soup.select_one("dialog#timeout-warning")
    assert dialog["data-seconds-left"] == str(30 * 60)
    assert dialog["data-stay-url"] == "/backoffice/session/stay-signed-in"
    assert page.soup.select_one("form#sign-out")["action"] == "/backoffice/sign-out"
    time_machine.move_to(START + timedelta(minutes=29), tick=False)
    answer = _stay(client, "/backoffice/session/stay-signed-in", dialog["data-csrf-token"])
    assert answer.get_json() == {"seconds_left": 30 * 60}
    assert _only_session().last_seen_at == START + timedelta(minutes=29)


def test_nobody_signed_in_gets_no_warning(app):
    client = PageClient(app, portal=True)
    assert client.get("/sign-in").soup.select_one("dialog#timeout-warning") is None
    assert PageClient(app).get("/backoffice/sign-in").soup.select_one("dialog#timeout-warning") is None


@pytest.mark.parametrize(
    ("path", "setting", "words"),
    [
        ("/session/timed-out", "VICTIM_SESSION_IDLE", "had not done anything for 15 minutes"),
        ("/backoffice/session/timed-out", "STAFF_SESSION_IDLE", "had not done anything for 30 minutes"),
    ],
)
def test_the_signed_out_pages_say_why_in_both_languages(app, path, setting, words):
    client = PageClient(app, portal=not path.startswith("/backoffice"))
    page = client.get(path)
    assert page.h1 == "You have been signed out"
    assert words in page.main_text
    client.get("/language/cy?next=/")
    page = client.get(path)
    assert page.h1 == "Rydych wedi cael eich allgofnodi"
    assert "munud" in page.main_text


def test_a_tab_that_ran_out_while_another_kept_the_session_going_is_sent_back_in(app, victim):
    client = PageClient(app, portal=True)
    sign_in_as(client, victim)
    page = client.get("/session/timed-out")
    assert page.status == 302 and page.response.headers["Location"] == "/cases"
    assert _only_session().ended_at is None
