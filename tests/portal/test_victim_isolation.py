"""Property: whichever victim asks, for whichever other victim's crime and by whatever
identifier, the answer is 404, nothing of the other crime shows, and the attempt is
kept in the audit trail."""

import string
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shared.extensions import db
from shared.models import AuditEvent, Entitlement
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

SECRET = "Only for victim"


@pytest.fixture
def world(app, ctx):
    """Four victims of three crimes (two share one), each with an update and an internal
    note, and a signed-in client for each victim."""
    officer = factories.staff()
    crimes = [factories.crime(officer, offence=o) for o in ("stalking", "burglary_residential", "abh")]
    links = [
        factories.active_victim(crimes[0], officer),
        factories.active_victim(crimes[1], officer),
        factories.active_victim(crimes[2], officer),
        factories.active_victim(crimes[2], officer),
    ]
    for n, crime in enumerate(crimes):
        factories.update(crime, officer, text=f"{SECRET} {n}", note=f"Internal note {n}")
    clients = []
    for link in links:
        client = PageClient(app, portal=True)
        sign_in_as(client, link.victim)
        clients.append(client)
    return {"crimes": crimes, "links": links, "clients": clients}


def _identifiers(link):
    """Every identifier of a victim's crime someone might try in a URL."""
    crime = link.crime
    return [link.public_id, str(link.id), str(crime.id), crime.reference, crime.reference.replace("/", "%2F")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    asker=st.integers(0, 3),
    owner=st.integers(0, 3),
    which=st.integers(0, 4),
    noise=st.text(alphabet=string.ascii_letters + string.digits + "-_%/.", min_size=1, max_size=40),
    use_noise=st.booleans(),
)
def test_a_victim_never_receives_another_victims_crime(world, asker, owner, which, noise, use_noise):
    links, client = world["links"], world["clients"][asker]
    mine = links[asker]
    target = links[owner]
    identifier = noise if use_noise else _identifiers(target)[which]
    own_crime = target.crime_id == mine.crime_id and identifier == mine.public_id
    before = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "victim.case_denied")
    )

    response = client._request("get", f"/cases/{identifier}")
    if response.status_code == 308:  # the router tidies `//` and the like; follow it once
        location = response.headers["Location"]
        assert location.startswith("/cases/") or location.startswith("http://localhost/cases/")
        response = client._request("get", location)

    after = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "victim.case_denied")
    )
    body = response.get_data(as_text=True)
    if own_crime:
        assert response.status_code == 200
        return
    assert response.status_code == 404, (asker, owner, identifier)
    # Nothing of any crime but possibly the asker's own shows, and no internal note ever.
    for n, crime in enumerate(world["crimes"]):
        if crime.id != mine.crime_id:
            assert f"{SECRET} {n}" not in body
            # (The language links repeat the path asked for, so a reference the asker
            # typed may appear there; nothing else may show it.)
            if crime.reference not in unquote(identifier):
                assert crime.reference not in body
    assert "Internal note" not in body
    if (
        response.status_code == 404
        and identifier.strip("/")
        and "/" not in identifier
        and "%2F" not in identifier.upper()
    ):
        assert after == before + 1, "a refused request must be in the audit trail"


@pytest.mark.parametrize("path", ["update-request", "review", "complaint", "contact-preferences"])
def test_a_victim_cannot_ask_or_complain_on_another_victims_crime(world, path):
    """Asking for an update or a review, or complaining, on a crime that is not the
    asker's: 404 on reading and on sending, nothing recorded, the attempt audited."""
    mine, other = world["links"][0], world["links"][1]
    client = world["clients"][0]
    token = client.get(f"/cases/{mine.public_id}/complaint").csrf()
    owed = select(func.count()).select_from(Entitlement).where(Entitlement.crime_victim_id == other.id)
    before = db.session.scalar(owed)
    denied = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "victim.case_denied")
    refused_before = db.session.scalar(denied)
    assert client.get(f"/cases/{other.public_id}/{path}").status == 404
    assert client.post(f"/cases/{other.public_id}/{path}", {"csrf_token": token}).status == 404
    assert db.session.scalar(owed) == before
    assert db.session.scalar(denied) == refused_before + 2
