"""What a Witness Care Unit's system (or the records system) sends and gets back about a
crime at court: the `/api/v1/crimes/{reference}/court-events` body and the hearings read
back, as pydantic models. The OpenAPI document is built from them. Unknown fields are
refused; the order of events, the hearing named and the dates are checked by
shared.services.court, as for staff."""

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.config import JsonValue

from shared.domain.court import (
    ADJOURNMENT_REASONS,
    COURT_EVENT_KINDS,
    HEARING_KINDS,
    HEARING_STATUSES,
    LISTING_EVENTS,
    MAX_SENTENCE_MONTHS,
    SENTENCE_KINDS,
    VERDICTS,
)
from shared.models.court import MAX_COURT_NAME
from shared.services.records_input import (
    NOT_NULL,
    SourceRef,
    Strict,
    Text,
    WriteResult,
    _at_most,
    _whole_number,
)

if TYPE_CHECKING:
    CourtEventKind: TypeAlias = str
    AdjournmentReason: TypeAlias = str
    Verdict: TypeAlias = str
    SentenceKind: TypeAlias = str
    HearingKind: TypeAlias = str
    HearingStatus: TypeAlias = str
else:
    CourtEventKind = Literal[tuple(COURT_EVENT_KINDS)]
    AdjournmentReason = Literal[tuple(ADJOURNMENT_REASONS)]
    Verdict = Literal[tuple(VERDICTS)]
    SentenceKind = Literal[tuple(SENTENCE_KINDS)]
    HearingKind = Literal[tuple(HEARING_KINDS)]
    HearingStatus = Literal[tuple(HEARING_STATUSES)]

CourtName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COURT_NAME),
    Field(json_schema_extra={"pattern": r"\S"}, examples=["Cardiff Crown Court"]),
    _at_most(MAX_COURT_NAME),
]
Months = Annotated[int, Field(ge=1, le=MAX_SENTENCE_MONTHS), BeforeValidator(_whole_number)]

_LISTINGS: list[JsonValue] = [*sorted(LISTING_EVENTS)]
_ABOUT_A_HEARING: list[JsonValue] = ["hearing_adjourned", "trial_started", "verdict"]


class CourtEventIn(Strict):
    """Something that happened at court, at the time it happened."""

    # shared.services.court's field rules, in the OpenAPI document: a listing gives the
    # court and when; an adjournment its reason; a verdict the verdict; a sentence its
    # kind; events about a hearing name it.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"kind": {"enum": _LISTINGS}}},
                    "then": {
                        "required": ["hearing_ref", "court", "starts_at"],
                        "properties": {"hearing_ref": NOT_NULL, "court": NOT_NULL, "starts_at": NOT_NULL},
                    },
                    "else": {"properties": {"court": {"type": "null"}, "starts_at": {"type": "null"}}},
                },
                {
                    "if": {"properties": {"kind": {"enum": _ABOUT_A_HEARING}}},
                    "then": {"required": ["hearing_ref"], "properties": {"hearing_ref": NOT_NULL}},
                },
                {
                    "if": {"properties": {"kind": {"const": "hearing_adjourned"}}},
                    "then": {"required": ["reason"], "properties": {"reason": NOT_NULL}},
                    "else": {"properties": {"reason": {"type": "null"}}},
                },
                {
                    "if": {"properties": {"kind": {"const": "verdict"}}},
                    "then": {"required": ["verdict"], "properties": {"verdict": NOT_NULL}},
                    "else": {"properties": {"verdict": {"type": "null"}}},
                },
                {
                    "if": {"properties": {"kind": {"const": "sentence"}}},
                    "then": {"required": ["sentence"], "properties": {"sentence": NOT_NULL}},
                    "else": {"properties": {"sentence": {"type": "null"}}},
                },
            ]
        }
    )

    event_id: SourceRef = Field(
        description="The sending system's own id for the event: sent again, it is known."
    )
    kind: CourtEventKind
    occurred_at: AwareDatetime = Field(description="When it happened (for a listing: when it was listed).")
    hearing_ref: SourceRef | None = Field(
        None,
        description=(
            "The sending system's id for the hearing: a new one for a listing; the hearing the event is "
            "about for an adjournment, a trial starting or a verdict (its trial); optional for a sentence."
        ),
    )
    court: CourtName | None = Field(None, description="For a listing: the court's name.")
    starts_at: AwareDatetime | None = Field(None, description="For a listing: when the hearing starts.")
    reason: AdjournmentReason | None = Field(None, description="For an adjournment: why.")
    verdict: Verdict | None = Field(None, description="For a verdict.")
    sentence: "SentenceIn | None" = Field(None, description="For a sentence.")
    victim_text: Text | None = Field(
        None, description="More words for the victim, beside the plain words the service writes."
    )


class SentenceIn(Strict):
    kind: SentenceKind
    months: Months | None = Field(
        None,
        description="Its length in months: needed for custody, a suspended sentence and a community order.",
    )


CourtEventIn.model_rebuild()


class ReferralIn(Strict):
    """How the victim's referral to the probation service's Victim Contact Scheme was met."""

    way: Literal["referred", "victim_declined"] = Field(
        description="`referred`, or `victim_declined`: the victim did not want to join the scheme."
    )
    at: AwareDatetime = Field(description="When it was done: after the sentence, not in the future.")


class ReferralOut(BaseModel):
    result: Literal["recorded", "unchanged"]
    way: str
    at: AwareDatetime
    due_at: AwareDatetime | None
    status: Literal["met_on_time", "met_late", "declined"]


class CourtEventOut(BaseModel):
    event_id: str
    kind: str
    occurred_at: AwareDatetime
    hearing_ref: str | None
    victims_to_tell: int = Field(description="How many victims are owed being told of it.")
    victim_contact_scheme: int = Field(
        description="How many victims the sentence owes a referral to the Victim Contact Scheme."
    )


class CourtEventWritten(WriteResult):
    event: CourtEventOut


class HearingOut(BaseModel):
    hearing_ref: str | None = Field(description="Empty for a hearing entered in the back office.")
    kind: HearingKind
    court: str
    starts_at: AwareDatetime
    status: HearingStatus
    adjournment_reason: str | None


class CourtOutcomeOut(BaseModel):
    verdict: str | None
    sentence_kind: str | None
    sentence_months: int | None


class CourtOut(BaseModel):
    """The crime at court: no victim, no note, nothing of the investigation."""

    reference: str
    stage: str
    hearings: list[HearingOut]
    next_hearing: HearingOut | None = Field(description="The first hearing still listed from now on.")
    outcome: CourtOutcomeOut
