"""The results of a crime data integrity audit: a constructed audit whose rates, Wilson
intervals and estimates of crimes left unrecorded are worked out here by hand, found
equal in the back-office page, its CSV, `flask audit-results` and the API; the same
number of queries whatever the audit's size; figures only for the Commissioner's office."""

import csv
import io
import itertools
import math
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist

import pytest

from shared.extensions import db
from shared.models import CdiAudit, CdiAuditRecord, CdiAuditStratum, CdiJudgement, Crime
from tests import factories
from tests.api_helpers import ApiCaller, register
from tests.pages import PageClient
from tests.queries import count_queries
from tests.signed_in import sign_in_as

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 6, 1), date(2026, 7, 14))
Z = NormalDist().inv_cdf(0.975)
_numbers = itertools.count(1)

# (drawn, the latest judgements: compliant or not, in order) for each stratum.
VIOLENCE = (10, [True] * 5 + [False] * 3)
ROBBERY = (5, [True] * 5)
RAPE = (3, [False, False])
CANCELLED = (4, [True, True, False, False])
# The force's crime recorded in the 12 months to 14 July 2026, excluding fraud, principal
# crimes not cancelled by the end: by stratum (see _recorded_crime).
RECORDED = {"violence": 6, "robbery": 2, "rape": 1, "other": 3}


