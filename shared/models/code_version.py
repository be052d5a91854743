"""When a force has scheduled a later Victims' Code to come into force.

The Codes themselves are code (shared.domain.code_versions); a row here is a start day
an administrator set for one of them, one row per version. The audit trail keeps who
set it and every earlier day.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import UTCDateTime, utcnow


class CodeVersionStart(Model):
    __tablename__ = "code_version_start"

    version: Mapped[str] = mapped_column(String(10), primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
