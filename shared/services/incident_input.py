"""What a records system sends and gets back about incidents: the `/api/v1/incidents`
bodies and the rows of `flask import-crimes --incidents`, as pydantic models. The
OpenAPI document is built from them. Unknown fields are refused."""

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.incident_reference import (
    CLOSING_CODES,
    INCIDENT_ROUTES,
    N100_RESOLUTIONS,
    NOT_RECORDED_REASONS,
)
from shared.domain.reference_data import OFFENCE_GROUPS
from shared.services.records_input import (
    CollarNumber,
    Reference,
    ShortText,
    Strict,
    Text,
    UpdatedAt,
    WriteResult,
)

if TYPE_CHECKING:
    Route: TypeAlias = str
    ClosingCode: TypeAlias = str
    NotRecordedReason: TypeAlias = str
    N100Resolution: TypeAlias = str
    OffenceGroup: TypeAlias = str
else:
    Route = Literal[tuple(INCIDENT_ROUTES)]
    ClosingCode = Literal[tuple(CLOSING_CODES)]
    NotRecordedReason = Literal[tuple(NOT_RECORDED_REASONS)]
    N100Resolution = Literal[tuple(N100_RESOLUTIONS)]
    OffenceGroup = Literal[tuple(OFFENCE_GROUPS)]

IncidentReference = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9/-]{3,29}$"),
    Field(
        description="The incident reference: 4 to 30 letters, numbers, hyphens or slashes.",
        examples=["INC/2026/000871"],
    ),
]


class NotRecordedIn(Strict):
    """The decision not to record a crime. `offensive_message` and `disturbance_over`
    (the May 2023 exclusions) wait for a supervisor of the incident's team to sign them
    off in the back office; a changed reason or note needs signing off again."""

    reason: NotRecordedReason
    note: Text = Field(description="The written reason.")
    decided_at: AwareDatetime
    decided_by: CollarNumber = Field(description="The collar number of who decided.")
    decided_by_name: ShortText | None = Field(
        None,
        description="Their name: needed when the collar number is not a member of staff the service knows.",
    )


class N100In(Strict):
    """A rape report not immediately recorded as rape, and how it was resolved."""

    # incident_records.check_incident's rule, in the OpenAPI document: both or neither.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["resolution", "resolved_at"],
                    "properties": {
                        "resolution": {"not": {"type": "null"}},
                        "resolved_at": {"not": {"type": "null"}},
                    },
                },
                {"properties": {"resolution": {"type": "null"}, "resolved_at": {"type": "null"}}},
            ]
        }
    )

    resolution: N100Resolution | None = Field(None, description="Left out while unresolved.")
    resolved_at: AwareDatetime | None = None


class IncidentIn(Strict):
    """An incident as the records system holds it: created the first time its reference
    is seen, updated after that."""

    reference: IncidentReference
    received_at: AwareDatetime
    route: Route
    disclosed_crime: bool = Field(description="Whether the incident disclosed a possible crime.")
    offence_group: OffenceGroup | None = Field(
        None, description="What the incident disclosed; its principal crime's once crimes are recorded."
    )
    summary: Text | None = None
    closing_code: ClosingCode | None = None
    team: ShortText | None = Field(None, description="The name of the team the incident belongs to.")
    crimes: list[Reference] | None = Field(
        None,
        max_length=50,
        description=(
            "The crimes recorded from the incident, each already sent to `/crimes`. Left out: the links "
            "as they are (a crime may name its incident instead); an empty list unlinks them."
        ),
    )
    principal_crime: Reference | None = Field(
        None, description="The principal crime (May 2023 rules), one of `crimes`; by default the first."
    )
    not_recorded: NotRecordedIn | None = None
    n100: N100In | None = Field(None, description="Given for, and only for, an N100 record.")
    updated_at: UpdatedAt


# ---------------------------------------------------------------------------- out


class NotRecordedOut(BaseModel):
    reason: str
    note: str | None
    decided_at: AwareDatetime | None
    decided_by: str | None
    sign_off: Literal["not_needed", "awaiting", "signed_off"]
    signed_off_at: AwareDatetime | None


class N100Out(BaseModel):
    resolution: str | None
    resolved_at: AwareDatetime | None


class IncidentCrimeOut(BaseModel):
    reference: str
    offence: str
    principal: bool
    recorded_at: AwareDatetime


class IncidentOut(BaseModel):
    reference: str
    received_at: AwareDatetime
    route: str
    disclosed_crime: bool
    offence_group: str | None
    closing_code: str | None
    team: str | None
    crimes: list[IncidentCrimeOut] = Field(description="Principal crime first.")
    not_recorded: NotRecordedOut | None
    n100: N100Out | None
    updated_at: AwareDatetime | None


class IncidentWritten(WriteResult):
    incident: IncidentOut
