"""Reading the outbox in tests, and the invitation most of them send."""

from sqlalchemy import select

from shared.extensions import db
from shared.models import OutboxAttempt, OutboxMessage
from shared.services import victim_accounts
from tests import factories


def outbox_rows() -> list[OutboxMessage]:
    """The outbox as it is now (a worker may have written it); the session is left with
    no transaction open, so that it holds up nobody."""
    db.session.expire_all()
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    db.session.commit()
    return rows


def attempts_of(message: OutboxMessage | int) -> list[OutboxAttempt]:
    """The tries at sending one message, in order."""
    message_id = message if isinstance(message, int) else message.id
    return list(
        db.session.scalars(
            select(OutboxAttempt).where(OutboxAttempt.message_id == message_id).order_by(OutboxAttempt.number)
        )
    )


def invited(language: str = "en", email: str | None = None):
    """A victim invited to set up their account: one invitation waiting in the outbox."""
    officer = factories.staff()
    link = factories.victim(factories.crime(officer), officer, language=language, email=email)
    victim_accounts.invite(link, by=officer)
    return link