def wilson(successes: int, n: int) -> tuple[float, float, float]:
    """The rate and its 95% Wilson score interval, in the textbook's form."""
    p = successes / n
    centre = (successes + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(successes * (n - successes) / n + Z * Z / 4)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def shown(successes: int, n: int) -> str:
    p, low, high = wilson(successes, n)
    return f"{p * 100:.1f}% (±{max(p - low, high - p) * 100:.1f}%)"


def unrecorded(recorded: int, rate: float) -> int | None:
    return None if rate < 1e-12 else round(recorded * (1 - rate) / rate)


def expected() -> dict[str, dict]:
    out = {}
    pooled = {"drawn": 0, "judged": 0, "compliant": 0}
    for key, (drawn, verdicts) in {
        "violence": VIOLENCE,
        "rape": RAPE,
        "robbery": ROBBERY,
        "cancelled": CANCELLED,
    }.items():
        judged, compliant = len(verdicts), sum(verdicts)
        out[key] = {"drawn": drawn, "judged": judged, "compliant": compliant}
        if key != "cancelled":
            for name, value in out[key].items():
                pooled[name] += value
    out["overall"] = pooled
    for key, row in out.items():
        p, low, high = wilson(row["compliant"], row["judged"])
        row |= {"rate": p, "lower": low, "upper": high, "shown": shown(row["compliant"], row["judged"])}
        if key != "cancelled":
            recorded = sum(RECORDED.values()) if key == "overall" else RECORDED[key]
            row |= {
                "recorded": recorded,
                "unrecorded": unrecorded(recorded, p),
                "low": unrecorded(recorded, high),
                "high": unrecorded(recorded, low),
            }
    return out


def test_the_hand_worked_figures_are_what_the_inspectorate_reports():
    figures = expected()
    assert (figures["overall"]["judged"], figures["overall"]["compliant"]) == (15, 10)
    # 10 of 15 is two thirds: 12 crimes recorded are two thirds of 18, 6 left unrecorded.
    assert figures["overall"]["unrecorded"] == 6
    assert figures["robbery"]["shown"].startswith("100.0% (±")
    assert figures["rape"]["lower"] == 0.0 and figures["rape"]["unrecorded"] is None
    assert figures["violence"]["unrecorded"] == 4  # 6 × 0.375 / 0.625 = 3.6


@pytest.fixture
def force(ctx, time_machine):
    time_machine.move_to(NOW, tick=False)
    team = factories.team("Response West")
    return {
        "team": team,
        "officer": factories.staff(team, roles=("officer",), name="Constable Ann Lee"),
        "fcr": factories.staff(roles=("fcr",), name="Registrar Carol Dunn"),
        "auditor": factories.staff(roles=("auditor",), name="Auditor Dan Moss"),
    }


def _judge(record: CdiAuditRecord, compliant: bool, by, answers: dict | None = None) -> None:
    db.session.add(
        CdiJudgement(
            audit_record_id=record.id, answers=answers or {}, compliant=compliant, note="Why", by_id=by.id
        )
    )
    db.session.flush()


def _cancellation_answers(valid: bool, level: bool, told: bool) -> dict:
    def say(value: bool) -> str:
        return "yes" if value else "no"

    return {"valid_reason": say(valid), "right_authoriser": say(level), "victim_told": say(told)}


def _audit(fcr, strata: dict[str, tuple[int, list[bool]]], period=PERIOD, title="Summer audit") -> CdiAudit:
    """An audit with `drawn` records in each stratum, the first judged as given."""
    found = CdiAudit(
        title=title,
        period_start=period[0],
        period_end=period[1],
        seed=next(_numbers),
        frame_fingerprint="constructed",
        drawn_by_id=fcr.id,
    )
    db.session.add(found)
    db.session.flush()
    position = 0
    for stratum, (drawn, verdicts) in strata.items():
        db.session.add(CdiAuditStratum(audit_id=found.id, stratum=stratum, size=drawn, frame_size=drawn * 10))
        for index in range(drawn):
            position += 1
            record = CdiAuditRecord(
                audit_id=found.id,
                kind="crime" if stratum == "cancelled" else "incident",
                record_id=next(_numbers),
                stratum=stratum,
                position=position,
            )
            db.session.add(record)
            db.session.flush()
            if index >= len(verdicts):
                continue
            verdict = verdicts[index]
            if stratum == "cancelled":
                # Earlier judgements superseded: only the latest counts.
                _judge(record, not verdict, fcr, _cancellation_answers(True, True, True))
                # Cancellations 1 and 2 compliant; 3 and 4 without a valid reason; 4
                # authorised at the wrong level; 2, 3 and 4 with the victim not told.
                answers = _cancellation_answers(verdict, index != 3, index == 0)
                _judge(record, verdict, fcr, answers)
            else:
                if index in (0, 7):
                    _judge(record, not verdict, fcr)
                _judge(record, verdict, fcr)
    db.session.commit()
    return found


def _crime(officer, offence: str, recorded_at: datetime, **changes) -> Crime:
    crime = factories.crime(officer, offence=offence)
    crime.recorded_at = recorded_at
    crime.reported_at = crime.occurred_at = recorded_at - timedelta(hours=1)
    for name, value in changes.items():
        setattr(crime, name, value)
    db.session.commit()
    return crime


def _recorded_crime(officer) -> None:
    """RECORDED, and the crimes that must not count."""
    inside = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for _ in range(4):
        _crime(officer, "common_assault", inside)
    # 00:30 on 15 July 2025 in London, the first minutes of the 12 months (23:30 UTC).
    _crime(officer, "harassment", datetime(2025, 7, 14, 23, 30, tzinfo=UTC))
    # Cancelled after the end of the period: recorded crime at its end.
    _crime(officer, "stalking", inside, cancelled_at=datetime(2026, 7, 15, 9, tzinfo=UTC))
    _crime(officer, "robbery_personal", inside)
    _crime(officer, "robbery_business", inside)
    _crime(officer, "rape", inside)
    principal = _crime(officer, "burglary_residential", inside)
    for _ in range(2):
        _crime(officer, "bicycle_theft", inside)
    # Not counted: fraud; a linked crime (not the principal); cancelled by the end; before
    # the 12 months (23:30 on 14 July 2025 in London); after the period (00:30 on 15 July 2026).
    _crime(officer, "fraud_false_representation", inside)
    _crime(officer, "criminal_damage", inside, principal_crime_id=principal.id)
    _crime(officer, "common_assault", inside, cancelled_at=datetime(2026, 7, 1, tzinfo=UTC))
    _crime(officer, "common_assault", datetime(2025, 7, 14, 22, 30, tzinfo=UTC))
    _crime(officer, "common_assault", datetime(2026, 7, 14, 23, 30, tzinfo=UTC))


@pytest.fixture
def constructed(force):
    _recorded_crime(force["officer"])
    earlier = _audit(
        force["fcr"],
        {"violence": (4, [True, True, False, True])},
        (date(2025, 6, 1), date(2025, 7, 14)),
        "Last year",
    )
    found = _audit(
        force["fcr"], {"violence": VIOLENCE, "rape": RAPE, "robbery": ROBBERY, "cancelled": CANCELLED}
    )
    # Drawn, nothing judged: not in the trend.
    _audit(force["fcr"], {"robbery": (2, [])}, (date(2026, 8, 1), date(2026, 8, 31)), "Not started")
    return {"audit": found, "earlier": earlier}


def _client(app, member) -> PageClient:
    client = PageClient(app)
    sign_in_as(client, member)
    return client


def _pct(value: float) -> str:
    return f"{value * 100:.1f}"


def _page_rows(page) -> dict[str, dict[str, str]]:
    rows = {}
    for row in page.soup.select("#results tbody tr"):
        cells = {name: cell for cell in row.find_all("td") for name in cell.attrs if name.startswith("data-")}
        rows[row["data-stratum"]] = {
            key: cells[key].get_text(" ", strip=True)
            for key in ("data-shown", "data-interval", "data-recorded", "data-unrecorded")
        }
    return rows


def _unrecorded_text(row: dict) -> str:
    if row["unrecorded"] is None:
        return "Cannot be estimated"
    low = "–" if row["low"] is None else row["low"]
    high = "–" if row["high"] is None else row["high"]
    return f"{row['unrecorded']} ({low} to {high})"


def test_the_page_shows_the_hand_worked_figures(app, force, constructed):
    figures = expected()
    client = _client(app, force["fcr"])
    page = client.get(f"/backoffice/audits/{constructed['audit'].id}/results")
    assert page.status == 200
    assert page.title.startswith("Audit results")
    rows = _page_rows(page)
    assert list(rows) == ["violence", "rape", "robbery", "cancelled", "overall"]
    for key, row in figures.items():
        assert rows[key]["data-shown"] == row["shown"], key
        assert rows[key]["data-interval"] == f"{_pct(row['lower'])}% to {_pct(row['upper'])}%", key
        if key == "cancelled":
            assert rows[key]["data-recorded"] == rows[key]["data-unrecorded"] == ""
        else:
            assert rows[key]["data-recorded"] == str(row["recorded"])
            assert rows[key]["data-unrecorded"] == _unrecorded_text(row), key
    assert page.soup.select_one("#overall-shown").get_text(strip=True) == figures["overall"]["shown"]
    cancellations = [dd.get_text(strip=True) for dd in page.soup.select("#cancellations dd")]
    assert cancellations == ["4", "2", "1", "3"]
    text = page.main_text
    assert "15 July 2025 to 14 July 2026" in text
    assert "Wilson score interval" in text and "R × (1 − rate) ÷ rate" in text
    # The chart and its data.
    assert page.soup.select_one("svg[role=img] title").get_text() == "Compliance rate by stratum"
    assert len(page.soup.select("#results-chart-data tbody tr")) == 5
    # The trend: the audits with a judged record, in the order of their periods.
    trend = [row["data-audit"] for row in page.soup.select("#trend tbody tr")]
    assert trend == [str(constructed["earlier"].id), str(constructed["audit"].id)]
    earlier = page.soup.select_one(f'#trend tr[data-audit="{constructed["earlier"].id}"]')
    assert shown(3, 4) in earlier.get_text(" ", strip=True)


def test_the_csv_holds_the_same_figures(app, force, constructed):
    figures = expected()
    client = _client(app, factories.staff(roles=("analyst",)))
    response = client.get(f"/backoffice/audits/{constructed['audit'].id}/results.csv")
    assert response.status == 200
    assert response.response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    header = rows[0]
    by_label = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:6]}
    labels = {
        "violence": "Violence, including harassment, stalking and controlling behaviour",
        "rape": "Rape, including N100 records",
        "robbery": "Robbery",
        "cancelled": "Cancelled crimes",
        "overall": "Overall (crime recording)",
    }
    for key, row in figures.items():
        got = by_label[labels[key]]
        assert got["Shown as"] == row["shown"]
        assert (got["Records drawn"], got["Judged"], got["Compliant"]) == (
            str(row["drawn"]),
            str(row["judged"]),
            str(row["compliant"]),
        )
        assert (got["Rate (%)"], got["Lower bound (%)"], got["Upper bound (%)"]) == (
            _pct(row["rate"]),
            _pct(row["lower"]),
            _pct(row["upper"]),
        )
        if key != "cancelled":
            assert got["Recorded crime in the 12 months"] == str(row["recorded"])
            assert got["Estimated crimes left unrecorded"] == (
                "" if row["unrecorded"] is None else str(row["unrecorded"])
            )
            assert got["Estimate, low"] == ("" if row["low"] is None else str(row["low"]))
            assert got["Estimate, high"] == ("" if row["high"] is None else str(row["high"]))
    flat = [row for row in rows if len(row) == 2]
    assert flat[1:] == [
        ["Judged", "4"],
        ["Wrongly made: no valid reason evidenced", "2"],
        ["Authorised at the wrong level", "1"],
        ["Victim not told with an explanation", "3"],
    ]


