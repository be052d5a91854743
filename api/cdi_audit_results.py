"""`GET /api/v1/audits/{audit_id}/results`: a crime data integrity audit's results, the
figures the back office shows (shared.services.cdi_audit_results), for `reports:read`.
Figures only: no record, reference or name."""

from datetime import date

from flask import Response
from flask_babel import force_locale
from pydantic import BaseModel, Field

from api.operations import AUTH_ERRORS, operation
from shared.services import cdi_audit_results, cdi_audit_results_export, cdi_audits
from shared.web.problems import Problem


class IntervalOut(BaseModel):
    compliant: int
    judged: int
    rate: float = Field(description="Compliant / judged, a fraction from 0 to 1.")
    lower: float = Field(description="The lower bound of the 95% Wilson score interval.")
    upper: float = Field(description="The upper bound of the 95% Wilson score interval.")
    margin: float = Field(description="The larger distance from the rate to a bound (the ± shown).")
    shown: str = Field(description='The rate as reported, e.g. "87.8% (±1.7%)".', examples=["87.8% (±1.7%)"])


class UnrecordedOut(BaseModel):
    recorded: int = Field(description="Crime recorded in the 12 months to the end of the audit's period.")
    unrecorded: int | None = Field(description="recorded × (1 − rate) ÷ rate; null when the rate is 0.")
    low: int | None = Field(description="The estimate at the interval's upper bound.")
    high: int | None = Field(description="The estimate at the interval's lower bound; null when it is 0.")


class StratumResultOut(BaseModel):
    stratum: str = Field(
        description="The stratum's code, or `overall` for the crime-recording strata together."
    )
    label: str
    drawn: int
    judged: int
    compliant: int
    interval: IntervalOut | None = Field(description="Null when no record of the stratum is judged yet.")
    unrecorded_in_a_year: UnrecordedOut | None = Field(
        description="Crime-recording strata and overall only; null for the others."
    )


class CancellationsOut(BaseModel):
    judged: int
    wrongly_made: int = Field(description="No valid reason evidenced by additional verifiable information.")
    wrong_authoriser: int
    victim_not_told: int


class AuditOut(BaseModel):
    id: int
    title: str
    period_start: date
    period_end: date


class TrendPointOut(BaseModel):
    audit_id: int
    title: str
    period_start: date
    period_end: date
    overall: IntervalOut | None
    strata: dict[str, IntervalOut | None]


class AuditResultsOut(BaseModel):
    audit: AuditOut
    method: str
    estimate_method: str
    recorded_crime_from: date
    recorded_crime_to: date
    strata: list[StratumResultOut]
    overall: StratumResultOut
    cancellations: CancellationsOut | None = Field(
        description="Null when the audit has no cancelled stratum."
    )
    trend: list[TrendPointOut] = Field(
        description="Every audit with a judged record, in the order of its period."
    )


@operation(
    "/audits/<int:audit_id>/results",
    "GET",
    summary="A crime data integrity audit's results",
    scope="reports:read",
    responses={200: ("The audit's results and the trend across audits", AuditResultsOut)},
    errors=(*AUTH_ERRORS, 404),
    tag="reports",
)
def audit_results(audit_id: int):
    """Per stratum and overall: records judged, compliant, the compliance rate with its 95%
    Wilson score interval, and the estimate of crimes left unrecorded in a year; the
    cancellations wrongly made and victims not told; each audit's rates in order."""
    found = cdi_audits.get_audit(audit_id)
    if found is None:
        raise Problem(404, "There is no audit with that number.")
    with force_locale("en"):
        payload = cdi_audit_results_export.to_dict(cdi_audit_results.results(found))
    body = AuditResultsOut.model_validate(payload).model_dump_json()
    return Response(body, status=200, mimetype="application/json")
