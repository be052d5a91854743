"""Every form of the portal and the back office, filled in with hostile values by
hypothesis (NUL, lone surrogates, digits `int()` refuses, far dates, control and bidi
characters, oversized text, fields missing, repeated or unknown), by someone allowed to
send it and with the records it needs: the answer is never a 5xx, and a refused form
(4xx) leaves every row saved before exactly as it was.

The list of routes comes from the app: a new POST route fails
`test_every_form_route_is_fuzzed` until it is added to ROUTES below."""

import functools
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shared.extensions import db
from shared.models import Entitlement, OutboxMessage, ScrutinyCase
from shared.models.types import utcnow
from shared.services import (
    api_clients,
    cdi_audits,
    cdi_findings,
    cdi_rulings,
    crimes,
    links,
    staff,
    victim_accounts,
)
from tests import factories
from tests.code_versions import add_later_code
from tests.form_fuzzing import changes, encoded, filled_in, read_form, snapshot
from tests.pages import PageClient
from tests.signed_in import sign_in_as

EXAMPLES = 8
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # A failure is reported as found: shrinking it would take minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Target:
    """Who sends the form, where it is posted, and the page that shows it."""

    path: str
    page: str
    user: object | None = None
    session: dict = field(default_factory=dict)
    portal: bool = False


