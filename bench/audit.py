"""The crime data integrity audit in `make bench`: drawing an audit's sample over the
force-year's frame and computing its results, each timed against the hand-written SQL
that does the same work on the same database.

- The draw: `cdi_audits.create_audit` over the year, every stratum that holds records,
  `PER_STRATUM` records asked of each (fewer where the stratum holds fewer), against the
  same seeded draw written by hand: the frame's sizes and fingerprint, then one
  INSERT ... SELECT of the ranked records, with the audit, its strata and its audit event,
  committed; both without PostgreSQL's JIT compiling. The raw draw is checked to choose the very records the service chose.
- The results: the drawn records judged in bulk with SQL inserts as a finished audit
  would be (a tenth judged twice, the later judgement standing), then
  `cdi_audit_results.results` against the four aggregates it needs written by hand; the
  counts are checked to agree.
"""

import random
import statistics
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

PER_STRATUM = 300
TARGET_RATIO = 1.5  # at most 1.5x the raw SQL
COMPLIANT = 0.9  # share of records judged compliant
SECOND_LOOK = 0.1  # share judged a second time, the later judgement standing


class AuditBenchError(RuntimeError):
    """The raw SQL and the service disagree, or there is nothing to audit."""


def _mix(inner: str) -> str:
    """One round of the sampling hash (shared.services.sampling) over a subquery's key:
    XOR with the key shifted by 16, times the multiplier, modulo 2^31 - 1."""
    return f"SELECT id, stratum, ((k # (k >> 16)) * 73244475) % 2147483647 AS k FROM ({inner}) AS m"


# The frame of the period, every stratum (shared.services.cdi_audits.frame), by hand.
FRAME = """
SELECT id, stratum FROM (
    SELECT i.id,
           CASE
               WHEN EXISTS (SELECT 1 FROM crime c WHERE c.incident_id = i.id AND c.offence = 'rape') THEN 'rape'
               WHEN i.n100 THEN 'rape'
               WHEN EXISTS (SELECT 1 FROM crime c WHERE c.incident_id = i.id AND c.offence = 'modern_slavery')
                   THEN 'modern_slavery'
               WHEN i.offence_group IN ('violence', 'sexual', 'robbery') THEN i.offence_group
           END AS stratum
    FROM incident i
    WHERE i.route = ANY(:routes) AND i.received_at >= :low AND i.received_at < :high
) AS incidents WHERE stratum IS NOT NULL
UNION ALL
SELECT id, 'cancelled' FROM crime WHERE cancelled_at >= :low AND cancelled_at < :high
UNION ALL
SELECT id, 'out_of_court' FROM crime
WHERE outcome = ANY(:outcomes) AND outcome_at >= :low AND outcome_at < :high
"""


def _keyed(seed_param: str) -> str:
    start = f"SELECT id, stratum, (CAST({seed_param} AS bigint) * 1103515245 + id) % 2147483647 AS k FROM ({FRAME}) AS f"
    return _mix(_mix(_mix(start)))


RAW_FRAME_SQL = f"""
SELECT stratum, count(*), sum(CAST(id AS bigint)), sum(k) FROM ({_keyed("0")}) AS keyed GROUP BY stratum
"""

RAW_DRAW_SQL = f"""
INSERT INTO cdi_audit_record (audit_id, kind, record_id, stratum, position)
SELECT :audit,
       CASE WHEN r.stratum IN ('cancelled', 'out_of_court') THEN 'crime' ELSE 'incident' END,
       r.id, r.stratum, row_number() OVER (ORDER BY s.place, r.position)
FROM (
    SELECT id, stratum, row_number() OVER (PARTITION BY stratum ORDER BY k, id) AS position
    FROM ({_keyed(":seed")}) AS keyed
) AS r
JOIN (
    SELECT unnest(CAST(:strata AS text[])) AS stratum, unnest(CAST(:sizes AS int[])) AS size,
           unnest(CAST(:places AS int[])) AS place
) AS s ON s.stratum = r.stratum
WHERE r.position <= s.size
"""

