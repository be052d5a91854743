"""The demo's incidents: one behind each demo crime, one with two crimes under a
principal crime, one recorded late, some not recorded (one exclusion awaiting sign-off),
one N100."""

from datetime import timedelta

from sqlalchemy import func, select

from shared.extensions import db
from shared.models import Crime, Incident
from shared.services import incidents


def test_the_demo_has_incidents_behind_its_crimes(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output

    assert db.session.scalar(select(func.count(Crime.id)).where(Crime.incident_id.is_(None))) == 0
    linked = db.session.scalars(select(Crime).where(Crime.principal_crime_id.is_not(None))).all()
    assert len(linked) == 1
    principal = db.session.get(Crime, linked[0].principal_crime_id)
    assert principal.incident_id == linked[0].incident_id and principal.principal_crime_id is None

    held = db.session.scalars(select(Incident)).all()
    late = [i for i in held if incidents.recorded_late(i, incidents.crimes_of(i))]
    assert late
    not_recorded = [i for i in held if i.not_recorded_reason]
    assert len(not_recorded) >= 3 and all(i.not_recorded_note and i.not_recorded_by_id for i in not_recorded)
    assert [i.not_recorded_reason for i in held if i.awaiting_sign_off] == ["offensive_message"]
    assert any(i.needs_sign_off and i.signed_off_at for i in held)
    n100s = [i for i in held if i.n100]
    assert len(n100s) == 1 and n100s[0].n100_resolution == "recorded_rape"
    assert all(i.received_at <= i.n100_resolved_at for i in n100s)
    assert all(
        c.recorded_at - i.received_at < timedelta(days=2) for i in held for c in incidents.crimes_of(i)
    )
