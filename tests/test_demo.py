"""The demo data command fills an empty database and prints the logins."""

from sqlalchemy import func, select

from shared import demo
from shared.extensions import db
from shared.models import Crime, InternalNote, InvestigationUpdate, StaffMember, Victim


def test_demo_data_loads_once_and_prints_the_logins(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo data." in result.output
    assert demo.DEMO_PASSWORD in result.output
    assert "sam.taylor@police.example" in result.output and "sian.williams@example.com" in result.output
    # Each member of staff has an authenticator key of their own, printed to add to an app.
    keys = dict(db.session.execute(select(StaffMember.email, StaffMember.totp_secret)).all())
    assert len(set(keys.values())) == len(keys) == len(demo.STAFF)
    sam = next(line for line in result.output.splitlines() if "sam.taylor@police.example" in line)
    assert keys["sam.taylor@police.example"] in sam
    assert "alex.morgan@police.example" in result.output and "(admin)" in result.output

    assert db.session.scalar(select(func.count()).select_from(Crime)) == 50
    groups = set(db.session.scalars(select(Crime.offence_group)))
    assert len(groups) >= 8
    stages = set(db.session.scalars(select(Crime.stage)))
    assert {"reported", "under_investigation", "charged", "closed"} <= stages
    assert db.session.scalar(select(func.count()).select_from(InvestigationUpdate)) > 50
    assert db.session.scalar(select(func.count()).select_from(InternalNote)) > 0
    assert db.session.scalar(select(Victim.name).where(Victim.preferred_language == "cy", Victim.activated_at.is_not(None)))
    roles = {r for s in db.session.scalars(select(StaffMember)) for r in s.roles}
    assert roles == {"officer", "supervisor", "ddm", "fcr", "analyst", "admin"}

    again = runner.invoke(args=["demo-data"])
    assert "not loaded again" in again.output
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 50


def test_the_demo_logins_work(app, client, victim_client, ctx):
    app.test_cli_runner().invoke(args=["demo-data"])
    client.staff_sign_in("sam.taylor@police.example", demo.DEMO_PASSWORD)
    cases = client.get("/backoffice/cases")
    assert cases.soup.select_one(".govuk-pagination")
    victim_client.victim_sign_in("jane.doe@example.com", demo.DEMO_PASSWORD)
    assert len(victim_client.get("/cases").links(r"^/cases/")) == 2
