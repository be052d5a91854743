"""The cases in the security bar about forms, output, headers and logs, each shown to
hold across every route rather than on one example."""

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from shared.domain.permissions import ROLE_PERMISSIONS
from shared.extensions import db
from shared.models import Action, Entitlement, Recommendation, ScrutinyCase
from shared.models.types import utcnow
from shared.services import calendar, cdi_audits, cdi_findings, cdi_rulings, links
from shared.web.login import safe_next
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NEXT_PAYLOADS = [
    "//evil.example",
    "/\\evil.example",
    "/%09/evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/%2F/evil.example",
    "/%5Cevil.example",
    " //evil.example",
    "\t/evil.example",
    "///evil.example",
    "evil.example",
]
# Tables whose rows only record that something was read or someone was seen.
READ_LOGS = {"audit_event", "user_session"}


@pytest.mark.parametrize("payload", NEXT_PAYLOADS)
def test_next_after_sign_in_stays_on_this_site(victim_client, ctx, payload):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    page = victim_client.post(
        "/sign-in?" + sa.engine.url.quote_plus("next") + "=" + sa.engine.url.quote_plus(payload),
        {"email": link.victim.email, "password": factories.PASSWORD},
        csrf_from="/sign-in",
    )
    assert page.status == 302
    assert page.response.headers["Location"] == "/cases", payload
    assert safe_next(payload, "/default") == "/default"


def test_next_keeps_a_same_site_path():
    assert safe_next("/cases/abc?x=1", "/default") == "/cases/abc?x=1"


@pytest.fixture
def staff_client(app, ctx):
    """Signed-in staff holding every role, and a crime with a victim in their team."""
    team = factories.team()
    member = factories.staff(team, roles=tuple(ROLE_PERMISSIONS))
    crime = factories.crime(member)
    link = factories.victim(crime, member)
    entitlement = db.session.scalar(
        select(Entitlement).where(Entitlement.crime_victim_id == link.id).order_by(Entitlement.id)
    )
    sergeant = factories.staff(team, roles=("supervisor",))
    for _ in range(2):
        factories.out_of_court_disposal(member, sergeant)
    sample = factories.scrutiny_sample(member, 1)
    today = calendar.local_date(utcnow())
    audit = cdi_audits.create_audit(
        "Audit", today - timedelta(days=30), today, {"out_of_court": 2}, 1, member
    )
    # Two failed judgements: the first record a finding, with its forms to put right and
    # dispute; the second disputed, waiting for the registrar's ruling.
    questions = dict.fromkeys(cdi_audits.checklist("out_of_court"), "yes")
    for position in (1, 2):
        cdi_audits.judge(cdi_audits.record_at(audit, position), questions, "no", "Wrong", member)
    cdi_rulings.dispute(cdi_findings.finding(member, audit, 2), "The record shows otherwise", member)
    undecided = factories.undecided_incident(team, utcnow() - timedelta(days=1))
    recommendation = Recommendation(
        source="inspection", source_title="Inspection 2014", source_date=date(2014, 8, 1), text="Record more"
    )
    db.session.add(recommendation)
    db.session.flush()
    action = Action(
        recommendation_id=recommendation.id,
        title="An action",
        theme="training",
        owner_id=member.id,
        due_on=date(2030, 1, 1),
    )
    db.session.add(action)
    db.session.commit()
    # An item of the victim's property, for its form.
    item = factories.property_item(crime, member, link)
    client = PageClient(app)
    sign_in_as(client, member)
    return client, {
        "action_id": action.id,
        "crime_id": crime.id,
        "link_id": link.id,
        "staff_id": member.id,
        "entitlement_id": entitlement.id,
        "notification_id": 1,
        "client_pk": 1,
        "sample_id": sample.id,
        "case_key": db.session.scalars(select(ScrutinyCase.case_key)).one(),
        "audit_id": audit.id,
        "position": 1,
        "item_id": item.id,
        # Where one form needs another record than the rest.
        "incident_reference": undecided.reference,
        "for_endpoint": {"backoffice.cdi_ruling": {"position": 2}},
    }


