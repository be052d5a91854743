"""What a records system sends and gets back: the `/api/v1` bodies and the rows of a bulk
import, as pydantic models. The API's OpenAPI document is built from them, so the
document and the checks cannot drift apart. Unknown fields are refused."""

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.domain.reference_data import FINAL_STAGES, OFFENCES, STAGES
from shared.domain.victims_code_rules import CANCELLATION_REASONS, ENHANCED_REASONS, KEY_EVENTS
from shared.models.victim import CONTACT_CHANNELS, LANGUAGES

if TYPE_CHECKING:
    # The codes are data (shared/domain), so to a type checker each is the string it is; at
    # run time each is a Literal of the codes, so pydantic refuses any other and the OpenAPI
    # document lists them.
    Offence: TypeAlias = str
    OpenStage: TypeAlias = str
    Stage: TypeAlias = str
    KeyEvent: TypeAlias = str
    Language: TypeAlias = str
    Channel: TypeAlias = str
    Category: TypeAlias = str
    AssessedReason: TypeAlias = str
    CancellationReason: TypeAlias = str
else:
    Offence = Literal[tuple(OFFENCES)]
    OpenStage = Literal[tuple(code for code in STAGES if code not in FINAL_STAGES)]
    Stage = Literal[tuple(STAGES)]
    KeyEvent = Literal[tuple(KEY_EVENTS)]
    Language = Literal[LANGUAGES]
    Channel = Literal[CONTACT_CHANNELS]
    Category = Literal[tuple(ENHANCED_REASONS)]
    # The reasons an officer assesses; "offence" and "under_18" apply automatically.
    AssessedReason = Literal[
        tuple(
            sorted(
                {reason for reasons in ENHANCED_REASONS.values() for reason in reasons}
                - {"offence", "under_18"}
            )
        )
    ]
    CancellationReason = Literal[tuple(CANCELLATION_REASONS)]