# The results' four aggregates (shared.services.cdi_audit_results.results), by hand.
LATEST = "SELECT audit_record_id, max(id) AS latest FROM cdi_judgement GROUP BY audit_record_id"
RAW_COUNTS_SQL = f"""
SELECT r.audit_id, r.stratum, count(r.id), count(j.id),
       coalesce(sum(CASE WHEN j.compliant THEN 1 ELSE 0 END), 0)
FROM cdi_audit_record r
LEFT JOIN ({LATEST}) AS l ON l.audit_record_id = r.id
LEFT JOIN cdi_judgement j ON j.id = l.latest
GROUP BY r.audit_id, r.stratum
"""
RAW_RECORDED_SQL = """
SELECT CASE
           WHEN offence = 'rape' THEN 'rape'
           WHEN offence = 'modern_slavery' THEN 'modern_slavery'
           WHEN offence_group IN ('violence', 'sexual', 'robbery') THEN offence_group
           ELSE 'other'
       END AS stratum,
       count(*)
FROM crime
WHERE recorded_at >= :low AND recorded_at < :high AND principal_crime_id IS NULL
  AND offence_group <> 'fraud' AND (cancelled_at IS NULL OR cancelled_at >= :high)
GROUP BY 1
"""
RAW_CANCELLATIONS_SQL = f"""
SELECT count(j.id),
       coalesce(sum(CASE WHEN j.answers ->> 'valid_reason' = 'no' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN j.answers ->> 'right_authoriser' = 'no' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN j.answers ->> 'victim_told' = 'no' THEN 1 ELSE 0 END), 0)
FROM cdi_audit_record r
JOIN ({LATEST}) AS l ON l.audit_record_id = r.id
JOIN cdi_judgement j ON j.id = l.latest
WHERE r.audit_id = :audit AND r.stratum = 'cancelled'
"""
RAW_TREND_SQL = (
    "SELECT id, title, period_start, period_end FROM cdi_audit ORDER BY period_end, period_start, id"
)


def _median(call, times: int) -> float:
    samples = []
    for n in range(times):
        started = time.perf_counter()
        call(n)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _registrar():
    from shared.extensions import db
    from shared.models import StaffMember, StaffRole

    found = db.session.scalars(
        sa.select(StaffMember)
        .join(StaffRole, StaffRole.staff_id == StaffMember.id)
        .where(StaffRole.role == "fcr")
    ).first()
    if found is None:
        raise AuditBenchError("The force has no Force Crime Registrar: generate the data again.")
    return found


