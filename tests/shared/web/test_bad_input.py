"""Bad input gets a clear message in the GOV.UK error summary, never a 500, and loses
nothing already saved."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AccountLink, Crime, InvestigationUpdate, Victim
from shared.models.types import utcnow
from shared.services import calendar
from shared.web.forms import date_parts
from tests import factories
from tests.conftest import activation_path

# Dates are days from today on the London calendar (-2 is the day before yesterday), so
# the form is good, or bad in the same way, whatever day the tests run.
GOOD_CRIME = {
    "reference": "43/70001/26",
    "offence": "criminal_damage",
    "occurred_date": -2,
    "occurred_time": "",
    "reported_date": -1,
    "reported_time": "",
    "stage": "reported",
}


def _day(days_from_today: int) -> list[str]:
    return list(date_parts(calendar.local_date(utcnow()) + timedelta(days=days_from_today)))


@pytest.fixture
def officer(client, ctx):
    member = factories.staff()
    client.staff_sign_in(member.email, factories.PASSWORD)
    return member


def _crime_form(officer, **changes):
    data = dict(GOOD_CRIME, officer_in_charge=str(officer.id))
    data.update(changes)
    return {name: _day(value) if isinstance(value, int) else value for name, value in data.items()}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reference": ""}, "Enter the crime reference"),
        (
            {"reference": "<script>"},
            "Enter a crime reference of 4 to 30 letters, numbers, hyphens or slashes",
        ),
        ({"reference": "X" * 31}, "The crime reference must be 30 characters or fewer"),
        ({"offence": ""}, "Select the offence"),
        ({"offence": "not-an-offence"}, "Not a valid choice."),
        ({"occurred_date": ["", "", ""]}, "Enter the date the crime happened"),
        ({"occurred_date": ["31", "2", "2026"]}, "The date the crime happened must be a real date"),
        ({"occurred_date": ["a", "b", "c"]}, "The date the crime happened must be a real date"),
        ({"occurred_time": "25:00"}, "Enter a time in the 24-hour clock, like 14:30"),
        pytest.param(
            {"reported_date": 1},
            "The date reported must be today or in the past",
            marks=pytest.mark.time_sensitive,
        ),
        pytest.param(
            {"occurred_date": 0},
            "The date the crime happened must be on or before the date it was reported",
            marks=pytest.mark.time_sensitive,
        ),
        ({"officer_in_charge": "999999"}, "Not a valid choice."),
    ],
)
def test_record_crime_form_errors(client, officer, changes, expected):
    page = client.post("/backoffice/crimes/new", _crime_form(officer, **changes))
    assert page.status == 400
    assert expected in page.error_summary
    assert page.title.startswith("Error:")
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 0


def test_a_duplicate_crime_reference_is_a_form_error_and_keeps_the_first(client, officer):
    first = factories.crime(officer, reference="43/70001/26", offence="shoplifting")
    page = client.post("/backoffice/crimes/new", _crime_form(officer, reference=" 43/70001/26 "))
    assert page.error_summary == ["A crime with this reference is already recorded"]
    db.session.expire_all()
    [crime] = db.session.scalars(select(Crime))
    assert crime.id == first.id and crime.offence == "shoplifting"


def test_an_unknown_crime_gives_the_404_page(client, officer):
    for path in [
        "/backoffice/crimes/424242",
        "/backoffice/crimes/424242/updates/new",
        "/backoffice/crimes/424242/stage",
    ]:
        page = client.get(path)
        assert page.status == 404
        assert page.h1 == "Page not found"


def test_update_form_errors_lose_nothing(client, officer):
    crime = factories.crime(officer)
    factories.update(crime, officer, text="Already saved")
    url = f"/backoffice/crimes/{crime.id}/updates/new"
    cases = [
        ({"kind": "general", "victim_text": "", "visible": "yes"}, "Enter the update for the victim"),
        (
            {"kind": "general", "victim_text": "", "internal_note": "", "visible": "no"},
            "Enter the update for the victim or an internal note",
        ),
        ({"kind": "general", "victim_text": "Hello"}, "Select whether the victim can read this update"),
        ({"kind": "teleport", "victim_text": "Hello", "visible": "yes"}, "Not a valid choice."),
        (
            {"kind": "general", "victim_text": "x" * 5001, "visible": "yes"},
            "Text must be 5000 characters or fewer",
        ),
    ]
    for data, expected in cases:
        page = client.post(url, data)
        assert page.status == 400, data
        assert expected in page.error_summary, (data, page.error_summary)
    texts = list(db.session.scalars(select(InvestigationUpdate.victim_text)))
    assert texts == ["Already saved"]


def test_stage_and_outcome_form_errors(client, officer):
    crime = factories.crime(officer, stage="under_investigation")
    page = client.post(
        f"/backoffice/crimes/{crime.id}/stage", {"stage": "under_investigation", "visible": "yes"}
    )
    assert page.error_summary == ["The crime is already at this stage"]
    page = client.post(f"/backoffice/crimes/{crime.id}/stage", {"stage": "closed", "visible": "yes"})
    assert page.error_summary == ["Not a valid choice."]
    page = client.post(f"/backoffice/crimes/{crime.id}/outcome", {"outcome": "", "visible": "yes"})
    assert page.error_summary == ["Select the outcome"]
    page = client.post(f"/backoffice/crimes/{crime.id}/outcome", {"outcome": "23", "visible": "yes"})
    assert page.error_summary == ["Not a valid choice."]
    db.session.expire_all()
    assert db.session.get(type(crime), crime.id).stage == "under_investigation"


def test_victim_form_errors(client, officer):
    crime = factories.crime(officer)
    url = f"/backoffice/crimes/{crime.id}/victims/new"
    base = {"name": "Ann Lee", "preferred_language": "en", "contact_channel": "email"}
    cases = [
        ({"name": ""}, "Enter the victim’s full name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format, like name@example.com"),
        ({"date_of_birth": ["30", "2", "1990"]}, "Date of birth must be a real date"),
        ({"preferred_language": "fr"}, "Not a valid choice."),
    ]
    for changes, expected in cases:
        page = client.post(url, {**base, **changes})
        assert expected in page.error_summary, (changes, page.error_summary)
    assert db.session.scalar(select(func.count()).select_from(Victim)) == 0


def test_inviting_a_victim_without_an_email_address_explains_why_not(client, officer, messages):
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, email="")
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "they need an email address" in crime_page.main_text
    assert not crime_page.soup.find("form", action=lambda a: a and a.endswith("/invite"))
    page = client.post(
        f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite", {"csrf_token": crime_page.csrf()}
    )
    page = client.follow(page)
    assert "Add an email address for this victim first: they sign in with it" in page.main_text
    assert messages() == []


def test_invite_for_a_victim_of_another_crime_is_404(client, officer):
    crime = factories.crime(officer)
    other = factories.victim(factories.crime(officer), officer)
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    page = client.post(
        f"/backoffice/crimes/{crime.id}/victims/{other.id}/invite", {"csrf_token": crime_page.csrf()}
    )
    assert page.status == 404


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, officer):
    page = client.post("/backoffice/crimes/new", {**_crime_form(officer), "csrf_token": "forged"})
    assert page.status == 400
    assert page.h1 == "Sorry, there is a problem with your request"
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 0


def test_odd_query_strings_do_not_break_the_case_list(client, officer):
    for query in ["page=abc", "page=-1", "page=99999999999", "q=%25", "q=_", "q=" + "x" * 500]:
        assert client.get(f"/backoffice/cases?{query}").status == 200


def _invited(officer, messages, client):
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, email="vic@example.com")
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    client.post(f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite", {"csrf_token": crime_page.csrf()})
    return link, activation_path(messages()[-1])


def test_activation_link_problems(client, victim_client, officer, messages):
    link, path = _invited(officer, messages, client)

    assert victim_client.get("/activate/not-a-real-token").status == 404
    page = victim_client.post(path, {"password": "short", "confirm": "short"})
    assert page.error_summary == ["Your password must be at least 8 characters"]
    page = victim_client.post(path, {"password": "long enough pass", "confirm": "different pass"})
    assert page.error_summary == ["The passwords do not match"]
    db.session.expire_all()
    assert db.session.get(Victim, link.victim_id).activated_at is None

    # A newer invitation voids the older link.
    _, newer = _invited_again(link, client, messages)
    page = victim_client.get(path)
    assert page.status == 410
    assert page.h1 == "This link has already been used"
    assert victim_client.get(newer).status == 200


def _invited_again(link, client, messages):
    crime_page = client.get(f"/backoffice/crimes/{link.crime_id}")
    client.post(
        f"/backoffice/crimes/{link.crime_id}/victims/{link.id}/invite", {"csrf_token": crime_page.csrf()}
    )
    return link, activation_path(messages()[-1])


@pytest.mark.time_sensitive
def test_an_expired_activation_link_gives_a_clear_page_and_changes_nothing(
    client, victim_client, officer, messages
):
    link, path = _invited(officer, messages, client)
    token = db.session.scalar(select(AccountLink))
    db.session.execute(
        AccountLink.__table__.update()
        .values(expires_at=utcnow() - timedelta(minutes=1))
        .where(AccountLink.id == token.id)
    )
    db.session.commit()
    page = victim_client.get(path)
    assert page.status == 410
    assert page.h1 == "This link has expired"
    page = victim_client.post(
        path, {"password": "a fine password", "confirm": "a fine password"}, csrf_from="/sign-in"
    )
    assert page.status == 410
    db.session.expire_all()
    assert db.session.get(Victim, link.victim_id).password_hash is None