@pytest.fixture
def world(ctx, monkeypatch):
    # One hash of the test password serves every account (hashing is slow on purpose).
    monkeypatch.setattr(factories, "hash_password", functools.cache(factories.hash_password))
    # A later Victims' Code waiting for the date it comes into force.
    add_later_code(monkeypatch)
    team = factories.team("Fuzz Team")
    oic = factories.staff(team, roles=("officer",))
    supervisor = factories.staff(team, roles=("supervisor",))
    ddm = factories.staff(team, roles=("ddm",))
    admin = factories.staff(team, roles=("admin",))
    target = factories.staff(team, roles=("officer",), name="Target Member")
    disabled = factories.staff(team, roles=("officer",), name="Disabled Member")
    staff.disable(disabled, by=admin)
    invited = factories.staff(team, roles=("officer",), name="Invited Member")
    invited.password_hash = None
    invited.totp_secret = None
    db.session.commit()
    crime = factories.crime(oic)
    link = factories.active_victim(crime, oic)
    newcomer = factories.victim(crime, oic)
    # A child victim whose parent holds the account, not yet set up: to invite.
    child = factories.child(crime, oic, age=14)
    factories.guardian(child, oic, email="fuzzed.parent@example.com", active=False)
    factories.thread(link, oic, 1)
    entitlement = db.session.scalar(
        select(Entitlement).where(Entitlement.crime_victim_id == link.id).order_by(Entitlement.id)
    )
    failed = OutboxMessage(
        kind="new_update",
        victim_id=link.victim_id,
        crime_id=crime.id,
        status="failed",
        reason="bounced",
        finished_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(failed)
    db.session.commit()
    other_crime = factories.crime(oic)
    waiting = factories.victim(other_crime, oic, name=link.victim.name, email=link.victim.email)
    victim_accounts.invite(waiting, by=oic)
    client_row, _secret = api_clients.register("Fuzz records", ["crimes:read"], admin)
    # A decision not to charge an interviewed suspect: the victim may ask for a review.
    decided = factories.crime(oic)
    decided_link = factories.victim(decided, oic)
    factories.update(decided, oic, kind="arrest", text="Arrested.", visible=False)
    crimes.record_outcome(decided, 15, None, False, oic)
    reviewer = factories.active_victim(decided, oic)
    # Out-of-court disposals in a scrutiny sample, for the registrar and the panel.
    fcr = factories.staff(team, roles=("fcr",))
    panel = factories.staff(team, roles=("panel",))
    for _ in range(2):
        factories.out_of_court_disposal(oic, supervisor)
    sample = factories.scrutiny_sample(fcr, 2)
    case = db.session.scalar(select(ScrutinyCase).where(ScrutinyCase.sample_id == sample.id))
    # A decision not to record under a May 2023 exclusion, waiting for the team's sign-off.
    incident = factories.excluded_incident(crime, oic, "INC/2026/000042")
    # A crime data integrity audit of that incident, for the registrar to judge.
    today = utcnow().date()
    audit = cdi_audits.create_audit("Audit", today - timedelta(days=400), today, {"violence": 1}, 1, fcr)
    # Two more audits of it, the incident failed in each: a finding for the officer to
    # dispute and put right, and one disputed, for the registrar to rule on.
    findings, disputed = (
        cdi_audits.create_audit(title, today - timedelta(days=400), today, {"violence": 1}, seed, fcr)
        for title, seed in (("Findings", 2), ("Disputed", 3))
    )
    all_no = dict.fromkeys(cdi_audits.checklist("violence"), "no")
    for found in (findings, disputed):
        cdi_audits.judge(cdi_audits.record_at(found, 1), all_no, "no", "Not recorded", fcr)
    cdi_rulings.dispute(cdi_findings.finding(oic, disputed, 1), "The log shows otherwise", oic)
    # An action plan with one action, owned by the officer.
    action = factories.plan_action(oic)
    # An incident that disclosed a possible crime, none recorded and no decision yet.
    undecided = factories.undecided_incident(team, crime.reported_at, "INC/2026/000043")
    # An item of the victim's property on the crime, for its form.
    item = factories.property_item(crime, oic, link)
    return {
        "oic": oic,
        "supervisor": supervisor,
        "ddm": ddm,
        "admin": admin,
        "target": target,
        "disabled": disabled,
        "invited": invited,
        "crime": crime,
        "link": link,
        "newcomer": newcomer,
        "child": child,
        "entitlement": entitlement,
        "failed": failed,
        "waiting": waiting,
        "api_client": client_row,
        "decided": decided,
        "decided_link": decided_link,
        "fcr": fcr,
        "panel": panel,
        "sample": sample,
        "case": case,
        "incident": incident,
        "undecided": undecided,
        "action": action,
        "audit": audit,
        "findings": findings,
        "disputed": disputed,
        "reviewer": reviewer,
        "item": item,
    }


def _token(purpose: str, **owner) -> str:
    raw = links.issue(purpose, timedelta(days=1), **owner)
    db.session.commit()
    return raw


def _pending(member) -> dict:
    return {"pending_staff_id": member.id, "pending_since": int(time.time())}


def _crime(w, rest: str = "") -> str:
    return f"/backoffice/crimes/{w['crime'].id}{rest}"


def _victim(w, rest: str) -> str:
    return _crime(w, f"/victims/{w['link'].id}{rest}")


def _staff(w, key: str, rest: str) -> Target:
    return Target(f"/backoffice/staff/{w[key].id}{rest}", f"/backoffice/staff/{w[key].id}", w["admin"])


def _thread(w, rest: str) -> Target:
    return Target(_victim(w, rest), _victim(w, "/messages"), w["supervisor"])


def _entitlement(w, rest: str = "") -> Target:
    path = _crime(w, f"/entitlements/{w['entitlement'].id}{rest}")
    return Target(path, path, w["oic"])


def _action(w, rest: str, user) -> Target:
    page = f"/backoffice/action-plan/actions/{w['action'].id}"
    return Target(page + rest, page, user)


def _own(link, rest: str) -> Target:
    path = f"/cases/{link.public_id}{rest}"
    return Target(path, path, link.victim, portal=True)


def _same(path: str, user) -> Target:
    return Target(path, path, user)


# Every POST route of the portal and the back office, with how to reach its form.
ROUTES = {
    "portal.sign_in": lambda w: Target("/sign-in", "/sign-in", portal=True),
    "portal.forgot_password": lambda w: Target("/forgot-password", "/forgot-password", portal=True),
    "portal.sign_out": lambda w: Target("/sign-out", "/cases", w["link"].victim, portal=True),
    "portal.change_password": lambda w: Target(
        "/account/password", "/account/password", w["link"].victim, portal=True
    ),
    "portal.activate": lambda w: (lambda path: Target(path, path, portal=True))(
        f"/activate/{_token('activation', victim=w['newcomer'].victim)}"
    ),
    "portal.reset_password": lambda w: (lambda path: Target(path, path, portal=True))(
        f"/reset-password/{_token('reset', victim=w['link'].victim)}"
    ),
    "portal.answer_case": lambda w: Target(
        f"/cases/{w['waiting'].public_id}/answer", "/cases", w["link"].victim, portal=True
    ),
    "portal.messages": lambda w: (lambda path: Target(path, path, w["link"].victim, portal=True))(
        f"/cases/{w['link'].public_id}/messages"
    ),
    "portal.messages_read": lambda w: Target(
        f"/cases/{w['link'].public_id}/messages/read",
        f"/cases/{w['link'].public_id}/messages",
        w["link"].victim,
        portal=True,
    ),
    "backoffice.sign_in": lambda w: Target("/backoffice/sign-in", "/backoffice/sign-in"),
    "backoffice.sign_in_code": lambda w: Target(
        "/backoffice/sign-in/code", "/backoffice/sign-in/code", session=_pending(w["oic"])
    ),
    "backoffice.set_up_authenticator": lambda w: Target(
        "/backoffice/sign-in/set-up-authenticator",
        "/backoffice/sign-in/set-up-authenticator",
        session=_pending(w["invited"]),
    ),
    "backoffice.set_up": lambda w: (lambda path: Target(path, path))(
        f"/backoffice/set-up/{_token('staff_setup', staff=w['invited'])}"
    ),
    "backoffice.sign_out": lambda w: Target("/backoffice/sign-out", "/backoffice/cases", w["oic"]),
    "backoffice.record_crime": lambda w: _same("/backoffice/crimes/new", w["oic"]),
    "backoffice.post_update": lambda w: _same(_crime(w, "/updates/new"), w["oic"]),
    "backoffice.change_stage": lambda w: _same(_crime(w, "/stage"), w["oic"]),
    "backoffice.record_outcome": lambda w: _same(_crime(w, "/outcome"), w["oic"]),
    "backoffice.record_court_event": lambda w: _same(_crime(w, "/court/new"), w["oic"]),
    "backoffice.change_officer": lambda w: _same(_crime(w, "/officer"), w["supervisor"]),
    "backoffice.cancel_crime": lambda w: _same(_crime(w, "/cancel"), w["ddm"]),
    "backoffice.add_victim": lambda w: _same(_crime(w, "/victims/new"), w["oic"]),
    "backoffice.record_property": lambda w: _same(_crime(w, "/property/new"), w["oic"]),
    "backoffice.change_property": lambda w: _same(_crime(w, f"/property/{w['item'].id}"), w["oic"]),
    "backoffice.invite_victim": lambda w: Target(
        _crime(w, f"/victims/{w['newcomer'].id}/invite"), _crime(w), w["oic"]
    ),
    "backoffice.guardian": lambda w: _same(_crime(w, f"/victims/{w['child'].id}/guardian"), w["oic"]),
    "backoffice.invite_guardian": lambda w: Target(
        _crime(w, f"/victims/{w['child'].id}/guardian/invite"), _crime(w), w["oic"]
    ),
    "backoffice.failed_notification_dealt_with": lambda w: Target(
        _crime(w, f"/messages-not-sent/{w['failed'].id}/dealt-with"), _crime(w), w["oic"]
    ),
    "backoffice.record_entitlement": lambda w: _entitlement(w),
    "backoffice.entitlement_not_applicable": lambda w: _entitlement(w, "/not-applicable"),
    "backoffice.contact_plan": lambda w: _same(_victim(w, "/contact-plan"), w["oic"]),
    "backoffice.enhanced_rights": lambda w: _same(_victim(w, "/enhanced-rights"), w["oic"]),
    "backoffice.record_complaint": lambda w: _same(_victim(w, "/complaint"), w["oic"]),
    "backoffice.information_requests_page": lambda w: _same(_victim(w, "/information-requests"), w["oic"]),
    "backoffice.record_review_request": lambda w: _same(
        f"/backoffice/crimes/{w['decided'].id}/victims/{w['decided_link'].id}/review", w["oic"]
    ),
    "backoffice.reply": lambda w: _thread(w, "/messages/reply"),
    "backoffice.mark_read": lambda w: _thread(w, "/messages/read"),
    "backoffice.new_staff": lambda w: _same("/backoffice/staff/new", w["admin"]),
    "backoffice.staff_roles": lambda w: _staff(w, "target", "/roles"),
    "backoffice.disable_staff": lambda w: _staff(w, "target", "/disable"),
    "backoffice.enable_staff": lambda w: _staff(w, "disabled", "/enable"),
    "backoffice.reset_authenticator": lambda w: _staff(w, "target", "/reset-authenticator"),
    "backoffice.resend_set_up": lambda w: _staff(w, "invited", "/resend-set-up"),
    "backoffice.new_api_client": lambda w: _same("/backoffice/api-clients/new", w["admin"]),
    "backoffice.code_versions": lambda w: _same("/backoffice/code-versions", w["admin"]),
    "backoffice.revoke_api_client": lambda w: Target(
        f"/backoffice/api-clients/{w['api_client'].id}/revoke", "/backoffice/api-clients", w["admin"]
    ),
    "backoffice.scrutiny_samples": lambda w: _same("/backoffice/scrutiny/samples", w["fcr"]),
    "backoffice.scrutiny_response": lambda w: Target(
        f"/backoffice/scrutiny/samples/{w['sample'].id}/response",
        f"/backoffice/scrutiny/samples/{w['sample'].id}",
        w["fcr"],
    ),
    "backoffice.scrutiny_release_text": lambda w: Target(
        f"/backoffice/scrutiny/samples/{w['sample'].id}/cases/{w['case'].case_key}/release",
        f"/backoffice/scrutiny/samples/{w['sample'].id}",
        w["fcr"],
    ),
    "backoffice.panel_case": lambda w: _same(
        f"/backoffice/scrutiny/panel/{w['sample'].id}/{w['case'].case_key}", w["panel"]
    ),
    "backoffice.sign_off_incident": lambda w: Target(
        f"/backoffice/incidents/{w['incident'].reference}/sign-off",
        f"/backoffice/incidents/{w['incident'].reference}",
        w["supervisor"],
    ),
    "backoffice.decide_not_to_record": lambda w: _same(
        f"/backoffice/incidents/{w['undecided'].reference}/not-recorded", w["supervisor"]
    ),
    "backoffice.new_recommendation": lambda w: _same("/backoffice/action-plan/recommendations/new", w["fcr"]),
    "backoffice.new_action_theme": lambda w: _same("/backoffice/action-plan/themes/new", w["fcr"]),
    "backoffice.new_action": lambda w: _same("/backoffice/action-plan/actions/new", w["fcr"]),
    "backoffice.change_action_status": lambda w: _action(w, "/status", w["oic"]),
    "backoffice.change_action_owner": lambda w: _action(w, "/owner", w["fcr"]),
    "backoffice.change_action_due_date": lambda w: _action(w, "/due-date", w["fcr"]),
    "backoffice.new_cdi_audit": lambda w: _same("/backoffice/audits/new", w["fcr"]),
    "backoffice.cdi_audit_record": lambda w: _same(f"/backoffice/audits/{w['audit'].id}/records/1", w["fcr"]),
    "backoffice.cdi_put_right": lambda w: _same(
        f"/backoffice/audits/{w['findings'].id}/records/1/finding/put-right", w["oic"]
    ),
    "backoffice.cdi_dispute": lambda w: _same(
        f"/backoffice/audits/{w['findings'].id}/records/1/finding/dispute", w["oic"]
    ),
    "backoffice.cdi_ruling": lambda w: _same(
        f"/backoffice/audits/{w['disputed'].id}/records/1/ruling", w["fcr"]
    ),
    "portal.request_update": lambda w: _own(w["link"], "/update-request"),
    "portal.complain": lambda w: _own(w["link"], "/complaint"),
    "portal.contact_preferences_page": lambda w: _own(w["link"], "/contact-preferences"),
    "portal.ask_for_review": lambda w: _own(w["reviewer"], "/review"),
    # The reviewer's case has an outcome: the feedback survey is offered on its page.
    "portal.give_feedback": lambda w: _own(w["reviewer"], "/feedback"),
    "portal.dismiss_feedback": lambda w: Target(
        f"/cases/{w['reviewer'].public_id}/feedback/dismiss",
        f"/cases/{w['reviewer'].public_id}",
        w["reviewer"].victim,
        portal=True,
    ),
}

# POST routes the fuzzer cannot reach, each with the reason.
UNREACHABLE: dict[str, str] = {
    # The timeout dialog's script posts no fields, only its CSRF header; the route reads
    # nothing from the body. tests/shared/web/test_session_timeout.py sends it without a
    # token, signed out and past the session's end.
    "portal.stay_signed_in": "no form: a fetch with no fields",
    "backoffice.stay_signed_in": "no form: a fetch with no fields",
}


def _post_routes(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.split(".")[0] in ("portal", "backoffice")
    }


def test_every_form_route_is_fuzzed(app):
    routes = _post_routes(app)
    assert routes - set(ROUTES) - set(UNREACHABLE) == set(), "add the new POST route to ROUTES"
    assert set(ROUTES) | set(UNREACHABLE) <= routes, "a route listed here is gone from the app"
    assert not set(ROUTES) & set(UNREACHABLE)


def _enter(client, target, csrf_secret: str | None = None) -> None:
    """Put the client in the state the target needs: signed in as its user, or with its
    session (a pending sign-in), keeping the CSRF secret its token was made from."""
    if target.user is not None:
        sign_in_as(client, target.user)
    with client.http.session_transaction() as session:
        if target.user is None:
            session.clear()
        session.update(target.session)
        if csrf_secret is not None:
            session["csrf_token"] = csrf_secret


def _start(app, world, endpoint):
    """A client in the state the route needs, the target, the form on its page, the
    CSRF token the page carries and the session secret behind it."""
    target = ROUTES[endpoint](world)
    client = PageClient(app, portal=target.portal)
    _enter(client, target)
    page = client.get(target.page)
    assert page.status == 200, (endpoint, target.page, page.status)
    form = read_form(page.soup, target.path, target.page)
    assert form is not None, f"{target.page} has no form posting to {target.path}"
    with client.http.session_transaction() as session:
        secret = session["csrf_token"]
    return client, target, form, page.csrf(), secret


def _send(client, target, body: bytes):
    response = client._request(
        "post", target.path, data=body, content_type="application/x-www-form-urlencoded"
    )
    return client._check(response, target.path)


def _as_filled_in(form) -> list[tuple[str, str]]:
    return [(name, value) for name, values in form.fields.items() for value in values]


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_hostile_values_in_every_field_never_give_a_5xx_nor_change_what_was_saved(app, world, endpoint):
    # Without its CSRF token, the form as its page fills it in is refused and changes nothing.
    client, target, form, token, secret = _start(app, world, endpoint)
    before = snapshot()
    page = _send(client, target, encoded(_as_filled_in(form), None))
    assert page.status == 400, (endpoint, page.status)
    assert changes(before, snapshot()) == []

    # With it, the route itself answers: the set-up gives the permission, the records
    # and the session the route needs.
    page = _send(client, target, encoded(_as_filled_in(form), token, form.csrf_name))
    assert page.status not in (401, 403, 404, 405, 410), (endpoint, page.status)
    location = page.response.headers.get("Location", "")
    assert "sign-in" not in location or endpoint.endswith("sign_out"), (endpoint, location)

    # Then hostile values, field by field.
    seen = []

    @FUZZ
    @given(data=st.data())
    def send_hostile(data):
        target = ROUTES[endpoint](world)
        _enter(client, target, secret)
        pairs = data.draw(filled_in(form), label="fields")
        before = snapshot()
        page = _send(client, target, encoded(pairs, token, form.csrf_name))
        seen.append(page.status)
        assert page.status < 500, (endpoint, pairs, page.status)
        if 400 <= page.status < 500:
            assert changes(before, snapshot()) == [], (endpoint, pairs, page.status)

    send_hostile()
    assert len(seen) == EXAMPLES