Reference = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]{3,29}$"),
    Field(
        description="The crime reference: 4 to 30 letters, numbers, hyphens or slashes.",
        examples=["NX/2026/001234"],
    ),
]
SourceRef = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"),
    Field(
        description="The records system's own id: 1 to 64 letters, numbers, dots, colons, hyphens or underscores."
    ),
]
CollarNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,20}$"), Field(examples=["PC1234"])]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,40}$")]
UpdatedAt = Annotated[
    AwareDatetime,
    Field(
        description="When the records system last changed this record. A version older than the one held is ignored."
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ----------------------------------------------------------------------------- in


class CrimeIn(Strict):
    """A crime as the records system holds it: created the first time its reference is
    seen, updated after that."""

    reference: Reference
    offence: Offence
    occurred_at: AwareDatetime = Field(description="When the crime happened (or began).")
    reported_at: AwareDatetime
    recorded_at: AwareDatetime = Field(description="When the crime was recorded in the records system.")
    officer_in_charge: CollarNumber = Field(description="The collar number of the officer in charge.")
    stage: OpenStage | None = Field(
        None, description="The stage of an open investigation; left out when an outcome is given."
    )
    outcome: int | None = Field(
        None, ge=1, le=22, description="The Home Office outcome type, once there is one."
    )
    incident: Reference | None = Field(
        None,
        description=(
            "The reference of the incident the crime was recorded from, already sent to `/incidents`. "
            "The incident's first crime is its principal crime; later ones are linked under it."
        ),
    )
    updated_at: UpdatedAt


class EnhancedRightIn(Strict):
    category: Category
    reason: AssessedReason


class ContactPlanIn(Strict):
    frequency_days: int = Field(ge=1, le=365, description="How often, in days, the victim is updated.")
    channel: Channel
    language: Language
    safe_to_contact: bool = True
    opted_out: bool = Field(False, description="The victim asked not to receive regular updates.")


class VictimIn(Strict):
    """A victim of the crime, created the first time their `victim_ref` is seen on the
    crime, updated after that."""

    victim_ref: SourceRef
    name: ShortText
    date_of_birth: date | None = None
    email: Annotated[EmailStr, StringConstraints(max_length=320)] | None = None
    phone: Phone | None = None
    preferred_language: Language = "en"
    contact_channel: Channel = "email"
    interpreter_language: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )
    communication_needs: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    enhanced_rights: list[EnhancedRightIn] | None = Field(
        None,
        description=(
            "The categories the officer assessed (victims-code section 3). Those that apply automatically "
            "(under 18, the offence) are added by the service and need not be sent. Left out: unchanged."
        ),
        max_length=4,
    )
    contact_plan: ContactPlanIn | None = Field(
        None, description="Left out: unchanged (a new victim gets the default)."
    )
    link_existing_victim: bool = Field(
        False,
        deprecated=True,
        description=(
            "Ignored. A victim whose email address another record holds is added as a record of her own "
            "with the same answer as any other; the case joins her account only when she confirms it, "
            "signed in to the portal."
        ),
    )
    updated_at: UpdatedAt


class CancellationIn(Strict):
    reason: CancellationReason
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    authorised_by: CollarNumber = Field(description="The Designated Decision Maker or Force Crime Registrar.")


class EventIn(Strict):
    """A key event (victims-code section 4): each victim is owed being told of it."""

    event_id: SourceRef
    kind: KeyEvent
    occurred_at: AwareDatetime
    victim_text: Text | None = Field(
        None, description="Words for the victim; when given, the victim sees them."
    )
    cancellation: CancellationIn | None = Field(
        None, description="Needed for, and only for, kind `cancelled`."
    )


class InvitationIn(Strict):
    """No fields: the victim is invited by email at the address held."""


class ImportRow(CrimeIn):
    """One line of a bulk import: a crime and, optionally, its victims."""

    victims: list[VictimIn] = Field(default_factory=list, max_length=50)


# ---------------------------------------------------------------------------- out


class OfficerOut(BaseModel):
    collar_number: str
    name: str


class EntitlementOut(BaseModel):
    rule: str
    event_kind: str | None
    triggered_at: AwareDatetime
    due_at: AwareDatetime | None
    status: Literal["pending", "overdue", "met_on_time", "met_late", "declined", "not_applicable"]
    met: bool
    met_at: AwareDatetime | None
    enhanced: bool


class VictimOut(BaseModel):
    victim_ref: str | None = Field(description="Empty for a victim added in the back office.")
    name: str
    account: Literal["active", "invited", "not_invited"]
    enhanced_rights: list[str]
    contact_plan: ContactPlanIn | None
    entitlements: list[EntitlementOut] | None = Field(
        None, description="Given only to a token with the entitlements:read scope."
    )


class CancellationOut(BaseModel):
    reason: str
    at: AwareDatetime


class CrimeOut(BaseModel):
    reference: str
    offence: str
    offence_group: str
    occurred_at: AwareDatetime
    reported_at: AwareDatetime
    recorded_at: AwareDatetime
    stage: Stage
    outcome: int | None
    outcome_at: AwareDatetime | None
    officer_in_charge: OfficerOut
    team: str
    cancellation: CancellationOut | None
    incident: str | None = Field(None, description="The reference of the incident it was recorded from.")
    updated_at: AwareDatetime | None
    victims: list[VictimOut]


class WriteResult(BaseModel):
    result: Literal["created", "updated", "unchanged", "ignored_older"] = Field(
        description="`ignored_older`: the version sent is older than the one held, so nothing changed."
    )


class CrimeWritten(WriteResult):
    crime: CrimeOut


class VictimWritten(WriteResult):
    victim: VictimOut


class EventOut(BaseModel):
    event_id: str
    kind: str
    occurred_at: AwareDatetime
    victims_to_tell: int = Field(description="How many victims are owed being told of it.")


class EventWritten(WriteResult):
    event: EventOut


class InvitationOut(BaseModel):
    result: Literal["invited", "already_invited"]
    expires_at: AwareDatetime
