"""History is append-only: updates, notes and audit events are never changed in place."""

import pytest

from shared.extensions import db
from shared.models import AuditEvent
from shared.models.append_only import AppendOnlyError
from tests import factories


def test_an_update_cannot_be_edited_or_deleted(ctx):
    officer = factories.staff()
    update = factories.update(factories.crime(officer), officer, text="Original")
    update.victim_text = "Rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(update)
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(type(update), update.id).victim_text == "Original"


def test_audit_events_cannot_be_edited(ctx):
    officer = factories.staff()
    factories.crime(officer)
    event = db.session.query(AuditEvent).first()
    event.action = "nothing.happened"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
