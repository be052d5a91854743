"""What a records system sends and gets back about property: the bodies of
`/api/v1/crimes/{reference}/property`, as pydantic models. The OpenAPI document is built
from them. Unknown fields are refused."""

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from shared.domain.property import CLOSING_DATES, HELD_KINDS, HELD_STATUSES, KINDS, MAX_VALUE_PENCE, STATUSES
from shared.services.records_input import (
    NOT_BLANK,
    NOT_NULL,
    ShortText,
    SourceRef,
    Strict,
    UpdatedAt,
    WriteResult,
    _at_most,
    _whole_number,
)

if TYPE_CHECKING:
    ItemKind: TypeAlias = str
    ItemStatus: TypeAlias = str
else:
    ItemKind = Literal[tuple(KINDS)]
    ItemStatus = Literal[tuple(STATUSES)]

Pence = Annotated[int, Field(ge=0, le=MAX_VALUE_PENCE), BeforeValidator(_whole_number)]
Details = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NOT_BLANK, _at_most(2000)
]


def _status_rules() -> list:
    """The statuses' dates, in JSON Schema: the date the police took the item in for an
    item they have or had, a closing date for, and only for, its status; and an item
    seized or found is one the police have."""
    held = sorted(HELD_STATUSES)
    rules: list = [
        {
            "if": {"required": ["status"], "properties": {"status": {"enum": held}}},
            "then": {"required": ["held_at"], "properties": {"held_at": NOT_NULL}},
            "else": {"properties": {"held_at": {"type": "null"}}},
        },
        {
            "if": {"required": ["kind"], "properties": {"kind": {"enum": sorted(HELD_KINDS)}}},
            "then": {"properties": {"status": {"enum": held}}},
        },
    ]
    for status, field in CLOSING_DATES.items():
        rules.append(
            {
                "if": {"required": ["status"], "properties": {"status": {"const": status}}},
                "then": {"required": [field], "properties": {field: NOT_NULL}},
                "else": {"properties": {field: {"type": "null"}}},
            }
        )
    return rules


class PropertyIn(Strict):
    """An item as the records system holds it: created the first time its `item_ref` is
    seen on the crime, updated after that."""

    model_config = ConfigDict(json_schema_extra={"allOf": _status_rules()})

    item_ref: SourceRef
    kind: ItemKind = Field(
        description="How it came into the case: `stolen` or `damaged` by the crime, `seized` as evidence, "
        "or `found`. A stolen item the police recover stays `stolen`, with its status `held`."
    )
    description: ShortText = Field(examples=["Silver Dell laptop, serial number 5CG1234XYZ"])
    victim_ref: SourceRef | None = Field(
        None,
        description=(
            "The victim of the crime it belongs to, already sent to `/victims`. Only she sees it, in the "
            "portal and in her letter for her insurer; left out, it belongs to no victim and only staff see it."
        ),
    )
    value_pence: Pence | None = Field(None, description="What it is worth, in pence.")
    status: ItemStatus = Field(
        description="Where it is now: `not_held` (the police do not have it), `held`, `return_arranging`, "
        "`returned` or `disposed`."
    )
    held_at: AwareDatetime | None = Field(
        None, description="When the police took it in: needed for, and only for, an item they have or had."
    )
    returned_at: AwareDatetime | None = Field(
        None, description="Needed for, and only for, status `returned`."
    )
    disposed_at: AwareDatetime | None = Field(
        None, description="Needed for, and only for, status `disposed`."
    )
    return_details: Details | None = Field(
        None, description="For the victim: where and when to collect it, and what to bring."
    )
    officer_note: Details | None = Field(
        None, description="For staff only: never shown to the victim nor put in her letter."
    )
    updated_at: UpdatedAt


# ---------------------------------------------------------------------------- out


class PropertyOut(BaseModel):
    item_ref: str | None = Field(description="Empty for an item recorded in the back office.")
    kind: str
    description: str
    victim_ref: str | None
    value_pence: int | None
    status: str
    held_at: AwareDatetime | None
    returned_at: AwareDatetime | None
    disposed_at: AwareDatetime | None
    return_details: str | None
    officer_note: str | None
    updated_at: AwareDatetime | None


class PropertyWritten(WriteResult):
    item: PropertyOut


class PropertyListOut(BaseModel):
    items: list[PropertyOut] = Field(description="In the order they were recorded.")
