"""Why a crime is not being investigated: the officer picks the force's factors when
recording the decision (as an update or as an outcome), and the victim reads them in
plain words on their case page with what they can do.

The clock is fixed: Monday 7 December 2026, 10:00 (GMT).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.config import ConfigError, Settings, _investigation_factors
from shared.domain.investigation_factors import DEFAULT_FACTORS
from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import DecisionFactor, InvestigationUpdate
from shared.services import crimes, updates
from shared.services.errors import ServiceError
from tests import factories
from tests.api_helpers import register
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)

SOLVABILITY_TEXT = "could lead us to the person responsible"
RESOURCES_TEXT = "We have to use our officers’ time where it does the most good for everyone."


def _staff(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _victim(app, link) -> PageClient:
    client = PageClient(app, portal=True)
    sign_in_as(client, link.victim)
    with app.test_request_context():
        offence = str(OFFENCES[link.crime.offence].label)
    client.forbidden_in_title = [link.crime.reference, offence]
    return client


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(InvestigationUpdate)) or 0,
        db.session.scalar(select(func.count()).select_from(DecisionFactor)) or 0,
    )


def _post_decision(staff, crime, **fields):
    path = f"/backoffice/crimes/{crime.id}/updates/new"
    data = {
        "csrf_token": staff.get(path).csrf(),
        "kind": "not_investigated",
        "victim_text": "We have looked at everything we have.",
        "visible": "yes",
        **fields,
    }
    return staff.post(path, data)


def test_the_officer_picks_the_factors_and_the_victim_reads_them_with_what_they_can_do(app, ctx):
    officer = factories.staff(name="Sam Taylor")
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    staff = _staff(app, officer)

    form = staff.get(f"/backoffice/crimes/{crime.id}/updates/new")
    assert form.soup.select("input[name=factors]") and [
        box["value"] for box in form.soup.select("input[name=factors]")
    ] == ["vulnerability", "severity", "solvability", "resources"]
    # The officer sees what the victim will read for each factor.
    assert SOLVABILITY_TEXT in form.main_text

    posted = _post_decision(staff, crime, factors=["resources", "solvability"])
    assert posted.status == 302, posted.error_summary
    update = db.session.scalar(
        select(InvestigationUpdate).where(InvestigationUpdate.kind == "not_investigated")
    )
    assert sorted(
        db.session.scalars(select(DecisionFactor.factor).where(DecisionFactor.update_id == update.id))
    ) == [
        "resources",
        "solvability",
    ]
    page = staff.get(f"/backoffice/crimes/{crime.id}")
    assert "The decision rests on:" in page.main_text
    assert "Solvability" in page.main_text and "Best use of resources" in page.main_text

    victim = _victim(app, link)
    case = victim.get(f"/cases/{link.public_id}")
    text = " ".join(case.main_text.split())
    assert "Why we are not investigating further" in text
    assert "On 7 December 2026 we decided not to investigate your crime further for now." in text
    # The status and what happens next say the same, not "we are investigating".
    assert (
        case.soup.select_one("main .govuk-summary-list .govuk-tag").get_text(strip=True)
        == "Not being investigated further"
    )
    assert "We are not investigating your crime further for now. If we get new information" in text
    assert "gathering evidence" not in text
    assert SOLVABILITY_TEXT in text and RESOURCES_TEXT in text
    assert "Vulnerability" not in text
    # What they can do: new information to the officer, support; no review without a suspect.
    assert case.links(r"/messages$") and f"/cases/{link.public_id}/messages" in case.links(r"/messages$")
    assert case.links(r"/help$")
    assert not case.links(r"/review$")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Select at least one factor the decision not to investigate further rests on"),
        ({"factors": ["luck"]}, "Select the factors from the list"),
        ({"factors": ["solvability", "luck"]}, "Select the factors from the list"),
        (
            {"kind": "general", "factors": ["solvability"]},
            "Select factors only for a decision not to investigate further",
        ),
    ],
)
def test_a_decision_without_its_factors_or_with_wrong_ones_is_refused_and_nothing_changes(
    app, ctx, fields, message
):
    officer = factories.staff()
    crime = factories.crime(officer)
    staff = _staff(app, officer)
    before = _counts()
    page = _post_decision(staff, crime, **fields)
    assert page.status == 400
    assert message in page.error_summary
    assert _counts() == before


def test_an_outcome_that_files_the_crime_takes_the_factors_too(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    staff = _staff(app, officer)
    path = f"/backoffice/crimes/{crime.id}/outcome"

    refused = staff.post(path, {"csrf_token": staff.get(path).csrf(), "outcome": "18", "visible": "yes"})
    assert refused.status == 400
    assert (
        "Select at least one factor the decision not to investigate further rests on" in refused.error_summary
    )
    db.session.refresh(crime)
    assert crime.outcome is None

    posted = staff.post(
        path,
        {"csrf_token": staff.get(path).csrf(), "outcome": "18", "visible": "yes", "factors": ["solvability"]},
    )
    assert posted.status == 302, posted.error_summary
    text = " ".join(_victim(app, link).get(f"/cases/{link.public_id}").main_text.split())
    assert "Why we are not investigating further" in text and SOLVABILITY_TEXT in text


def test_the_force_chooses_its_factors(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "NOT_INVESTIGATED_FACTORS", ("solvability", "victim_wishes"))
    officer = factories.staff()
    crime = factories.crime(officer)
    staff = _staff(app, officer)
    form = staff.get(f"/backoffice/crimes/{crime.id}/updates/new")
    assert [box["value"] for box in form.soup.select("input[name=factors]")] == [
        "solvability",
        "victim_wishes",
    ]
    before = _counts()
    # A factor this force does not publish is refused.
    assert _post_decision(staff, crime, factors=["severity"]).status == 400
    assert _counts() == before
    assert _post_decision(staff, crime, factors=["victim_wishes"]).status == 302


def test_the_decision_stops_showing_once_the_investigation_moves_on(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    updates.post_update(
        crime,
        kind="not_investigated",
        victim_text="We cannot go further for now.",
        internal_note=None,
        visible=True,
        by=officer,
        factors=["solvability"],
    )
    factories.update(crime, officer, text="Thank you for your message.")
    victim = _victim(app, link)
    # A general update does not change the decision.
    assert "Why we are not investigating further" in victim.get(f"/cases/{link.public_id}").main_text
    # New information led to an arrest: the decision no longer stands.
    factories.update(crime, officer, kind="arrest", text="We have arrested someone.")
    case = victim.get(f"/cases/{link.public_id}")
    assert "Why we are not investigating further" not in case.main_text
    assert (
        case.soup.select_one("main .govuk-summary-list .govuk-tag").get_text(strip=True)
        != "Not being investigated further"
    )


def test_where_the_right_to_review_applies_the_victim_is_pointed_to_it(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    factories.update(crime, officer, kind="interview", text="We interviewed a suspect.")
    crimes.record_outcome(crime, 15, None, True, officer)
    updates.post_update(
        crime,
        kind="not_investigated",
        victim_text="We will not take it further.",
        internal_note=None,
        visible=True,
        by=officer,
        factors=["solvability", "severity"],
    )
    case = _victim(app, link).get(f"/cases/{link.public_id}")
    assert case.links(r"/review$") == [f"/cases/{link.public_id}/review"]
    assert "You can ask us to review the decision until 7 March 2027." in " ".join(case.main_text.split())


def test_a_records_system_may_push_the_decision_without_factors(app, ctx):
    """The decision was made in the records system: the victim is pointed to the officer."""
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    client, _secret = register(by=officer)
    crimes.record_outcome(crime, 18, None, True, client)
    text = " ".join(_victim(app, link).get(f"/cases/{link.public_id}").main_text.split())
    assert "Why we are not investigating further" in text
    assert "The officer in charge can explain why." in text


def test_a_member_of_staff_cannot_record_the_decision_without_factors_through_the_service(ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    before = _counts()
    with pytest.raises(ServiceError) as refused:
        crimes.record_outcome(crime, 19, None, True, officer)
    assert refused.value.field == "factors"
    assert _counts() == before


def test_the_decision_reads_in_welsh(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, language="cy")
    updates.post_update(
        crime,
        kind="not_investigated",
        victim_text="Ni allwn fynd ymhellach.",
        internal_note=None,
        visible=True,
        by=officer,
        factors=["vulnerability"],
    )
    victim = _victim(app, link)
    path = f"/cases/{link.public_id}"
    victim.get(f"/language/cy?next={path}")
    page = victim.get(path)
    assert page.soup.html["lang"] == "cy"
    text = " ".join(page.main_text.split())
    assert "Pam nad ydym yn ymchwilio ymhellach" in text
    assert "Bregusrwydd" in text


@pytest.mark.parametrize("value", ["luck", "solvability, solvability", " , "])
def test_the_factors_setting_refuses_what_it_does_not_know(value):
    with pytest.raises(ConfigError, match="NOT_INVESTIGATED_FACTORS"):
        _investigation_factors(Settings({"NOT_INVESTIGATED_FACTORS": value}, {}))
    assert _investigation_factors(Settings({}, {})) == DEFAULT_FACTORS