def test_a_title_that_looks_like_a_formula_is_safe_in_the_csv(app, force):
    found = _audit(force["fcr"], {"violence": (2, [True])}, title='=HYPERLINK("http://x")')
    response = _client(app, force["fcr"]).get(f"/backoffice/audits/{found.id}/results.csv")
    assert "'=HYPERLINK" in response.text


def test_the_command_line_prints_the_same_figures(app, force, constructed):
    figures = expected()
    audit_id = constructed["audit"].id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit-results", str(audit_id)])
    assert result.exit_code == 0, result.output
    for key, line_start in (
        ("violence", "Violence, including"),
        ("rape", "Rape, including N100 records"),
        ("overall", "Overall (crime recording)"),
    ):
        row = figures[key]
        line = next(line for line in result.output.splitlines() if line.startswith(line_start))
        assert (
            f"{row['compliant']} compliant of {row['judged']} judged ({row['drawn']} drawn): {row['shown']}"
            in line
        )
        assert f"from {_pct(row['lower'])}% to {_pct(row['upper'])}%" in line
        estimate = "-" if row["unrecorded"] is None else row["unrecorded"]
        assert f"recorded crime {row['recorded']}, estimated unrecorded {estimate}" in line
    assert (
        "Cancelled crimes judged: 4; wrongly made: 2; authorised at the wrong level: 1; victim not told: 3"
        in result.output
    )
    as_csv = runner.invoke(args=["audit-results", str(audit_id), "--csv"])
    assert as_csv.exit_code == 0
    web = _client(app, force["fcr"]).get(f"/backoffice/audits/{audit_id}/results.csv").text
    # (The runner gives the output with "\n" for the CSV's "\r\n".)
    assert as_csv.output == web.lstrip("\ufeff").replace("\r\n", "\n")
    unknown = runner.invoke(args=["audit-results", "999999"])
    assert unknown.exit_code != 0 and "There is no audit 999999" in unknown.output