def _raw_draw(start: date, end: date, sizes: dict[str, int], seed: int, by_id: int, now: datetime) -> int:
    """The service's draw written by hand, committed; the audit's id."""
    from shared.domain.cdi_audit import AUDITABLE_ROUTES, STRATA
    from shared.domain.reference_data import OUT_OF_COURT_OUTCOMES
    from shared.extensions import db
    from shared.services.cdi_audits import _bounds

    low, high = _bounds(start, end)
    frame = {
        "low": low,
        "high": high,
        "routes": list(AUDITABLE_ROUTES),
        "outcomes": sorted(OUT_OF_COURT_OUTCOMES),
    }
    session = db.session
    # As the service draws: PostgreSQL's JIT compiling costs the frame's queries far more
    # than it saves (shared.services.sampling).
    session.execute(sa.text("SET LOCAL jit = off"))
    session.execute(
        sa.text(
            "SELECT id FROM cdi_audit WHERE period_start = :start AND period_end = :end AND seed = :seed"
        ),
        {"start": start, "end": end, "seed": seed},
    ).first()
    strata = {row[0]: row[1:] for row in session.execute(sa.text(RAW_FRAME_SQL), frame)}
    fingerprint = ";".join(
        f"{key}={strata[key][0]}:{strata[key][1]}:{strata[key][2]}" for key in sorted(sizes)
    )
    audit_id = session.execute(
        sa.text(
            "INSERT INTO cdi_audit (title, period_start, period_end, seed, frame_fingerprint, drawn_at, drawn_by_id) "
            "VALUES ('Benchmark draw, raw SQL', :start, :end, :seed, :fingerprint, :now, :by) RETURNING id"
        ),
        {"start": start, "end": end, "seed": seed, "fingerprint": fingerprint, "now": now, "by": by_id},
    ).scalar_one()
    order = [key for key in STRATA if key in sizes]
    session.execute(
        sa.text(
            "INSERT INTO cdi_audit_stratum (audit_id, stratum, size, frame_size) "
            "SELECT :audit, unnest(CAST(:strata AS text[])), unnest(CAST(:sizes AS int[])), "
            "unnest(CAST(:frames AS int[]))"
        ),
        {
            "audit": audit_id,
            "strata": order,
            "sizes": [sizes[k] for k in order],
            "frames": [strata[k][0] for k in order],
        },
    )
    session.execute(
        sa.text(RAW_DRAW_SQL),
        {
            **frame,
            "audit": audit_id,
            "seed": seed,
            "strata": order,
            "sizes": [sizes[k] for k in order],
            "places": list(range(len(order))),
        },
    )
    session.execute(
        sa.text(
            "INSERT INTO audit_event (occurred_at, actor_type, actor_id, actor_roles, action, record_type, record_id, detail) "
            "VALUES (:now, 'staff', :by, 'fcr', 'cdi_audit.drawn', 'cdi_audit', :audit, :detail)"
        ),
        {"now": now, "by": by_id, "audit": str(audit_id), "detail": f"seed={seed}"},
    )
    session.commit()
    return audit_id


def _drawn(audit_id: int) -> list[tuple]:
    from shared.extensions import db

    return [
        tuple(row)
        for row in db.session.execute(
            sa.text(
                "SELECT position, kind, stratum, record_id FROM cdi_audit_record WHERE audit_id = :a ORDER BY position"
            ),
            {"a": audit_id},
        )
    ]


def _judge_in_bulk(audit_id: int, by_id: int, now: datetime) -> None:
    """Every record of the audit judged, as a finished audit would have them, with bulk
    SQL inserts: a tenth judged a second time, the later judgement standing."""
    from shared.domain.cdi_audit import checklist
    from shared.extensions import db
    from shared.models import CdiJudgement

    rng = random.Random(audit_id)  # noqa: S311  (repeatable benchmark data)
    rows = []
    for record_id, stratum in db.session.execute(
        sa.text("SELECT id, stratum FROM cdi_audit_record WHERE audit_id = :a ORDER BY position"),
        {"a": audit_id},
    ):
        questions = list(checklist(stratum))
        for look in range(2 if rng.random() < SECOND_LOOK else 1):
            compliant = rng.random() < COMPLIANT
            answers = dict.fromkeys(questions, "yes")
            if not compliant:
                answers[rng.choice(questions)] = "no"
            rows.append(
                {
                    "audit_record_id": record_id,
                    "answers": answers,
                    "compliant": compliant,
                    "note": "Second look after the team's review."
                    if look
                    else "Checked against the checklist.",
                    "by_id": by_id,
                    "at": now + timedelta(seconds=look),
                    "ruling": False,
                }
            )
    db.session.execute(sa.insert(CdiJudgement.__table__), rows)
    db.session.commit()


def _raw_results(audit_id: int, low: datetime, high: datetime) -> list:
    from shared.extensions import db

    session = db.session
    counts = session.execute(sa.text(RAW_COUNTS_SQL)).all()
    session.execute(sa.text(RAW_RECORDED_SQL), {"low": low, "high": high}).all()
    session.execute(sa.text(RAW_CANCELLATIONS_SQL), {"audit": audit_id}).all()
    session.execute(sa.text(RAW_TREND_SQL)).all()
    return counts


