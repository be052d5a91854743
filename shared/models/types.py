"""Column types shared by the models."""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from shared.domain.text import clean_line, clean_text


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp stored in UTC.

    PostgreSQL keeps the zone; SQLite does not, so values are normalised to UTC on the
    way in and marked as UTC on the way out. Naive datetimes are refused: every time in
    the service must say which zone it is in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Cleaned(TypeDecorator):
    """A column of text people type, kept without bidirectional or control characters
    (shared.domain.text): cleaned when it is set on a model, so what the service goes on
    to show is what was stored, and again on the way to the database, for statements
    that do not go through a model."""

    cache_ok = True
    clean: Callable[[str], str]

    def process_bind_param(self, value: str | None, dialect):
        return None if value is None else type(self).clean(value)


class CleanLine(_Cleaned):
    """A one-line value, such as a name (`clean_line`)."""

    impl = String
    cache_ok = True
    clean = staticmethod(clean_line)


class CleanText(_Cleaned):
    """Free text, such as a message (`clean_text`): line breaks kept."""

    impl = Text
    cache_ok = True
    clean = staticmethod(clean_text)


@event.listens_for(Mapper, "mapper_configured")
def _clean_when_set(mapper: Mapper, cls: type) -> None:
    for prop in mapper.column_attrs:
        kind = type(prop.columns[0].type)
        if issubclass(kind, _Cleaned):
            event.listen(getattr(cls, prop.key), "set", _setter(kind.clean), retval=True)


def _setter(clean: Callable[[str], str]):
    def on_set(target, value, oldvalue, initiator):
        return clean(value) if isinstance(value, str) else value

    return on_set
