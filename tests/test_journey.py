"""The whole journey: an officer records a crime, adds and invites the victim, posts an
update; the victim activates their account, signs in and reads it."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent, Crime, InternalNote, InvestigationUpdate
from tests import factories
from tests.conftest import activation_path

# The journey happens in November 2026; it is followed on 1 December 2026, whenever the suite runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 12, tzinfo=UTC), tick=True)


def test_officer_keeps_victim_informed_and_victim_follows_case(app, client, victim_client, messages, ctx):
    officer = factories.staff(name="Sam Taylor")
    client.staff_sign_in(officer.email, factories.PASSWORD)

    # Record the crime.
    page = client.post(
        "/backoffice/crimes/new",
        {
            "reference": "43/55501/26",
            "offence": "burglary_residential",
            "occurred_date": ["3", "11", "2026"],
            "occurred_time": "02:15",
            "reported_date": ["3", "11", "2026"],
            "reported_time": "08:40",
            "officer_in_charge": str(officer.id),
            "stage": "under_investigation",
        },
    )
    crime_page = client.follow(page)
    assert crime_page.h1 == "Crime 43/55501/26"
    assert "Crime 43/55501/26 recorded" in crime_page.main_text
    crime = db.session.scalar(select(Crime).where(Crime.reference == "43/55501/26"))
    assert crime.offence_group == "theft"
    # 02:15 on 3 November 2026 in London is 02:15 UTC (no summer time).
    assert crime.occurred_at.isoformat() == "2026-11-03T02:15:00+00:00"

    # Add the victim.
    crime_url = f"/backoffice/crimes/{crime.id}"
    page = client.post(
        f"{crime_url}/victims/new",
        {
            "name": "Jane Doe",
            "date_of_birth": ["31", "3", "1980"],
            "email": "Jane.Doe@Example.com",
            "preferred_language": "en",
            "contact_channel": "email",
        },
    )
    crime_page = client.follow(page)
    assert "Jane Doe" in crime_page.main_text
    assert "Not invited" in crime_page.main_text

    # Invite her.
    invite_url = crime_page.soup.find("form", action=lambda a: a and a.endswith("/invite"))["action"]
    page = client.post(invite_url, {"csrf_token": crime_page.csrf()})
    crime_page = client.follow(page)
    assert "Invitation sent to Jane Doe" in crime_page.main_text
    assert "Invited" in crime_page.main_text
    [invitation] = messages()
    assert invitation["to"] == "jane.doe@example.com"

    # Post an update with an internal note.
    page = client.post(
        f"{crime_url}/updates/new",
        {
            "kind": "arrest",
            "victim_text": "We arrested a man this morning.",
            "visible": "yes",
            "internal_note": "Suspect is the ex-partner; see intelligence log 4471.",
        },
    )
    crime_page = client.follow(page)
    assert "We arrested a man this morning." in crime_page.main_text
    assert "intelligence log 4471" in crime_page.main_text  # staff see the note
    assert crime_page.soup.select_one(".moj-timeline")

    # The victim sets a password through the link and signs in.
    path = activation_path(invitation)
    page = victim_client.get(path)
    assert page.h1 == "Set up your account"
    page = victim_client.post(path, {"password": "correct horse battery", "confirm": "correct horse battery"})
    page = victim_client.follow(page)
    assert "Your account is ready" in page.main_text
    page = victim_client.victim_sign_in("jane.doe@example.com", "correct horse battery")
    cases = victim_client.follow(page)
    assert cases.h1 == "Your crimes"
    [case_url] = cases.links(r"^/cases/")
    victim_client.forbidden_in_title = ["43/55501/26", "burglary"]
    case = victim_client.get(case_url)
    assert case.h1 == "Your case"
    assert "We are investigating" in case.main_text
    assert "Sam Taylor, collar number " + officer.collar_number in case.main_text
    assert "We arrested a man this morning." in case.main_text
    assert "Suspect arrested" in case.main_text
    assert "What happens next" in case.main_text
    assert "4471" not in case.text and "ex-partner" not in case.text

    # The link is used up.
    assert victim_client.get(path).status == 410

    # The change history is kept and audited.
    assert db.session.scalar(select(InternalNote.text)).startswith("Suspect is the ex-partner")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "crime.record",
        "victim.add",
        "victim.invite",
        "update.post",
        "victim.activate",
        "crime.view",
    } <= actions


def test_stage_change_and_outcome_reach_the_victim_in_plain_words(client, victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)

    page = client.post(
        f"/backoffice/crimes/{crime.id}/stage",
        {"stage": "suspect_identified", "victim_text": "", "visible": "yes"},
    )
    assert client.follow(page).status == 200
    page = client.post(
        f"/backoffice/crimes/{crime.id}/outcome",
        {
            "outcome": "18",
            "victim_text": "Thank you for your patience.",
            "visible": "yes",
            "factors": "solvability",
        },
    )
    crime_page = client.follow(page)
    assert "Outcome recorded" in crime_page.main_text
    assert "18: Investigation complete: no suspect identified" in crime_page.main_text

    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    case = victim_client.get(f"/cases/{link.public_id}")
    assert "The investigation has finished" in case.main_text
    assert "We have identified a suspect" in case.main_text
    assert "no suspect was identified" in case.main_text
    assert "Thank you for your patience." in case.main_text
    stages = list(db.session.scalars(select(InvestigationUpdate.new_stage).order_by(InvestigationUpdate.id)))
    assert stages == ["suspect_identified", "closed"]
