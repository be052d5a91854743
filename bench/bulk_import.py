"""The bulk import in `make bench`: a force's first load through `flask import-crimes`,
timed against a direct COPY of the same rows.

A CSV file of `count` new crimes, as a records system exports them (each open, under
investigation, with one victim, and a fifth with a second: one line a victim), is loaded
by the command as an operator runs it, in a process of its own, from start to end: both
passes, the Victims' Code entitlements each victim is owed on recording, the audit trail.
The same crimes, victims and links are then written by COPY straight into their three
tables, in a transaction rolled back: what the database itself takes to store the rows.
"""

import csv
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench import data

TARGET_RATE = 2000  # crimes a second: a force's first million in under ten minutes
SECOND_VICTIM = 0.2  # share of crimes with a second victim

HEADER = (
    "reference",
    "offence",
    "occurred_at",
    "reported_at",
    "recorded_at",
    "officer_in_charge",
    "stage",
    "updated_at",
    "victim_ref",
    "victim_name",
    "victim_date_of_birth",
    "victim_email",
    "victim_phone",
    "victim_preferred_language",
    "victim_contact_channel",
    "victim_updated_at",
)


class ImportBenchError(RuntimeError):
    """The import did not load what the file holds."""


def write_file(path: Path, count: int, collars: list[str], prefix: str, now: datetime, seed: int = 11) -> int:
    """The export: `count` crimes under `prefix`, each with its victims, one line a victim;
    the number of victims."""
    from shared.domain.reference_data import OFFENCES

    rng = random.Random(seed)  # noqa: S311  (repeatable benchmark data)
    offences = [code for code in data.OFFENCE_WEIGHTS if code in OFFENCES]
    weights = [data.OFFENCE_WEIGHTS[code] for code in offences]
    victims = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(count):
            reported = (now - timedelta(days=1, seconds=rng.randrange(300 * 86400))).replace(microsecond=0)
            recorded = reported + timedelta(minutes=rng.randrange(5, 600))
            crime = (
                f"{prefix}{n:07d}",
                rng.choices(offences, weights)[0],
                (reported - timedelta(minutes=rng.randrange(10, 2000))).isoformat(),
                reported.isoformat(),
                recorded.isoformat(),
                rng.choice(collars),
                "under_investigation",
                recorded.isoformat(),
            )
            for v in range(2 if rng.random() < SECOND_VICTIM else 1):
                victims += 1
                name = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.SURNAMES)}"
                email = rng.random() < 0.8
                writer.writerow(
                    (
                        *crime,
                        f"V{n:07d}-{v}",
                        name,
                        date(
                            1940 + rng.randrange(66), 1 + rng.randrange(12), 1 + rng.randrange(28)
                        ).isoformat(),
                        f"{prefix.lower().strip('/')}.{n}.{v}@example.com" if email else "",
                        f"07700 9{rng.randrange(100000):05d}",
                        "cy" if rng.random() < 0.05 else "en",
                        "email" if email else "sms",
                        recorded.isoformat(),
                    )
                )
    return victims


def copy_rate(database_url: str, path: Path) -> float:
    """Crimes a second written by COPY straight into crime, victim and crime_victim: the
    file's crimes and victims, in a transaction then rolled back."""
    url = sa.make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        officers = {
            collar: (staff_id, team)
            for collar, staff_id, team in conn.execute(
                "SELECT upper(collar_number), id, team_id FROM staff_member"
            )
        }
        crime_id, victim_id, link_id = conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM crime) + 10000000, "
            "(SELECT coalesce(max(id), 0) FROM victim) + 10000000, "
            "(SELECT coalesce(max(id), 0) FROM crime_victim) + 10000000"
        ).fetchone()
        with path.open(newline="") as stream:
            rows = list(csv.DictReader(stream))
        from shared.domain.reference_data import OFFENCES

        now = datetime.now(UTC)
        started = time.perf_counter()
        crimes = 0
        with conn.cursor() as cursor:
            with cursor.copy(
                "COPY crime (id, reference, offence, offence_group, occurred_at, reported_at, recorded_at, "
                "stage, officer_in_charge_id, team_id, created_at, source_updated_at) FROM STDIN"
            ) as copy:
                seen = None
                for row in rows:
                    if row["reference"] == seen:
                        continue
                    seen = row["reference"]
                    crimes += 1
                    officer, team = officers[row["officer_in_charge"].upper()]
                    copy.write_row(
                        (
                            crime_id + crimes,
                            # The import holds the file's references and addresses now.
                            "C" + row["reference"][1:],
                            row["offence"],
                            OFFENCES[row["offence"]].group,
                            row["occurred_at"],
                            row["reported_at"],
                            row["recorded_at"],
                            row["stage"],
                            officer,
                            team,
                            now,
                            row["updated_at"],
                        )
                    )
            with cursor.copy(
                "COPY victim (id, name, date_of_birth, email, phone, preferred_language, contact_channel, "
                "created_at) FROM STDIN"
            ) as copy:
                for n, row in enumerate(rows, 1):
                    copy.write_row(
                        (
                            victim_id + n,
                            row["victim_name"],
                            row["victim_date_of_birth"],
                            "c." + row["victim_email"] if row["victim_email"] else None,
                            row["victim_phone"],
                            row["victim_preferred_language"],
                            row["victim_contact_channel"],
                            now,
                        )
                    )
            with cursor.copy(
                "COPY crime_victim (id, public_id, crime_id, victim_id, source_ref, added_at, source_updated_at) "
                "FROM STDIN"
            ) as copy:
                seen, crime = None, crime_id
                for n, row in enumerate(rows, 1):
                    if row["reference"] != seen:
                        seen, crime = row["reference"], crime + 1
                    copy.write_row(
                        (
                            link_id + n,
                            f"bench-{link_id + n}",
                            crime,
                            victim_id + n,
                            row["victim_ref"],
                            now,
                            row["victim_updated_at"],
                        )
                    )
        elapsed = time.perf_counter() - started
        conn.rollback()
    return crimes / elapsed
