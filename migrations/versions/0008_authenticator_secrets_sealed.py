"""Authenticator secrets sealed at rest: each staff member's TOTP secret, stored in plain
text until now, is sealed in place with the app's key ring (SECRET_KEY), in a column wide
enough for it. The downgrade opens them again with SECRET_KEY or one of its fallbacks,
and stops, changing nothing, at a secret none of them opens.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:00:00

"""
from alembic import op
import sqlalchemy as sa

from shared.services import sealing


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

staff_member = sa.table('staff_member', sa.column('id', sa.Integer), sa.column('totp_secret', sa.Text))


def _rewrite_secrets(change):
    """Replace each secret with `change(staff id, secret)`, all worked out before any is
    written, so that a secret `change` refuses leaves every one as it was."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(staff_member.c.id, staff_member.c.totp_secret).where(staff_member.c.totp_secret.is_not(None))
    ).all()
    changed = [(staff_id, change(staff_id, secret)) for staff_id, secret in rows]
    for staff_id, secret in changed:
        connection.execute(staff_member.update().where(staff_member.c.id == staff_id).values(totp_secret=secret))


def _sealed(staff_id, secret):
    return sealing.seal(sealing.AUTHENTICATOR, secret)


def _opened(staff_id, sealed):
    secret = sealing.unseal(sealing.AUTHENTICATOR, sealed)
    if secret is None:
        raise RuntimeError(
            f'The authenticator secret of staff {staff_id} cannot be opened with SECRET_KEY or '
            'SECRET_KEY_FALLBACKS: set the key it was sealed with, then downgrade again.'
        )
    return secret


def upgrade():
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=True)
    _rewrite_secrets(_sealed)


def downgrade():
    _rewrite_secrets(_opened)
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=True)
