"""The benchmarks (`make bench`) run from end to end at a tiny size, so they cannot rot:
data generated, the app served by gunicorn and loaded with wrk, the reports timed, an
audit drawn and its results counted, the notification worker run, and the table printed."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.paths import ROOT

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="the benchmarks run on PostgreSQL: the suite's PostgreSQL run runs them",
)

MEASURES = (
    "Minimal route (GET /health)",
    "Victim's crime page, signed in",
    "Officer's case list, signed in",
    "Officer's Victims' Code queue, signed in",
    "API: new crimes through POST /api/v1/crimes",
    "Compliance report, whole force, quarter",
    "Compliance report, whole force, year",
    "Audit sample drawn, whole force, year",
    "Audit results, whole force, year",
    "Notification worker to a loopback provider",
    "Notification worker, peak memory",
    "Bulk import, flask import-crimes",
    "Web worker, peak memory",
)


def test_the_whole_benchmark_runs_at_a_tiny_size_and_prints_one_table(tmp_path):
    assert shutil.which("wrk"), "the benchmarks need wrk: apt-get install wrk"
    url = sa.make_url(TEST_DATABASE_URL)
    bench_url = url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)
    figures_file = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--database-url",
            bench_url,
            "--crimes",
            "300",
            # Long enough that a page slowed by a busy machine (the other database's run
            # beside this one) still answers within the load.
            "--seconds",
            "3",
            "--users",
            "8",
            "--messages",
            "20",
            "--import-crimes",
            "50",
            "--repeats",
            "1",
            "--json",
            str(figures_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout[result.stdout.index("Track My Crime benchmarks") :]
    for measure in MEASURES:
        assert measure in table, measure
    figures = {figure["measure"]: figure for figure in json.loads(figures_file.read_text())}
    assert set(figures) == set(MEASURES)
    # Every figure was measured: a rate above nothing, a share of the baseline, a memory.
    assert all(figure["value"] > 0 for figure in figures.values()), figures
    assert 0 < figures["Victim's crime page, signed in"]["value"] < 1
    assert "x the raw SQL aggregate" in figures["Compliance report, whole force, year"]["compared"]
    assert "x the raw SQL draw" in figures["Audit sample drawn, whole force, year"]["compared"]
    assert "x the raw SQL aggregate" in figures["Audit results, whole force, year"]["compared"]
    assert figures["Audit results, whole force, year"]["target"] == "at most 1.5x"
    assert "of a direct bulk load" in figures["API: new crimes through POST /api/v1/crimes"]["compared"]
    assert "of a direct COPY" in figures["Bulk import, flask import-crimes"]["compared"]
    # The worker's own memory, not the benchmark's that started it (which holds the
    # generated data): a worker is a Flask app, well under the generator's hundreds of MB.
    assert 30 < figures["Notification worker, peak memory"]["value"] < 150
    _the_incidents_stand_behind_the_crimes(bench_url)


def _the_incidents_stand_behind_the_crimes(bench_url: str) -> None:
    """Every generated crime was recorded from an incident of its own, and a realistic
    share of incidents had no crime recorded, some by a decision not to record with a
    written reason and who made it; the audit drew from them and was judged."""
    engine = sa.create_engine(bench_url)
    try:
        with engine.connect() as conn:
            crimes, linked, incidents = conn.execute(
                sa.text(
                    "SELECT count(*), count(DISTINCT incident_id), (SELECT count(*) FROM incident) FROM crime"
                    " WHERE id <= 300"
                )
            ).one()
            lone = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM incident i WHERE NOT EXISTS (SELECT 1 FROM crime c WHERE c.incident_id = i.id)"
                )
            )
            not_recorded = conn.execute(
                sa.text(
                    "SELECT count(*), count(not_recorded_note), count(not_recorded_by_id) FROM incident"
                    " WHERE not_recorded_reason IS NOT NULL"
                )
            ).one()
            judged = conn.scalar(sa.text("SELECT count(*) FROM cdi_judgement"))
    finally:
        engine.dispose()
    assert crimes == linked == 300
    assert 0.15 <= lone / incidents <= 0.25
    assert not_recorded[0] > 0 and not_recorded[0] == not_recorded[1] == not_recorded[2]
    assert judged > 0


def test_the_benchmark_refuses_a_database_other_than_postgresql():
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--database-url", "sqlite:///bench.db", "--crimes", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "The benchmarks run on PostgreSQL" in result.stderr


def test_only_names_measures_the_benchmark_has():
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--database-url", "sqlite:///bench.db", "--only", "worker,speed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "choose from pages, api, reports, audit, worker, import" in result.stderr
