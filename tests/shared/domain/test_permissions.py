"""Who may use which route: every route declares a permission or is public on purpose;
each role gets exactly the routes its permissions allow; staff see their team's crimes
or the whole force's, as their role says."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.domain.permissions import PERMISSIONS, ROLE_PERMISSIONS
from shared.extensions import db
from shared.models import API_SCOPES, AuditEvent, Entitlement, Incident, ScrutinyCase
from shared.models.types import utcnow
from shared.services import calendar, cdi_audits
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

ROLES = tuple(ROLE_PERMISSIONS)
CASEWORK = {"officer", "supervisor"}
CASE_READERS = {"officer", "supervisor", "ddm", "fcr", "analyst"}
REPORT_READERS = {"supervisor", "ddm", "fcr", "analyst", "pcc"}
# The action plan: read by those who oversee the force's recording, the Commissioner's
# office included; owned and moved on by any of the force's own staff (their own
# actions only: the walk below makes the walker the owner); managed by the FCR.
PLAN_READERS = {"supervisor", "ddm", "fcr", "analyst", "pcc"}
PLAN_OWNERS = {"officer", "supervisor", "ddm", "fcr", "analyst"}
EVERYONE = set(ROLES)
AUDIT_RESULT_READERS = {"fcr", "auditor", "analyst", "pcc"}

# The policy, written out: for every back-office route behind sign-in, the roles that
# may use it. A new route fails the test until it is added here.
ALLOWED = {
    "backoffice.index": EVERYONE,
    "backoffice.cases": CASE_READERS,
    "backoffice.crime": CASE_READERS,
    "backoffice.record_crime": CASEWORK,
    "backoffice.post_update": CASEWORK,
    "backoffice.change_stage": CASEWORK,
    "backoffice.record_outcome": CASEWORK,
    "backoffice.record_court_event": CASEWORK,
    "backoffice.change_officer": {"supervisor"},
    "backoffice.add_victim": CASEWORK,
    "backoffice.invite_victim": CASEWORK,
    "backoffice.staff_list": {"admin"},
    "backoffice.new_staff": {"admin"},
    "backoffice.staff_member": {"admin"},
    "backoffice.staff_roles": {"admin"},
    "backoffice.disable_staff": {"admin"},
    "backoffice.enable_staff": {"admin"},
    "backoffice.reset_authenticator": {"admin"},
    "backoffice.resend_set_up": {"admin"},
    "backoffice.audit_log": {"admin"},
    "backoffice.audit_export": {"admin"},
    "backoffice.api_clients": {"admin"},
    "backoffice.new_api_client": {"admin"},
    "backoffice.revoke_api_client": {"admin"},
    "backoffice.code_versions": {"admin"},
    # The Victims' Code
    "backoffice.queue": CASE_READERS,
    "backoffice.team_queue": {"supervisor"},
    "backoffice.record_entitlement": CASEWORK,
    "backoffice.entitlement_not_applicable": CASEWORK,
    "backoffice.contact_plan": CASEWORK,
    "backoffice.enhanced_rights": CASEWORK,
    "backoffice.record_complaint": CASEWORK,
    "backoffice.record_review_request": CASEWORK,
    # Requests to others for information about a victim (Victims and Prisoners Act 2024 s.28)
    "backoffice.information_requests_page": CASEWORK,
    "backoffice.cancel_crime": {"ddm", "fcr"},
    "backoffice.reports": REPORT_READERS,
    "backoffice.reports_export": REPORT_READERS,
    # Secure messages
    "backoffice.inbox": CASEWORK,
    # A thread is read and answered by the crime's officer in charge (another officer in
    # the world below) and the team's supervisors only.
    "backoffice.thread": {"supervisor"},
    "backoffice.reply": {"supervisor"},
    "backoffice.mark_read": {"supervisor"},
    "backoffice.unanswered": {"supervisor"},
    # Out-of-court disposal scrutiny: the registrar's team, and the panel
    "backoffice.scrutiny_samples": {"fcr"},
    "backoffice.scrutiny_sample": {"fcr"},
    "backoffice.scrutiny_response": {"fcr"},
    "backoffice.scrutiny_release_text": {"fcr"},
    "backoffice.panel_samples": {"panel"},
    "backoffice.panel_sample": {"panel"},
    "backoffice.panel_case": {"panel"},
    "backoffice.scrutiny_results_csv": {"fcr"},
    "backoffice.panel_results_csv": {"panel"},
    # The force's action plan
    "backoffice.action_plan_board": PLAN_READERS,
    "backoffice.action_plan_export": PLAN_READERS,
    "backoffice.my_actions": PLAN_OWNERS,
    "backoffice.action_plan_action": PLAN_OWNERS,
    "backoffice.change_action_status": PLAN_OWNERS,
    "backoffice.new_recommendation": {"fcr"},
    "backoffice.new_action_theme": {"fcr"},
    "backoffice.new_action": {"fcr"},
    "backoffice.change_action_owner": {"fcr"},
    "backoffice.change_action_due_date": {"fcr"},
    # Notifications that could not be sent
    "backoffice.failed_notification_dealt_with": CASEWORK,
    # Staying signed in when warned that the session is about to end
    "backoffice.stay_signed_in": EVERYONE,
    # Incidents: supervisors see their team's and sign off its exclusions.
    "backoffice.incident_list": {"supervisor", "ddm", "fcr", "analyst"},
    "backoffice.incident": {"supervisor", "ddm", "fcr", "analyst"},
    "backoffice.sign_off_incident": {"supervisor"},
    # The decision not to record a crime an incident disclosed.
    "backoffice.decide_not_to_record": {"supervisor", "ddm", "fcr"},
    # Crime data integrity audits: the FCR plans them; the FCR and the auditors judge.
    "backoffice.cdi_audit_list": {"fcr", "auditor"},
    "backoffice.new_cdi_audit": {"fcr"},
    "backoffice.cdi_audit": {"fcr", "auditor"},
    "backoffice.cdi_audit_record": {"fcr", "auditor"},
    # Its findings: the officer whose record failed and their team's supervisors see,
    # dispute and put them right; the FCR's team sees every one; the FCR alone rules.
    "backoffice.cdi_findings_list": {"officer", "supervisor", "fcr", "auditor"},
    "backoffice.cdi_finding": {"officer", "supervisor", "fcr", "auditor"},
    "backoffice.cdi_put_right": {"officer", "supervisor"},
    "backoffice.cdi_dispute": {"officer", "supervisor"},
    "backoffice.cdi_ruling": {"fcr"},
    "backoffice.cdi_audit_findings": {"fcr", "auditor"},
    # Their results: figures only, for the Commissioner's office too.
    "backoffice.cdi_audit_results_list": AUDIT_RESULT_READERS,
    "backoffice.cdi_audit_results_page": AUDIT_RESULT_READERS,
    "backoffice.cdi_audit_results_export_csv": AUDIT_RESULT_READERS,
    # Property on a crime: recorded by those who work the case.
    "backoffice.record_property": CASEWORK,
    "backoffice.change_property": CASEWORK,
    # The parent or guardian of a child victim: recorded and invited as victims are.
    "backoffice.guardian": CASEWORK,
    "backoffice.invite_guardian": CASEWORK,
}


def _guarded_rules(app, blueprint: str):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint.startswith(blueprint + ".") and not getattr(view, "is_public", False):
            yield rule, view


def test_every_route_declares_a_known_permission_or_is_public(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            assert not hasattr(view, "permission"), f"{rule.endpoint} is both public and guarded"
            continue
        if rule.endpoint.startswith("api."):
            # The records-system API: OAuth scopes instead of staff permissions.
            assert getattr(view, "api_scope", None) in API_SCOPES, f"{rule.endpoint} declares no known scope"
            continue
        permission = getattr(view, "permission", None)
        assert permission in PERMISSIONS, f"{rule.endpoint} declares no known permission"


def test_the_policy_table_covers_every_back_office_route(app):
    endpoints = {rule.endpoint for rule, _ in _guarded_rules(app, "backoffice")}
    assert endpoints == set(ALLOWED)


def test_a_route_without_a_declared_permission_is_refused(app, ctx):
    """Deny by default: a guarded view that forgot to declare a permission gets 403."""
    view = app.view_functions["backoffice.cases"]
    declared = view.permission
    del view.permission
    try:
        client = PageClient(app)
        sign_in_as(client, factories.staff(roles=ROLES))
        assert client.get("/backoffice/cases").status == 403
    finally:
        view.permission = declared


@pytest.fixture
def world(ctx):
    team = factories.team("Response North")
    oic = factories.staff(team, roles=("officer",))
    crime = factories.crime(oic)
    link = factories.victim(crime, oic)
    target = factories.staff(team, roles=("officer",), name="Target Member")
    sergeant = factories.staff(team, roles=("supervisor",))
    factories.out_of_court_disposal(oic, sergeant)
    sample = factories.scrutiny_sample(factories.staff(roles=("fcr",)), 1)
    case_key = db.session.scalars(select(ScrutinyCase.case_key)).one()
    entitlement = db.session.scalar(
        select(Entitlement).where(Entitlement.crime_victim_id == link.id).order_by(Entitlement.id)
    )
    incident = factories.excluded_incident(crime, oic, "INC/2026/000001")
    today = calendar.local_date(utcnow())
    audit = cdi_audits.create_audit(
        "An audit", today - timedelta(days=400), today, {"violence": 1}, 1, factories.staff(roles=("fcr",))
    )
    # Its record failed: a finding for the officer who decided not to record a crime.
    record = cdi_audits.record_at(audit, 1)
    answers = dict.fromkeys(cdi_audits.checklist(record.stratum), "yes") | {"should_record": "no"}
    cdi_audits.judge(record, answers, "no", "A crime was disclosed", factories.staff(roles=("auditor",)))
    action = factories.plan_action(target)
    item = factories.property_item(crime, oic, link)
    return {
        "team": team,
        "crime": crime,
        "link": link,
        "target": target,
        "entitlement": entitlement,
        "sample": sample,
        "case_key": case_key,
        "incident": incident,
        "action": action,
        "audit": audit,
        "item": item,
    }


def _path(rule, world) -> str:
    values = {
        "crime_id": world["crime"].id,
        "link_id": world["link"].id,
        "staff_id": world["target"].id,
        "entitlement_id": world["entitlement"].id,
        "notification_id": 1,
        "client_pk": 1,
        "sample_id": world["sample"].id,
        "case_key": world["case_key"],
        "incident_reference": world["incident"].reference,
        "action_id": world["action"].id,
        "audit_id": world["audit"].id,
        "position": 1,
        "item_id": world["item"].id,
    }
    return rule.build({arg: values.get(arg, "x") for arg in rule.arguments})[1]


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(app, world, role):
    member = factories.staff(world["team"], roles=(role,))
    # An action's page is its owner's (and the plan's readers'): the walker owns it; so
    # is the audit finding on the incident (the walker decided not to record a crime).
    world["action"].owner_id = member.id
    world["incident"].not_recorded_by_id = member.id
    db.session.commit()
    client = PageClient(app)
    sign_in_as(client, member)
    token = client.follow(client.get("/backoffice/")).csrf()
    for rule, _view in _guarded_rules(app, "backoffice"):
        path = _path(rule, world)
        allowed = role in ALLOWED[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(path)
                expected = (200, 302) if allowed else (403,)
                assert response.status in expected, (role, method, rule.endpoint, response.status)
            else:
                response = client.post(path, {"csrf_token": token})
                if allowed:
                    assert response.status != 403, (role, method, rule.endpoint)
                else:
                    assert response.status == 403, (role, method, rule.endpoint, response.status)


def test_a_victim_has_no_back_office_route(app, world):
    client = PageClient(app)
    sign_in_as(client, factories.active_victim(world["crime"], world["crime"].officer_in_charge).victim)
    for rule, _view in _guarded_rules(app, "backoffice"):
        if "GET" in rule.methods:
            response = client.get(_path(rule, world))
            assert response.status == 302 and "/backoffice/sign-in" in response.response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "sees_other_team"),
    [("officer", False), ("supervisor", False), ("ddm", True), ("fcr", True), ("analyst", True)],
)
def test_data_scope_team_or_whole_force(app, world, role, sees_other_team):
    other_oic = factories.staff(roles=("officer",))  # another team
    other = factories.crime(other_oic, reference="99/77777/26")
    member = factories.staff(world["team"], roles=(role,))
    client = PageClient(app)
    sign_in_as(client, member)
    assert client.get(f"/backoffice/crimes/{world['crime'].id}").status == 200
    assert client.get(f"/backoffice/crimes/{other.id}").status == (200 if sees_other_team else 404)
    listing = client.get("/backoffice/cases?view=all").main_text
    assert world["crime"].reference in listing
    assert (other.reference in listing) == sees_other_team
    search = client.get("/backoffice/cases?q=99/777").main_text
    assert (other.reference in search) == sees_other_team


def test_every_back_office_read_writes_exactly_one_audit_event(app, world):
    """Data Protection Act 2018 s.62: each page, list, search, report or export read in
    the back office leaves one event naming who, their roles, the record and the time."""
    member = factories.staff(world["team"], roles=ROLES)
    client = PageClient(app)
    sign_in_as(client, member)
    reads = [rule for rule, _ in _guarded_rules(app, "backoffice") if "GET" in rule.methods]
    assert len(reads) >= 6
    for rule in reads:
        before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        path = _path(rule, world)
        response = client.get(path + "?q=43")
        assert response.status in (200, 302), (rule.endpoint, response.status)
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
        assert len(events) == 1, (rule.endpoint, [e.action for e in events])
        event = events[0]
        assert (event.actor_type, event.actor_id) == ("staff", member.id)
        assert event.actor_roles == ",".join(sorted(ROLES))
        assert event.request_id == response.response.headers["X-Request-ID"]
        assert event.occurred_at.utcoffset().total_seconds() == 0
        assert event.detail == "q=43"
        if "crime_id" in rule.arguments:
            assert (event.record_type, event.record_id) == ("crime", str(world["crime"].id))
        elif "case_key" in rule.arguments:
            assert (event.record_type, event.record_id) == ("scrutiny_case", world["case_key"])
        elif "sample_id" in rule.arguments:
            assert (event.record_type, event.record_id) == ("scrutiny_sample", str(world["sample"].id))
        elif "incident_reference" in rule.arguments:
            assert (event.record_type, event.record_id) == ("incident", world["incident"].reference)
        elif "audit_id" in rule.arguments:
            assert (event.record_type, event.record_id) == ("cdi_audit", str(world["audit"].id))
        elif "action_id" in rule.arguments:
            assert (event.record_type, event.record_id) == ("action", str(world["action"].id))


@pytest.mark.parametrize(
    ("role", "sees_other_team"), [("supervisor", False), ("fcr", True), ("analyst", True)]
)
def test_incidents_are_seen_by_team_for_supervisors_and_force_wide_for_the_others(
    app, world, role, sees_other_team
):
    other = Incident(
        reference="INC/2026/999999",
        received_at=world["crime"].reported_at,
        route="online",
        disclosed_crime=False,
        team=factories.team(),
    )
    db.session.add(other)
    db.session.commit()
    client = PageClient(app)
    sign_in_as(client, factories.staff(world["team"], roles=(role,)))
    assert client.get(f"/backoffice/incidents/{world['incident'].reference}").status == 200
    assert client.get(f"/backoffice/incidents/{other.reference}").status == (200 if sees_other_team else 404)
    listing = client.get("/backoffice/incidents").main_text
    assert world["incident"].reference in listing
    assert (other.reference in listing) == sees_other_team
