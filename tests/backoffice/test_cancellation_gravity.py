"""Who may authorise a cancellation depends on the gravity of the offence (the May 2023
crime recording rules): a Designated Decision Maker asking to cancel what needs the Force
Crime Registrar is refused, told who may, and the refusal is audited; the FCR then
cancels it, and the record keeps the band and the rule that allowed it."""

import pytest
from sqlalchemy import func, select

from shared.config import load_config
from shared.extensions import db
from shared.models import AuditEvent, Crime, Entitlement, InvestigationUpdate
from shared.models.types import utcnow
from shared.services import calendar, report_export, reports, victims_code_actions
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _actions(crime_id: int) -> list[tuple[str, str | None]]:
    return [
        (event.action, event.detail)
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == "crime", AuditEvent.record_id == str(crime_id))
            .order_by(AuditEvent.id)
        )
    ]


def _authority(page) -> dict[str, tuple[str, str]]:
    """The cancellation page's table: reason code -> (who may authorise, whether you may)."""
    rows = page.soup.select("table.govuk-table tbody tr")
    return {
        row.select("td")[0].get_text(strip=True)[:2]: tuple(
            td.get_text(strip=True) for td in row.select("td")[1:]
        )
        for row in rows
    }


def test_a_ddm_cannot_decide_that_no_rape_occurred_the_fcr_can(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer, reference="43/51001/26", offence="rape")
    factories.victim(crime, officer)
    ddm = factories.staff(roles=("ddm",), name="Dee Decider")
    client = _client(app, ddm)
    path = f"/backoffice/crimes/{crime.id}/cancel"

    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    assert "Gravity band Most serious" in crime_page.main_text
    page = client.get(path)
    assert page.status == 200
    assert "The offence, Rape, is in the Most serious gravity band." in page.main_text
    assert _authority(page) == {
        "C1": ("A designated decision maker or the force crime registrar", "You may authorise it"),
        "C2": ("The force crime registrar", "You may not authorise it"),
        "C3": ("A designated decision maker or the force crime registrar", "You may authorise it"),
        "C4": ("The force crime registrar", "You may not authorise it"),
    }
    owed_before = db.session.scalar(
        select(func.count(Entitlement.id)).where(Entitlement.crime_id == crime.id)
    )

    refused = client.post(path, {"reason": "C2", "evidence": "The victim withdrew the account."})
    assert refused.status == 403
    assert refused.h1 == "Cancel crime record"
    assert refused.error_summary == [
        "Only the force crime registrar can authorise cancelling a crime record for reason C2 "
        "when the offence is in the Most serious band"
    ]
    db.session.expire_all()
    row = db.session.get(Crime, crime.id)
    assert (row.cancelled_at, row.stage, row.cancellation_rule) == (None, "under_investigation", None)
    assert not db.session.scalar(
        select(func.count(InvestigationUpdate.id)).where(
            InvestigationUpdate.crime_id == crime.id, InvestigationUpdate.kind == "cancelled"
        )
    )
    assert (
        db.session.scalar(select(func.count(Entitlement.id)).where(Entitlement.crime_id == crime.id))
        == owed_before
    )
    assert ("change.refused", f"POST {path} 403") in _actions(crime.id)
    assert "crime.cancel" not in [action for action, _ in _actions(crime.id)]

    fcr = factories.staff(roles=("fcr",), name="Frances Registrar")
    done = _client(app, fcr).post(path, {"reason": "C2", "evidence": "The victim withdrew the account."})
    assert done.status == 302
    db.session.expire_all()
    row = db.session.get(Crime, crime.id)
    assert (row.stage, row.cancelled_by_role, row.cancellation_gravity, row.cancellation_rule) == (
        "cancelled",
        "fcr",
        "most_serious",
        "most_serious:C2=fcr",
    )
    assert ("crime.cancel", "C2") in _actions(crime.id)
    banner = _client(app, fcr).get(f"/backoffice/crimes/{crime.id}").main_text
    assert "Gravity band when cancelled Most serious" in banner
    assert "Rule that allowed it most_serious:C2=fcr" in banner


