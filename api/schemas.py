"""The report operation's query and answer (the crime bodies are in
shared.services.records_input, which the bulk import shares)."""

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.services.reports import SPLITS


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date = Field(
        alias="from", description="The first local date, YYYY-MM-DD.", examples=["2026-01-01"]
    )
    end: date = Field(
        alias="to", description="The last local date, YYYY-MM-DD (included).", examples=["2026-03-31"]
    )
    split: Literal[tuple(SPLITS)] = Field(
        "none", description="Split by enhanced rights, offence group, team or officer."
    )


class CountsOut(BaseModel):
    rate: float | None = Field(
        description="Met on time / (met on time + met late + overdue); null with no data."
    )
    met_on_time: int
    met_late: int
    overdue: int
    pending: int
    declined_or_not_applicable: int
    total: int


class RecordingOut(BaseModel):
    recorded: int
    recorded_within_24_hours: int
    recording_rate: float | None
    cancelled: int
    cancelled_authorised_by_ddm_or_fcr: int
    authorised_rate: float | None
    # By a role the force's matrix allows for the offence's gravity and the reason.
    cancelled_authorised_at_the_right_level: int
    right_level_rate: float | None


class SatisfactionOut(BaseModel):
    rate: float | None = Field(description="Satisfied / answered; null with no answers or when suppressed.")
    satisfied: int | None = Field(description="Answers satisfied or very satisfied; null when suppressed.")
    answered: int | None = Field(
        description="Answers to the question (not “prefer not to say”); null when suppressed."
    )
    suppressed: bool = Field(description="Fewer answers than `suppressed_below`: no figures are given.")


class FeedbackOut(BaseModel):
    responses: int | None = Field(description="Surveys answered; null when fewer than `suppressed_below`.")
    questions: dict[str, SatisfactionOut] = Field(description="Each question by its code (S1, S2, S3).")


class FeedbackMonthOut(FeedbackOut):
    month: date = Field(description="The month's first day in the period (the first is the period's start).")


class FeedbackReportOut(BaseModel):
    questions: dict[str, str] = Field(description="Each question's code and what it measures.")
    suppressed_below: int = Field(
        description="The fewest answers a figure is given from (FEEDBACK_MIN_COUNT)."
    )
    months: list[FeedbackMonthOut]


class GroupOut(BaseModel):
    key: str
    label: str
    metrics: dict[str, CountsOut]
    recording: RecordingOut | None
    feedback: FeedbackOut | None = Field(
        description="Victims' feedback; null for a split by enhanced rights or officer."
    )
    by_code_version: dict[str, dict[str, CountsOut]] = Field(
        description="`metrics` per version of the Victims' Code the entitlements were opened under "
        "(each version in `code_versions`): `metrics` adds them up."
    )


class CodeVersionOut(BaseModel):
    version: str = Field(description="The version, as each entitlement keeps it, e.g. 2020.")
    title: str
    starts_on: date | None = Field(description="The day it came or comes into force.")


class TrendOut(BaseModel):
    months: list[date]
    metrics: dict[str, list[CountsOut]]


class NotificationsOut(BaseModel):
    delivered: int = Field(description="Emails and texts GOV.UK Notify confirmed were delivered.")
    failed: int = Field(description="Those that could not be sent or delivered.")
    pending: int = Field(description="Those waiting to be sent, or sent with no receipt yet.")
    total: int


class ComplianceReportOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    split: str
    split_label: str
    generated_at: AwareDatetime
    metrics: dict[str, str] = Field(
        description="Each metric's code and what it measures: M1 to M9D from the Victims' Code, "
        "M10 the victims' own requests for an update (made, answered on time or late, overdue, to come), "
        "M11 victims told in writing of requests to others for their information (Victims and Prisoners Act 2024 s.28), "
        "M12 victims told of court events within 1 working day (the Witness Care Unit), "
        "M13 referrals to the Victim Contact Scheme made on time after a qualifying sentence."
    )
    code_versions: list[CodeVersionOut] = Field(
        description="The versions of the Victims' Code the figures follow, oldest first: each "
        "entitlement is counted by the rules of the version it was opened under."
    )
    groups: list[GroupOut] = Field(description="The whole force first, then each group of the split.")
    notifications: NotificationsOut = Field(
        description="What became of the messages to victims written in the period (the whole report)."
    )
    feedback: FeedbackReportOut = Field(description="Victims' feedback month by month, for the whole report.")
    trend: TrendOut
