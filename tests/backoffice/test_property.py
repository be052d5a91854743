"""Staff record property on a crime's page and keep where each item is now; impossible
dates, an unknown status or kind, or another crime's victim are refused on the form with
nothing saved. Only those who work cases may do it; others see the list.

The clock is fixed: Tuesday 1 December 2026, 12:00 (GMT).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, PropertyItem, PropertyNote
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def world(ctx):
    officer = factories.staff(roles=("officer",))
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, name="Jane Doe")
    other_crime = factories.crime(officer)
    stranger = factories.victim(other_crime, officer, name="Not On This Crime")
    return {"officer": officer, "crime": crime, "link": link, "stranger": stranger}


def _staff(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _form(link, **changes) -> dict:
    data = {
        "kind": "stolen",
        "description": "Silver laptop",
        "owner": str(link.id),
        "value": "850",
        "status": "held",
        "held_at": ["30", "11", "2026"],
        "returned_at": ["", "", ""],
        "disposed_at": ["", "", ""],
        "return_details": "Collect it from the front desk.",
        "officer_note": "Exhibit JD/1",
    }
    data.update(changes)
    return data


def _items() -> int:
    return db.session.scalar(select(func.count()).select_from(PropertyItem)) or 0


def test_an_officer_records_an_item_and_gives_it_back(app, world):
    crime, link = world["crime"], world["link"]
    staff = _staff(app, world["officer"])
    path = f"/backoffice/crimes/{crime.id}/property/new"
    page = staff.get(path)
    assert page.status == 200 and page.h1 == "Record an item of property"
    saved = staff.post(path, _form(link))
    assert saved.status == 302, saved.error_summary
    page = staff.follow(saved)
    text = page.main_text
    assert "Silver laptop" in text and "£850.00" in text and "Jane Doe" in text and "Exhibit JD/1" in text
    item = db.session.scalar(select(PropertyItem))
    change = f"/backoffice/crimes/{crime.id}/property/{item.id}"
    assert page.links(rf"/property/{item.id}$")
    form = staff.get(change)
    assert form.soup.find("input", attrs={"name": "description"})["value"] == "Silver laptop"
    saved = staff.post(change, _form(link, status="returned", returned_at=["1", "12", "2026"]))
    assert saved.status == 302, saved.error_summary
    db.session.expire_all()
    item = db.session.get(PropertyItem, item.id)
    assert item.status == "returned"
    assert item.value_pence == 85000
    assert db.session.scalar(select(PropertyNote.text)) == "Exhibit JD/1"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("property.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["property.record", "property.change"]


@pytest.mark.parametrize(
    ("why", "changes", "message"),
    [
        (
            "given back before the police had it",
            {"status": "returned", "returned_at": ["29", "11", "2026"]},
            "The item cannot have been given back before the police took it in",
        ),
        (
            "taken in before the crime happened",
            {"held_at": ["1", "1", "2026"]},
            "The police cannot have taken the item in before the crime happened",
        ),
        (
            "taken in in the future",
            {"held_at": ["2", "12", "2026"]},
            "The date the police took the item in cannot be in the future",
        ),
        ("held without the date", {"held_at": ["", "", ""]}, "Enter the date the police took the item in"),
        ("an unknown status", {"status": "lost"}, "Not a valid choice"),
        ("an unknown kind", {"kind": "borrowed"}, "Not a valid choice"),
        ("a value in words", {"value": "lots"}, "Enter the value in pounds, for example 350 or 349.99"),
        ("a date that does not exist", {"held_at": ["31", "2", "2026"]}, "must be a real date"),
        ("a victim of another crime", {"owner": "stranger"}, "Select whose item it is"),
    ],
)
def test_an_impossible_item_is_refused_on_the_form_and_nothing_saved(app, world, why, changes, message):
    crime, link = world["crime"], world["link"]
    if changes.get("owner") == "stranger":
        changes = {**changes, "owner": str(world["stranger"].id)}
    staff = _staff(app, world["officer"])
    page = staff.post(f"/backoffice/crimes/{crime.id}/property/new", _form(link, **changes))
    assert page.status == 400, why
    assert any(message in error for error in page.error_summary), (why, page.error_summary)
    assert _items() == 0
    assert db.session.scalar(select(func.count()).select_from(PropertyNote)) == 0


def test_an_item_of_another_crime_is_not_found(app, world):
    other = factories.property_item(world["stranger"].crime, world["officer"], world["stranger"])
    staff = _staff(app, world["officer"])
    assert staff.get(f"/backoffice/crimes/{world['crime'].id}/property/{other.id}").status == 404


def test_an_analyst_sees_the_property_but_cannot_record_it(app, world):
    factories.property_item(world["crime"], world["officer"], world["link"], description="Gold watch")
    analyst = _staff(app, factories.staff(roles=("analyst",)))
    page = analyst.get(f"/backoffice/crimes/{world['crime'].id}")
    assert "Gold watch" in page.main_text
    assert not page.links(r"/property/")
    assert analyst.get(f"/backoffice/crimes/{world['crime'].id}/property/new").status == 403