@pytest.mark.parametrize(
    ("offence", "reason", "rule"),
    [
        ("rape", "C3", "most_serious:C3=ddm+fcr"),  # a duplicate, whatever the offence
        ("burglary_residential", "C2", "standard:C2=ddm+fcr"),
        ("sexual_assault", "C4", "serious:C4=ddm+fcr"),
    ],
)
def test_a_ddm_cancels_what_the_default_matrix_allows(app, ctx, offence, reason, rule):
    crime = factories.crime(factories.staff(), offence=offence)
    page = _client(app, factories.staff(roles=("ddm",))).post(
        f"/backoffice/crimes/{crime.id}/cancel", {"reason": reason, "evidence": "Already recorded."}
    )
    assert page.status == 302
    db.session.expire_all()
    row = db.session.get(Crime, crime.id)
    assert (row.cancelled_by_role, row.cancellation_rule) == ("ddm", rule)


def test_a_force_sets_its_own_matrix(app, ctx, monkeypatch, tmp_path):
    # This force keeps every C2 for the FCR, and lets a DDM cancel the gravest for any other reason.
    setting = "standard=ddm+fcr, standard:C2=fcr, serious=ddm+fcr, serious:C2=fcr, most_serious=ddm+fcr, most_serious:C2=fcr"
    matrix = load_config(str(tmp_path), {"APP_ENV": "testing", "CANCELLATION_AUTHORISERS": setting})[
        "CANCELLATION_AUTHORISERS"
    ]
    monkeypatch.setitem(app.config, "CANCELLATION_AUTHORISERS", matrix)
    ddm = factories.staff(roles=("ddm",))
    client = _client(app, ddm)
    burglary = factories.crime(factories.staff(), offence="burglary_residential")
    refused = client.post(
        f"/backoffice/crimes/{burglary.id}/cancel", {"reason": "C2", "evidence": "No crime."}
    )
    assert refused.status == 403
    assert "Only the force crime registrar can authorise" in refused.error_summary[0]
    rape = factories.crime(factories.staff(), offence="rape")
    assert _authority(client.get(f"/backoffice/crimes/{rape.id}/cancel"))["C4"][1] == "You may authorise it"
    assert (
        client.post(
            f"/backoffice/crimes/{rape.id}/cancel", {"reason": "C4", "evidence": "Wrong force."}
        ).status
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Crime, burglary.id).cancelled_at is None
    assert db.session.get(Crime, rape.id).cancellation_rule == "most_serious:C4=ddm+fcr"


def test_the_report_says_how_many_cancellations_were_at_the_right_level(app, ctx, monkeypatch, tmp_path):
    ddm = factories.staff(roles=("ddm",))
    # Under a matrix a force once had, a DDM decided that no rape occurred; under today's
    # default that needs the FCR, so the report counts it as not at the right level.
    lax = load_config(
        str(tmp_path),
        {"APP_ENV": "testing", "CANCELLATION_AUTHORISERS": "standard=ddm, serious=ddm, most_serious=ddm"},
    )["CANCELLATION_AUTHORISERS"]
    with monkeypatch.context() as once:
        once.setitem(app.config, "CANCELLATION_AUTHORISERS", lax)
        rape = factories.crime(factories.staff(), offence="rape")
        victims_code_actions.cancel_crime(rape, "C2", "The account was withdrawn.", ddm)
    burglary = factories.crime(factories.staff(), offence="burglary_residential")
    victims_code_actions.cancel_crime(burglary, "C2", "Nothing was taken.", ddm)
    today = calendar.local_date(utcnow())

    recording = reports.compliance(None, today, today).total.recording
    assert (recording.cancelled, recording.authorised, recording.right_level) == (2, 2, 1)
    assert reports.percent(recording.right_level_rate) == "50"
    rows = {row[0]: row for row in report_export.to_csv_rows(reports.compliance(None, today, today))}
    assert rows["R2G"][1] == "Cancelled crimes authorised at the right level for the offence’s gravity"
    assert rows["R2G"][3:10] == ["50", "1", "1", "", "", "", "2"]
    assert (
        report_export.to_dict(reports.compliance(None, today, today))["groups"][0]["recording"][
            "cancelled_authorised_at_the_right_level"
        ]
        == 1
    )
