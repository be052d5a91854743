"""What a records system sends and gets back for a request to a third party for
information about a victim (`/api/v1`), as pydantic models: the OpenAPI document is built
from them. Unknown fields are refused."""

from typing import TYPE_CHECKING, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, Field

from shared.domain.information_requests import GUARDIAN_RELATIONSHIPS, RECIPIENT_KINDS, SAFE_ROUTES
from shared.services.records_input import Evidence, ShortText, SourceRef, Strict, WriteResult

if TYPE_CHECKING:
    RecipientKind: TypeAlias = str
    Relationship: TypeAlias = str
    SafeRoute: TypeAlias = str
else:
    RecipientKind = Literal[tuple(RECIPIENT_KINDS)]
    Relationship = Literal[tuple(GUARDIAN_RELATIONSHIPS)]
    SafeRoute = Literal[tuple(SAFE_ROUTES)]


class RecipientIn(Strict):
    kind: RecipientKind = Field(
        description="Who is asked: a counsellor, a school, a doctor, social services, other."
    )
    name: ShortText = Field(description="Their name, e.g. the school's.")


class GuardianIn(Strict):
    name: ShortText
    relationship: Relationship


class SafeRouteIn(Strict):
    route: SafeRoute
    detail: ShortText | None = Field(None, description="Which intermediary or address; for staff only.")


class InformationRequestIn(Strict):
    """A request to a third party for information about the victim (Victims and Prisoners
    Act 2024 s.28): the victim, or a parent or guardian for a victim under 18 on the day,
    is owed being told in writing what is sought, why and how it will be handled."""

    request_id: SourceRef = Field(description="The records system's own id for the request.")
    recipient: RecipientIn
    information_sought: Evidence = Field(
        description="What is asked for, in plain words: the victim reads it."
    )
    purpose: Evidence = Field(description="Why it is needed, in plain words: the victim reads it.")
    handling: Evidence = Field(description="How it will be handled, in plain words: the victim reads it.")
    requested_at: AwareDatetime = Field(
        description="When the third party was asked: not in the future, not before the crime happened."
    )
    guardian: GuardianIn | None = Field(
        None,
        description="The parent or guardian told: needed when the victim was under 18 that day, refused when 18 or over.",
    )
    safe_route: SafeRouteIn | None = Field(
        None, description="The safe way to give the notice: needed when it is not safe to contact the victim."
    )


class NoticeOut(BaseModel):
    due_at: AwareDatetime | None
    status: Literal["pending", "overdue", "met_on_time", "met_late", "declined", "not_applicable"]
    met_at: AwareDatetime | None
    way: str | None


class InformationRequestOut(BaseModel):
    request_id: str | None
    recipient_kind: str
    requested_at: AwareDatetime
    notice_to: Literal["victim", "guardian"]
    notice: NoticeOut


class InformationRequestWritten(WriteResult):
    information_request: InformationRequestOut
