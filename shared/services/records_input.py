"""What a records system sends and gets back: the `/api/v1` bodies and the rows of a bulk
import, as pydantic models. The API's OpenAPI document is built from them, so the
document and the checks cannot drift apart. Unknown fields are refused."""

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue

from shared.domain.children import CONTACTED, RELATIONSHIPS
from shared.domain.reference_data import FINAL_STAGES, INTERMEDIARY, OFFENCES, OUT_OF_COURT_OUTCOMES, STAGES
from shared.domain.scrutiny import ADMISSIONS
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
    PlanChannel: TypeAlias = str
    Category: TypeAlias = str
    AssessedReason: TypeAlias = str
    CancellationReason: TypeAlias = str
    Admission: TypeAlias = str
    Relationship: TypeAlias = str
    Contacted: TypeAlias = str
else:
    Offence = Literal[tuple(OFFENCES)]
    OpenStage = Literal[tuple(code for code in STAGES if code not in FINAL_STAGES)]
    Stage = Literal[tuple(STAGES)]
    KeyEvent = Literal[tuple(KEY_EVENTS)]
    Language = Literal[LANGUAGES]
    Channel = Literal[CONTACT_CHANNELS]
    # A plan may also go through the intermediary an officer named (the back office only).
    PlanChannel = Literal[(*CONTACT_CHANNELS, INTERMEDIARY)]
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
    Admission = Literal[tuple(ADMISSIONS)]
    Relationship = Literal[tuple(RELATIONSHIPS)]
    Contacted = Literal[tuple(CONTACTED)]

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


def _at_most(length: int) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, str) and len(value) > length:
            raise ValueError(f"String should have at most {length} characters")
        return value

    return BeforeValidator(check)


# Text as the document describes it: at most so many characters as sent (space around
# them included), holding something besides space; stored stripped. Text that may be
# blank is stripped too.
NOT_BLANK = Field(json_schema_extra={"pattern": r"\S"})
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000), NOT_BLANK, _at_most(5000)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NOT_BLANK, _at_most(200)
]
Evidence = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NOT_BLANK, _at_most(2000)
]
InterpreterLanguage = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), _at_most(100)]
Needs = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), _at_most(2000)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,40}$")]
UpdatedAt = Annotated[
    AwareDatetime,
    Field(
        description="When the records system last changed this record. A version older than the one held is ignored."
    ),
]


class Strict(BaseModel):
    # Only text fields are stripped (each says so): an identifier is taken as sent, so that
    # what the document's patterns refuse is refused.
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- in


NOT_NULL: JsonDict = {"not": {"type": "null"}}


