"""The audit trail is true: a read the service refused is recorded as a refusal, never
as a consultation; a refused change is recorded too; and the request id on each event
is the service's own, never one a client chose."""

import json
import logging

import pytest
from sqlalchemy import select

from shared.extensions import db
from shared.models import AuditEvent
from shared.web import hooks
from tests import factories


@pytest.fixture
def two_teams(app, client, ctx):
    """An officer of one team, signed in, and a crime of another team."""
    ours, theirs = factories.team(), factories.team()
    officer = factories.staff(ours, roles=("officer",))
    other_officer = factories.staff(theirs, roles=("officer",))
    crime = factories.crime(other_officer)
    link = factories.victim(crime, other_officer)
    client.staff_sign_in(officer.email, factories.PASSWORD)
    return {"officer": officer, "crime": crime, "link": link, "own_crime": factories.crime(officer)}


def events_since(before: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)))


def last_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def test_a_refused_read_of_another_teams_crime_is_a_refusal_not_a_view(client, two_teams):
    crime = two_teams["crime"]
    before = last_id()
    page = client.get(f"/backoffice/crimes/{crime.id}?victims_page=2")
    assert page.status == 404

    [event] = events_since(before)
    assert event.action == "read.refused"
    assert (event.record_type, event.record_id) == ("crime", str(crime.id))
    assert (event.actor_type, event.actor_id) == ("staff", two_teams["officer"].id)
    # What was asked, and the answer: no query string, no form, no personal data.
    assert event.detail == f"GET /backoffice/crimes/{crime.id} 404"


def test_a_refused_read_of_a_page_under_another_teams_crime_is_a_refusal(client, two_teams):
    crime, link = two_teams["crime"], two_teams["link"]
    before = last_id()
    assert client.get(f"/backoffice/crimes/{crime.id}/victims/{link.id}/messages").status == 404
    assert [e.action for e in events_since(before)] == ["read.refused"]


def test_a_read_that_was_shown_is_still_one_consultation(client, two_teams):
    own = two_teams["own_crime"]
    before = last_id()
    assert client.get(f"/backoffice/crimes/{own.id}").status == 200
    [event] = events_since(before)
    assert (event.action, event.record_type, event.record_id) == ("crime.view", "crime", str(own.id))


def test_a_refused_change_to_another_teams_crime_is_recorded(client, two_teams):
    crime, own = two_teams["crime"], two_teams["own_crime"]
    # The form's token, from a page the officer may see.
    token = client.get(f"/backoffice/crimes/{own.id}/updates/new").csrf()
    before = last_id()
    page = client.post(
        f"/backoffice/crimes/{crime.id}/updates/new",
        {"csrf_token": token, "kind": "general", "victim_text": "Jane Doe's address is 1 High St"},
    )
    assert page.status == 404

    [event] = events_since(before)
    assert event.action == "change.refused"
    assert (event.record_type, event.record_id) == ("crime", str(crime.id))
    assert event.detail == f"POST /backoffice/crimes/{crime.id}/updates/new 404"
    assert "Jane" not in event.detail


def test_the_audit_request_id_is_the_services_own_not_the_clients(client, two_teams):
    own = two_teams["own_crime"]
    before = last_id()
    page = client.get(f"/backoffice/crimes/{own.id}", headers={"X-Request-ID": "someone-elses-request-1"})
    [event] = events_since(before)
    assert event.request_id != "someone-elses-request-1"
    assert page.response.headers["X-Request-ID"] == event.request_id
    assert len(event.request_id) == 32 and int(event.request_id, 16) >= 0


def test_a_proxys_request_id_is_kept_apart_only_when_proxies_are_trusted():
    assert hooks.forwarded_request_id("proxy-request-0001", proxies=1) == "proxy-request-0001"
    assert hooks.forwarded_request_id("proxy-request-0001", proxies=0) is None
    assert hooks.forwarded_request_id("not one; of ours", proxies=1) is None
    assert hooks.new_request_id() != hooks.new_request_id()


def test_the_logs_carry_our_request_id_and_the_trusted_proxys_apart(app, ctx):
    from shared.web import logs

    out = []

    class Keep(logging.Handler):
        def emit(self, record):
            out.append(json.loads(logs.JsonLines().format(record)))

    keep = Keep()
    keep.addFilter(logs.RequestContext())
    logger = logging.getLogger("trackmycrime.test")
    logger.addHandler(keep)
    before = app.config["TRUSTED_PROXIES"]
    try:
        for proxies in (0, 1):
            app.config["TRUSTED_PROXIES"] = proxies
            with app.test_request_context("/", headers={"X-Request-ID": "proxy-request-0001"}):
                app.preprocess_request()
                logger.warning("Something happened")
    finally:
        app.config["TRUSTED_PROXIES"] = before
        logger.removeHandler(keep)
    untrusted, trusted = out
    for line in out:
        assert line["request_id"] != "proxy-request-0001" and len(line["request_id"]) == 32
    assert "forwarded_request_id" not in untrusted
    assert trusted["forwarded_request_id"] == "proxy-request-0001"
