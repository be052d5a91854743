"""The demo's incidents (shared.cli.demo): the incident behind each demo crime, by the
routes a report comes by; one incident whose two crimes sit under a principal crime
(May 2023 rules); one crime recorded more than 24 hours after its incident came in;
possible crimes not recorded, with their written reasons, one exclusion awaiting its
supervisor's sign-off and one signed off; and a rape report not immediately recorded as
rape (N100), since resolved."""

import random
from datetime import datetime, timedelta

from shared.domain.incident_reference import INCIDENT_ROUTES, SIGN_OFF_REASONS
from shared.extensions import db
from shared.models import Crime, Incident, StaffMember

ROUTES = list(INCIDENT_ROUTES)


def _incident(number: int, received: datetime, route: str, team_id: int, **fields) -> Incident:
    incident = Incident(
        reference=f"INC/2026/{number:06d}",
        received_at=received,
        route=route,
        disclosed_crime=fields.pop("disclosed_crime", True),
        team_id=team_id,
        **fields,
    )
    db.session.add(incident)
    return incident


def add(crimes: list[Crime], staff: list[StaffMember], rng: random.Random, now: datetime) -> None:
    """Incidents for `crimes` (the demo's, oldest number first), and those not recorded."""
    by_name = {member.name: member for member in staff}
    supervisor, officer = by_name["Priya Shah"], by_name["Sam Taylor"]
    rape = next((crime for crime in crimes if crime.offence == "rape"), None)
    open_crimes = [crime for crime in crimes if crime.cancelled_at is None and crime is not rape]
    # Two crimes of one team reported in one call: the second is linked under the first.
    pair = next(
        (
            (first, second)
            for first in open_crimes
            for second in open_crimes
            if first.id < second.id
            and first.team_id == second.team_id
            and abs(first.reported_at - second.reported_at) < timedelta(hours=12)
        ),
        None,
    )
    late = next((crime for crime in reversed(open_crimes) if pair is None or crime not in pair), None)
    made: dict[int, Incident] = {}
    for number, crime in enumerate(crimes, 1):
        if pair is not None and crime is pair[1]:
            continue
        received = crime.reported_at - timedelta(minutes=rng.randrange(5, 90))
        if crime is late:
            # Recorded more than a day after the call.
            received = crime.recorded_at - timedelta(hours=30)
        incident = _incident(
            number,
            received,
            ROUTES[number % len(ROUTES)],
            crime.team_id,
            offence_group=crime.offence_group,
            closing_code="crime_recorded",
        )
        if crime is rape:
            # First logged as a sexual assault; recorded as rape the next day.
            incident.n100 = True
            incident.n100_resolution = "recorded_rape"
            incident.n100_resolved_at = min(crime.recorded_at + timedelta(days=1), now)
        made[crime.id] = incident
    db.session.flush()
    for crime in crimes:
        if pair is not None and crime is pair[1]:
            crime.incident_id, crime.principal_crime_id = made[pair[0].id].id, pair[0].id
        else:
            crime.incident_id = made[crime.id].id

    # Possible crimes not recorded, each with the written reason and who decided; of the
    # two exclusions, one is signed off and one awaits its supervisor.
    decisions = [
        (
            "credible_evidence",
            "CCTV shows the caller's bicycle was taken by her flatmate with her consent.",
            False,
        ),
        ("third_party_unconfirmed", "Reported by a neighbour; the householder says nothing happened.", False),
        ("offensive_message", "One rude message in a neighbours' group chat; no threat, no pattern.", False),
        ("disturbance_over", "Shouting outside a pub; everyone had gone by the time officers arrived.", True),
    ]
    for offset, (reason, note, signed) in enumerate(decisions, 1):
        received = now - timedelta(days=3 * offset, hours=rng.randrange(24))
        incident = _incident(
            900 + offset,
            received,
            ROUTES[offset % len(ROUTES)],
            supervisor.team_id,
            offence_group="public_order" if reason in ("offensive_message", "disturbance_over") else "theft",
            closing_code="crime_not_recorded",
            not_recorded_reason=reason,
            not_recorded_note=note,
            not_recorded_at=received + timedelta(hours=2),
            not_recorded_by_id=officer.id,
            needs_sign_off=reason in SIGN_OFF_REASONS,
        )
        if signed:
            incident.signed_off_at, incident.signed_off_by_id = received + timedelta(hours=20), supervisor.id
    # A call that disclosed no crime.
    _incident(
        999,
        now - timedelta(days=1),
        "control_room",
        supervisor.team_id,
        disclosed_crime=False,
        closing_code="advice_given",
        summary="Caller asked how to report a lost passport.",
    )
    db.session.flush()
