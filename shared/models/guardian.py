"""The parent or guardian of a victim under 18, on one crime."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, orm
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.children import GUARDIAN_ONLY
from shared.extensions import Model
from shared.models.api import ApiClient
from shared.models.staff import StaffMember
from shared.models.types import CleanLine, UTCDateTime, utcnow
from shared.models.victim import Victim


class Guardian(Model):
    """The parent or guardian who receives the rights of a victim under 18 on one crime
    (victims-code.md sections 1 and 3), with who recorded them and when. One per victim
    per crime; a change is made in place and kept on the audit trail with the fields
    that changed.

    When the portal account is theirs, `account_id` names the person record they sign in
    as (a `victim` row of their own, with their email address: one address, one account),
    and the child's case shows in it until `ends_on`, the child's 18th birthday."""

    __tablename__ = "guardian"

    id: Mapped[int] = mapped_column(primary_key=True)
    crime_victim_id: Mapped[int] = mapped_column(ForeignKey("crime_victim.id"), unique=True)
    name: Mapped[str] = mapped_column(CleanLine(200))
    # shared.domain.children.RELATIONSHIPS (the column's name shadows `orm.relationship`
    # in this class body, hence the module prefix below).
    relationship: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("victim.id"), index=True)
    # shared.domain.children.CONTACTED: who the police contact.
    contact: Mapped[str] = mapped_column(String(10), default=GUARDIAN_ONLY)
    ends_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Victim | None] = orm.relationship(lazy="joined")
    recorded_by: Mapped[StaffMember | None] = orm.relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = orm.relationship(lazy="joined")