def _build(rule, values) -> str:
    values = values | values.get("for_endpoint", {}).get(rule.endpoint, {})
    return rule.build({arg: values.get(arg, "x") for arg in rule.arguments})[1]


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in READ_LOGS
    }


def test_every_state_changing_request_needs_the_csrf_token(app, staff_client):
    client, values = staff_client
    before = _row_counts()
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 8
    for rule in posts:
        response = client._request(
            "post", _build(rule, values), data={"email": "a@b.example", "password": "x" * 12}
        )
        if rule.endpoint.startswith("api."):
            # The API takes no cookies: a signed-in browser is no records system.
            assert response.status_code in (400, 401), (rule.endpoint, response.status_code)
            continue
        if rule.endpoint == "notify_delivery_receipts":
            # GOV.UK Notify's receipts take no cookies either: served only with a token
            # set (404 here), refused without it (tests/shared/clients/test_notify_delivery.py).
            assert response.status_code in (401, 404), (rule.endpoint, response.status_code)
            continue
        assert response.status_code == 400, (rule.endpoint, response.status_code)
    db.session.expire_all()
    assert _row_counts() == before


def test_no_get_request_changes_anything_but_the_read_logs(app, staff_client):
    client, values = staff_client
    before = _row_counts()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            client._request("get", _build(rule, values))
    db.session.expire_all()
    assert _row_counts() == before


def test_every_signed_in_page_is_not_stored_by_the_browser(app, staff_client):
    client, values = staff_client
    for rule in app.url_map.iter_rules():
        if (
            "GET" in rule.methods
            and rule.endpoint.startswith("backoffice.")
            and "token" not in rule.arguments
        ):
            response = client._request("get", _build(rule, values))
            assert response.headers.get("Cache-Control") == "no-store", rule.endpoint


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/assets/app.css"),
        ("get", "/no-such-page"),
        ("get", "/backoffice/no-such-page"),
        ("get", "/sign-out"),  # 405
        ("post", "/sign-in"),  # 400: no CSRF token
        ("get", "/backoffice/cases"),  # 302 to sign in
        ("get", "/sign-in"),
    ],
)
def test_every_response_carries_the_security_headers(app, method, path):
    response = getattr(app.test_client(), method)(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "'nonce-"):
        assert directive in csp, (path, directive)
    assert "unsafe-inline" not in csp
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    response.close()


def test_officer_text_stays_inert_for_the_victim(app, victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer)
    hostile = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">click</a>'
    )
    factories.update(crime, officer, text=hostile)
    sign_in_as(victim_client, link.victim)
    page = victim_client.get(f"/cases/{link.public_id}")
    assert page.status == 200
    assert "<script>alert(1)</script>" in page.main_text  # shown as text
    assert not [s for s in page.soup.find_all("script") if "alert" in s.get_text()]
    assert not page.soup.find(attrs={"onerror": True})
    assert not [a for a in page.soup.find_all("a", href=True) if a["href"].startswith("javascript:")]


def test_no_password_or_token_reaches_the_logs(app, client, victim_client, messages, caplog, ctx):
    """Everything logged while an officer invites a victim who then signs in, except the
    development message channel, which exists to show a developer the email itself."""
    caplog.set_level(logging.DEBUG)
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, email="logcheck@example.com")
    sign_in_as(client, officer)
    client.post(
        f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite",
        {},
        csrf_from=f"/backoffice/crimes/{crime.id}",
    )
    path = [m for m in messages() if m["to"] == "logcheck@example.com"][0]["body"]
    token = path.rsplit("/", 1)[-1].split()[0]
    new_password = "correct horse battery staple 42"
    assert (
        victim_client.post(f"/activate/{token}", {"password": new_password, "confirm": new_password}).status
        == 302
    )
    assert (
        victim_client.post("/sign-in", {"email": "logcheck@example.com", "password": new_password}).status
        == 302
    )
    victim_client.post("/sign-in", {"email": "logcheck@example.com", "password": "wrong " + new_password})
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "trackmycrime.messages"
    )
    assert token not in logged
    assert new_password not in logged
    assert factories.PASSWORD not in logged


