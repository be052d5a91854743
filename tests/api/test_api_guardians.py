"""A records system adds a victim under 18 with the parent or guardian who receives the
rights, as the back office records them: the account may be theirs, and the invitation
then goes to them; bad input is refused with the field named and nothing saved."""

from datetime import date

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Guardian
from shared.services import guardians
from tests.api.test_api_records import add_victim, create, fresh, link_row, ok, pointers, problem, snapshot
from tests.api_helpers import victim_body

PARENT = {
    "name": "Pat Parent",
    "relationship": "parent",
    "email": "pat.parent@example.com",
    "phone": "07700 900555",
    "holds_account": True,
}


def _born(age: int) -> str:
    """A date of birth making the victim `age` today."""
    return date(guardians.today().year - age, 1, 1).isoformat()


def test_a_child_added_with_a_parent_who_holds_the_account_and_is_invited(app, ctx, api, messages):
    reference = create(api)["reference"]
    body = victim_body("C1", name="Sam Child", date_of_birth=_born(10), email=None, guardian=PARENT)
    answer = ok(api.post(f"/crimes/{reference}/victims", body), 201)
    shown = answer["victim"]["guardian"]
    assert shown["name"] == "Pat Parent" and shown["holds_account"] and not shown["account_active"]
    assert shown["contact"] == "guardian"

    link = link_row("C1")
    row = db.session.scalar(select(Guardian).where(Guardian.crime_victim_id == link.id))
    assert row.api_client_id == api.client.id and row.recorded_by_id is None

    # The same again changes nothing.
    again = ok(api.post(f"/crimes/{reference}/victims", body | {"updated_at": body["updated_at"]}), 200)
    assert again["result"] in ("unchanged", "ignored_older")

    invited = ok(api.post(f"/crimes/{reference}/victims/C1/invitation", {}), 201)
    assert invited["result"] == "invited"
    [invitation] = messages()
    assert invitation["to"] == "pat.parent@example.com"


def test_bad_guardians_are_refused_with_the_field_named_and_nothing_saved(app, ctx, api):
    reference = create(api)["reference"]
    add_victim(api, reference, "A1")
    path = f"/crimes/{reference}/victims"
    child = victim_body("C2", date_of_birth=_born(9), guardian=PARENT)
    before = snapshot()
    cases = [
        # A parent or guardian for an adult.
        (victim_body("A2", guardian=PARENT), "/guardian"),
        # No date of birth to say the victim is a child.
        (victim_body("C3", date_of_birth=None, guardian=PARENT), "/guardian"),
        # A child under 12 (and direct contact not turned on besides).
        (child | {"guardian": PARENT | {"contact": "child"}}, "/guardian/contact"),
    ]
    for body, pointer in cases:
        refused = problem(api.post(path, body), 422)
        assert pointers(refused) == [pointer], refused
    # What the schema says: the account is theirs only with an email address.
    refused = problem(api.post(path, child | {"guardian": PARENT | {"email": None}}), 422)
    assert pointers(refused) and all(p.startswith("/guardian") for p in pointers(refused))
    problem(api.post(path, child | {"guardian": PARENT | {"relationship": "uncle"}}), 422)
    assert snapshot() == before
    fresh()
    assert db.session.scalar(select(func.count(Guardian.id))) == 0