def _whole_number(value: object) -> object:
    """JSON Schema's integer: 20.0 is one, as 20 is (strict validation takes only 20)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The outcomes that are out-of-court disposals, as the document lists them.
DISPOSAL_CODES: list[JsonValue] = [*sorted(OUT_OF_COURT_OUTCOMES)]

# A whole number, written `20` or `20.0`; never a string or a fraction.
Outcome = Annotated[int, Field(ge=1, le=22), BeforeValidator(_whole_number)]
Days = Annotated[int, Field(ge=1, le=365), BeforeValidator(_whole_number)]


class OutOfCourtIn(Strict):
    """What recording an out-of-court disposal captures, as the back office asks it
    (victims-code.md section 6): the victim's views (or why they were not sought), the
    offender-history check, the admission, and the sergeant who approved it."""

    # records.check_out_of_court's rules, in the OpenAPI document: the views when they were
    # sought, else why not; what the check found when the history was checked.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"views_sought": {"const": True}}},
                    "then": {"required": ["victim_views"], "properties": {"victim_views": NOT_NULL}},
                    "else": {
                        "required": ["views_not_sought_reason"],
                        "properties": {"views_not_sought_reason": NOT_NULL},
                    },
                },
                {
                    "if": {"properties": {"history_checked": {"const": True}}},
                    "then": {"required": ["history_summary"], "properties": {"history_summary": NOT_NULL}},
                },
            ]
        }
    )

    views_sought: bool = Field(description="Whether the victim's views were sought.")
    victim_views: Evidence | None = Field(None, description="What the victim said: needed when sought.")
    views_not_sought_reason: Evidence | None = Field(
        None, description="Why the victim's views were not sought: needed when not sought."
    )
    history_checked: bool = Field(description="Whether the offender's history was checked.")
    history_summary: Evidence | None = Field(None, description="What the check found: needed when checked.")
    admission: Admission = Field(
        description="Whether the offender admitted the offence, where one is required."
    )
    approved_by: CollarNumber = Field(
        description="The collar number of the sergeant who approved it: an active supervisor, not the officer in charge."
    )


class CrimeIn(Strict):
    """A crime as the records system holds it: created the first time its reference is
    seen, updated after that."""

    # The stage and outcome rules of records.check_crime, in the OpenAPI document: a stage
    # or an outcome; a stage beside an outcome only when the outcome is 1 (charged), and
    # then the charged or at court stage.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["stage"], "properties": {"stage": NOT_NULL}},
                {"required": ["outcome"], "properties": {"outcome": NOT_NULL}},
            ],
            "allOf": [
                {
                    "if": {
                        "required": ["outcome"],
                        "properties": {"outcome": {"type": "integer", "not": {"const": 1}}},
                    },
                    "then": {"properties": {"stage": {"type": "null"}}},
                },
                {
                    "if": {"required": ["outcome"], "properties": {"outcome": {"const": 1}}},
                    "then": {"properties": {"stage": {"enum": [None, "charged", "at_court"]}}},
                },
                # An out-of-court outcome carries its capture; no other outcome has one.
                {
                    "if": {
                        "required": ["outcome"],
                        "properties": {"outcome": {"enum": DISPOSAL_CODES}},
                    },
                    "then": {"required": ["out_of_court"], "properties": {"out_of_court": NOT_NULL}},
                    "else": {"properties": {"out_of_court": {"type": "null"}}},
                },
            ],
        }
    )

    reference: Reference
    offence: Offence
    occurred_at: AwareDatetime = Field(description="When the crime happened (or began).")
    reported_at: AwareDatetime
    recorded_at: AwareDatetime = Field(description="When the crime was recorded in the records system.")
    officer_in_charge: CollarNumber = Field(description="The collar number of the officer in charge.")
    stage: OpenStage | None = Field(
        None, description="The stage of an open investigation; left out when an outcome is given."
    )
    outcome: Outcome | None = Field(None, description="The Home Office outcome type, once there is one.")
    incident: Reference | None = Field(
        None,
        description=(
            "The reference of the incident the crime was recorded from, already sent to `/incidents`. "
            "The incident's first crime is its principal crime; later ones are linked under it."
        ),
    )
    out_of_court: OutOfCourtIn | None = Field(
        None,
        description=(
            "Given with, and only with, an out-of-court outcome (cautions, community resolution, penalty "
            "notice, outcome 22): what recording it captured. A changed capture is kept as history."
        ),
    )
    updated_at: UpdatedAt


class EnhancedRightIn(Strict):
    category: Category
    reason: AssessedReason


class ContactPlanIn(Strict):
    frequency_days: Days = Field(description="How often, in days, the victim is updated.")
    channel: Channel
    language: Language
    safe_to_contact: bool = True
    opted_out: bool = Field(False, description="The victim asked not to receive regular updates.")


class ContactPlanOut(ContactPlanIn):
    channel: PlanChannel = Field(
        description="`intermediary`: through the intermediary (an ISVA, an IDVA) the officer named."
    )


class GuardianIn(Strict):
    """The parent or guardian who receives the rights of a victim under 18 (victims-code
    section 1)."""

    # The account is theirs only with an email address to sign in with.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"holds_account": {"const": True}}, "required": ["holds_account"]},
            "then": {"required": ["email"], "properties": {"email": NOT_NULL}},
        }
    )

    name: ShortText
    relationship: Relationship
    email: Annotated[EmailStr, StringConstraints(max_length=320)] | None = None
    phone: Phone | None = None
    holds_account: bool = Field(
        False,
        description="The portal account following the child's case is theirs: invitations go to their email "
        "address, and the case leaves their account when the child turns 18.",
    )
    contact: Contacted = Field(
        "guardian",
        description="Who the police contact. `child` or `both` only where the force contacts child victims "
        "directly (CHILD_DIRECT_CONTACT) and the child is 12 or over.",
    )

    @model_validator(mode="after")
    def _email_for_the_account(self) -> "GuardianIn":
        if self.holds_account and self.email is None:
            raise ValueError("An account held by the parent or guardian needs their email address")
        return self


class GuardianOut(BaseModel):
    name: str
    relationship: str
    holds_account: bool
    account_active: bool = Field(description="They have set up the account that follows the child's case.")
    contact: str
    until: date = Field(description="The victim's 18th birthday: from then the rights are their own.")
    recorded_at: AwareDatetime


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
    interpreter_language: InterpreterLanguage | None = None
    communication_needs: Needs | None = None
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
    guardian: GuardianIn | None = Field(
        None, description="For a victim under 18: the parent or guardian. Left out: unchanged."
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
    evidence: Evidence
    authorised_by: CollarNumber = Field(description="The Designated Decision Maker or Force Crime Registrar.")


class EventIn(Strict):
    """A key event (victims-code section 4): each victim is owed being told of it."""

    # records.post_event's rule, in the OpenAPI document: a cancellation for, and only
    # for, an event of kind `cancelled`.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"const": "cancelled"}}},
            "then": {"required": ["cancellation"], "properties": {"cancellation": NOT_NULL}},
            "else": {"properties": {"cancellation": {"type": "null"}}},
        }
    )

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
    code_version: str = Field(description="The version of the Victims' Code it was opened under, e.g. 2020.")
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
    contact_plan: ContactPlanOut | None
    guardian: GuardianOut | None = Field(None, description="The parent or guardian of a victim under 18.")
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