def test_fields_a_victim_may_not_set_are_ignored(app, victim_client, ctx):
    """A victim changing their password cannot aim the change at someone else by adding
    a victim id, an author or an internal flag to the form."""
    officer = factories.staff()
    crime = factories.crime(officer)
    mine = factories.active_victim(crime, officer)
    other = factories.active_victim(crime, officer)
    other_hash = other.victim.password_hash
    sign_in_as(victim_client, mine.victim)
    new_password = "a brand new passphrase 2026"
    page = victim_client.post(
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "password": new_password,
            "confirm": new_password,
            "victim_id": str(other.victim.id),
            "id": str(other.victim.id),
            "author_id": str(officer.id),
            "internal": "1",
        },
    )
    assert page.status == 302
    db.session.expire_all()
    assert other.victim.password_hash == other_hash
    assert mine.victim.password_hash != other_hash


def test_only_a_ddm_or_the_force_crime_registrar_may_cancel_a_crime():
    holders = {role for role, permissions in ROLE_PERMISSIONS.items() if "crimes.cancel" in permissions}
    assert holders == {"ddm", "fcr"}


def test_every_form_sent_back_for_bad_input_is_a_4xx_with_the_error_summary(app, staff_client, victim_client):
    """Any form page whose POST comes back with errors answers 400, with the GOV.UK
    error summary, never 200 or 500."""
    client, values = staff_client
    forms = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("backoffice.")
        and {"GET", "POST"} <= rule.methods
        and "token" not in rule.arguments
        and not getattr(app.view_functions[rule.endpoint], "is_public", False)
    ]
    assert len(forms) >= 5
    for rule in forms:
        path = _build(rule, values)
        page = client.post(path, {})
        assert page.status == 400, (rule.endpoint, page.status)
        assert page.soup.select_one(".govuk-error-summary"), rule.endpoint
    for path in ("/sign-in", "/forgot-password", "/backoffice/sign-in"):
        page = PageClient(app, portal=True).post(path, {})
        assert page.status == 400 and page.error_summary, path


def _no_store(response) -> bool:
    return response.headers.get("Cache-Control") == "no-store"


def test_no_page_is_stored_by_a_browser_or_a_proxy_signed_in_or_not(app, staff_client):
    """Every response that is not a static file says no-store: public pages and pages
    whose address carries a secret (with a token that works or not) as well as
    signed-in ones, and their redirects and errors."""
    client, values = staff_client
    anonymous = PageClient(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = _build(rule, values)
        for who in (anonymous, client):
            response = who._request("get", path)
            assert _no_store(response), (
                rule.endpoint,
                response.status_code,
                response.headers.get("Cache-Control"),
            )
            checked += 1
    assert checked > 60


def test_links_carrying_a_secret_and_what_follows_them_are_never_stored(app, ctx):
    officer = factories.staff()
    link = factories.victim(factories.crime(officer), officer)
    admin = factories.staff(roles=("admin",))
    new_member = factories.staff()
    activation = "/activate/" + links.issue("activation", timedelta(hours=1), victim=link.victim)
    set_up = "/backoffice/set-up/" + links.issue(
        "staff_setup", timedelta(hours=1), staff=new_member, by=admin
    )
    other = factories.active_victim(factories.crime(officer), officer)
    reset = "/reset-password/" + links.issue("reset", timedelta(hours=1), victim=other.victim)
    db.session.commit()
    password = "a long and fine passphrase"
    for path in (activation, set_up, reset):
        client = PageClient(app, portal=not path.startswith("/backoffice"))
        page = client.get(path)
        assert page.status == 200 and _no_store(page.response), path
        # Sent back with errors, then accepted (a redirect), then used up (an error).
        page = client.post(path, {"password": password, "confirm": "not the same"})
        assert page.status == 400 and _no_store(page.response), path
        page = client.post(path, {"password": password, "confirm": password})
        assert page.status == 302 and _no_store(page.response), path
        page = client.get(path)
        assert page.status == 410 and _no_store(page.response), path
        page = client.get(path[:-4] + "nope")
        assert page.status == 404 and _no_store(page.response), path