@pytest.fixture
def reader(app):
    with app.app_context():
        client, secret = register(scopes=["reports:read"])
        client_id = client.client_id
    return ApiCaller(app, client_id, secret)


def test_the_api_answers_the_same_figures(app, force, constructed, reader):
    figures = expected()
    audit_id = constructed["audit"].id
    response = reader.get(f"/audits/{audit_id}/results")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    results = {row["stratum"]: row for row in body["strata"]} | {"overall": body["overall"]}
    assert list(results) == ["violence", "rape", "robbery", "cancelled", "overall"]
    for key, row in figures.items():
        got = results[key]
        assert (got["drawn"], got["judged"], got["compliant"]) == (
            row["drawn"],
            row["judged"],
            row["compliant"],
        )
        interval = got["interval"]
        assert interval["shown"] == row["shown"]
        assert interval["rate"] == pytest.approx(row["rate"], abs=1e-12)
        assert interval["lower"] == pytest.approx(row["lower"], abs=1e-12)
        assert interval["upper"] == pytest.approx(row["upper"], abs=1e-12)
        if key == "cancelled":
            assert got["unrecorded_in_a_year"] is None
        else:
            assert got["unrecorded_in_a_year"] == {
                "recorded": row["recorded"],
                "unrecorded": row["unrecorded"],
                "low": row["low"],
                "high": row["high"],
            }
    assert body["cancellations"] == {
        "judged": 4,
        "wrongly_made": 2,
        "wrong_authoriser": 1,
        "victim_not_told": 3,
    }
    assert (body["recorded_crime_from"], body["recorded_crime_to"]) == ("2025-07-15", "2026-07-14")
    assert [point["audit_id"] for point in body["trend"]] == [constructed["earlier"].id, audit_id]
    assert body["trend"][0]["overall"]["shown"] == shown(3, 4)
    assert "Registrar Carol Dunn" not in response.get_data(as_text=True)
    missing = reader.get("/audits/999999/results")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_the_api_needs_reports_read(app, force, constructed):
    with app.app_context():
        client, secret = register(scopes=["crimes:read"])
        client_id = client.client_id
    caller = ApiCaller(app, client_id, secret)
    assert caller.get(f"/audits/{constructed['audit'].id}/results").status_code == 403


