"""What the service keeps encrypted in its database cannot be read there: staff
authenticator secrets are sealed at rest, and the migration that brought that in seals
the plain secrets already stored, in place (and its downgrade opens them again)."""

import pyotp
import pytest
import sqlalchemy as sa
from alembic import command
from flask_migrate import downgrade, upgrade

from shared.extensions import db
from shared.models import StaffMember
from shared.models.types import utcnow
from shared.services import sealing, totp
from tests import factories


def _stored_secrets() -> dict[str, str | None]:
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT email, totp_secret FROM staff_member")).all())


def test_an_authenticator_secret_is_not_readable_in_the_database(app, ctx):
    member = factories.staff()
    plain = factories.totp_secret(member.email)
    stored = _stored_secrets()[member.email]
    assert plain not in stored and stored.startswith("gAAAAA")  # a Fernet token
    assert totp.opened_secret(stored) == plain
    # Sealed for one purpose, it does not open as another's.
    assert sealing.unseal(sealing.OUTBOX, stored) is None
    # Two members with the same secret are not seen to share it.
    assert totp.sealed_secret(plain) != totp.sealed_secret(plain)


def test_a_secret_set_up_through_the_service_is_stored_sealed(app, ctx):
    member = factories.staff()
    member.totp_secret = None
    db.session.commit()
    secret = totp.new_secret()
    assert totp.enrol(member, secret, pyotp.TOTP(secret).now()) is not None
    stored = _stored_secrets()[member.email]
    assert secret not in stored and totp.opened_secret(stored) == secret


def _plain_member(team_id: int, email: str, secret: str | None) -> None:
    db.session.execute(
        sa.insert(StaffMember.__table__).values(
            name="Plain",
            collar_number=email[:8],
            email=email,
            team_id=team_id,
            active=True,
            created_at=utcnow(),
            totp_secret=secret,
        )
    )
    db.session.commit()


def test_the_migration_seals_the_plain_secrets_in_place_and_its_downgrade_opens_them(
    app, monkeypatch, caplog
):
    with app.app_context():
        try:
            downgrade(revision="0007")
            team = factories.team()
            plain = pyotp.random_base32()
            _plain_member(team.id, "plain@police.example", plain)
            _plain_member(team.id, "unenrolled@police.example", None)
            db.session.remove()

            upgrade()
            stored = _stored_secrets()
            assert stored["unenrolled@police.example"] is None
            assert plain not in stored["plain@police.example"]
            assert totp.opened_secret(stored["plain@police.example"]) == plain
            member = db.session.scalar(
                sa.select(StaffMember).where(StaffMember.email == "plain@police.example")
            )
            assert totp.check_code(member, pyotp.TOTP(plain).now())
            db.session.remove()

            downgrade(revision="0007")
            assert _stored_secrets() == {"plain@police.example": plain, "unenrolled@police.example": None}

            # A secret no key opens stops the downgrade, and every secret stays as it was.
            upgrade()
            sealed = _stored_secrets()
            monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
            # (Alembic's own command, as `flask db downgrade` prints the error and exits.)
            with pytest.raises(
                RuntimeError, match=r"^The authenticator secret of staff \d+ cannot be opened"
            ):
                command.downgrade(app.extensions["migrate"].migrate.get_config(), "0007")
            monkeypatch.undo()
            assert _stored_secrets() == sealed
        finally:
            db.session.remove()
            upgrade()