def audit_figures(app, now: datetime, repeats: int, figure) -> list:
    """The two rows of the table: the draw and the results, each against its raw SQL.
    `figure` makes a row (bench.run.Figure)."""
    from shared.extensions import db
    from shared.services import cdi_audit_results, cdi_audits
    from shared.services.calendar import local_date, start_of_local_day

    end = local_date(now)
    start = end - timedelta(days=364)
    with app.app_context():
        registrar = _registrar()
        by_id = registrar.id
        frame_sizes = cdi_audits.frame_sizes(start, end)
        sizes = {key: min(PER_STRATUM, size) for key, size in frame_sizes.items() if size > 0}
        if not sizes:
            raise AuditBenchError("The year's frame holds no record to audit.")
        # Seeds not used before (a run with --reuse finds the audits of the last): the
        # service's draws take the even ones, the raw SQL's the odd ones.
        first_seed = db.session.scalar(sa.text("SELECT coalesce(max(seed), 0) + 1 FROM cdi_audit"))
        db.session.commit()

        def service(n: int) -> int:
            return cdi_audits.create_audit(
                "Benchmark audit", start, end, sizes, first_seed + 2 * n, registrar
            ).id

        def raw(n: int) -> int:
            return _raw_draw(start, end, sizes, first_seed + 2 * n + 1, by_id, now)

        # The first of each warms the cache, and shows the raw SQL draws the same records.
        kept = service(0)
        check = _raw_draw(start, end, sizes, first_seed, by_id, now)
        if _drawn(kept) != _drawn(check):
            raise AuditBenchError("The raw SQL draw and the service's draw chose different records.")
        db.session.commit()
        service_seconds = _median(lambda n: service(n + 1), repeats)
        raw_seconds = _median(lambda n: raw(n + 1), repeats)
        drawn = len(_drawn(kept))
        framed = sum(frame_sizes.values())
        ratio = service_seconds / raw_seconds
        rows = [
            figure(
                "Audit sample drawn, whole force, year",
                f"{service_seconds * 1000:.0f} ms ({drawn:,} of {framed:,} records)",
                compared=f"{ratio:.2f}x the raw SQL draw ({raw_seconds * 1000:.0f} ms)",
                target=f"at most {TARGET_RATIO:g}x",
                met=ratio <= TARGET_RATIO,
                value=ratio,
            )
        ]

        _judge_in_bulk(kept, by_id, now)
        found = cdi_audits.get_audit(kept)
        year_start = cdi_audit_results.year_to(end)
        low, high = start_of_local_day(year_start), start_of_local_day(end + timedelta(days=1))
        computed = cdi_audit_results.results(found)
        counts = {(a, s): (d, j, c) for a, s, d, j, c in _raw_results(kept, low, high) if a == kept}
        expected = {(kept, row.stratum): (row.drawn, row.judged, row.compliant) for row in computed.strata}
        if counts != expected:
            raise AuditBenchError(f"The raw SQL results {counts} differ from the service's {expected}.")

        def results(_n: int) -> None:
            cdi_audit_results.results(found)

        service_seconds = _median(results, repeats)
        raw_seconds = _median(lambda _n: _raw_results(kept, low, high), repeats)
        ratio = service_seconds / raw_seconds
        rows.append(
            figure(
                "Audit results, whole force, year",
                f"{service_seconds * 1000:.0f} ms ({sum(row.judged for row in computed.strata):,} records judged)",
                compared=f"{ratio:.2f}x the raw SQL aggregate ({raw_seconds * 1000:.0f} ms)",
                target=f"at most {TARGET_RATIO:g}x",
                met=ratio <= TARGET_RATIO,
                value=ratio,
            )
        )
        db.session.remove()
    return rows