def test_the_results_cost_the_same_queries_whatever_the_audit_size(app, force):
    small = _audit(force["fcr"], {"violence": (2, [True, False]), "cancelled": (1, [True])}, title="Small")
    large = _audit(
        force["fcr"],
        {
            "violence": (40, [True, False] * 15),
            "robbery": (20, [True] * 20),
            "cancelled": (12, [True, False] * 6),
        },
        title="Large",
    )
    client = _client(app, force["fcr"])
    counts = []
    for found in (small, large):
        client.get(f"/backoffice/audits/{found.id}/results")
        with count_queries(app) as counter:
            assert client.get(f"/backoffice/audits/{found.id}/results").status == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1]


def test_the_commissioners_office_sees_figures_only(app, force, constructed):
    pcc = _client(app, factories.staff(roles=("pcc",), name="Commissioner Office"))
    audit_id = constructed["audit"].id
    listing = pcc.get("/backoffice/audits/results")
    assert listing.status == 200
    assert listing.links(rf"/audits/{audit_id}/results$")
    page = pcc.get(f"/backoffice/audits/{audit_id}/results")
    assert page.status == 200
    # No record, reference or name: no link to the sample or a record, nobody named.
    assert not page.links(r"/records/") and not page.links(rf"/audits/{audit_id}$")
    assert "Registrar Carol Dunn" not in page.text and "INC/" not in page.text
    assert pcc.get(f"/backoffice/audits/{audit_id}").status == 403
    assert pcc.get(f"/backoffice/audits/{audit_id}/records/1").status == 403
    assert pcc.get(f"/backoffice/audits/{audit_id}/results.csv").status == 200
    assert pcc.get("/backoffice/audits/999999/results").status == 404


@pytest.mark.parametrize("role", ["officer", "supervisor", "ddm", "admin", "panel"])
def test_others_are_refused(app, force, constructed, role):
    client = _client(app, factories.staff(roles=(role,)))
    audit_id = constructed["audit"].id
    for path in ("/backoffice/audits/results", f"/backoffice/audits/{audit_id}/results"):
        assert client.get(path).status == 403


def test_a_victim_is_refused(app, force, constructed):
    link = factories.active_victim(factories.crime(force["officer"]), force["officer"])
    client = _client(app, link.victim)
    page = client.get(f"/backoffice/audits/{constructed['audit'].id}/results")
    assert page.status in (302, 403, 404)
    assert "Compliance by stratum" not in page.text


def test_an_audit_with_nothing_judged_says_so(app, force):
    found = _audit(force["fcr"], {"robbery": (2, [])})
    page = _client(app, force["auditor"]).get(f"/backoffice/audits/{found.id}/results")
    assert page.status == 200
    assert _page_rows(page)["overall"]["data-shown"] == "Nothing judged yet"
    assert "No audit has a judged record yet." in page.main_text


def test_the_page_in_welsh(app, force, constructed):
    client = _client(app, force["fcr"])
    page = client.get(
        f"/backoffice/audits/{constructed['audit'].id}/results", headers={"Accept-Language": "cy"}
    )
    assert page.status == 200
    assert page.title.startswith("Canlyniadau archwiliadau")
    assert "Cydymffurfio fesul haen" in page.main_text
    # The same figures, in either language.
    assert _page_rows(page)["overall"]["data-shown"] == expected()["overall"]["shown"]
