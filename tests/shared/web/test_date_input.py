"""The GOV.UK date input: a date the service fills in is written as GOV.UK writes one
(`27 3 2007`, no leading zeros), on the London calendar; what the reader typed comes back
as they typed it."""

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from shared.extensions import db
from shared.models import Crime
from shared.services import crimes
from shared.web.forms import GovDateField
from tests import factories
from tests.backoffice.test_victims_code_panel import _entitlement, _officer_client

# 00:30 on 4 June 2027 in London, still 3 June in UTC.
SMALL_HOURS_OF_THE_4TH = datetime(2027, 6, 3, 23, 30, tzinfo=UTC)


def _boxes(page, name="date") -> list[str]:
    return [
        page.soup.find("input", attrs={"id": f"{name}-{part}"})["value"] for part in ("day", "month", "year")
    ]


@pytest.mark.parametrize("form", ["entitlement", "complaint", "review"])
def test_todays_date_is_filled_in_on_the_london_calendar_without_leading_zeros(app, ctx, time_machine, form):
    time_machine.move_to(SMALL_HOURS_OF_THE_4TH, tick=False)
    officer, client = _officer_client(app)
    crime = factories.crime(officer)
    link = factories.victim(crime, officer)
    if form == "review":  # the right to review applies: an interviewed suspect, not charged
        factories.update(crime, officer, kind="arrest", text="Arrested.", visible=False)
        crimes.record_outcome(crime, 15, None, False, officer)
    url = {
        "entitlement": f"/backoffice/crimes/{crime.id}/entitlements/{_entitlement(link, 'acknowledgement').id}",
        "complaint": f"/backoffice/crimes/{crime.id}/victims/{link.id}/complaint",
        "review": f"/backoffice/crimes/{crime.id}/victims/{link.id}/review",
    }[form]
    page = client.get(url)
    assert page.status == 200
    assert _boxes(page) == ["4", "6", "2027"]


class _Form(FlaskForm):
    class Meta:
        csrf = False

    when = GovDateField("When", default=date(2007, 3, 7))


def _render(form) -> list[str]:
    soup = BeautifulSoup(str(form.when()), "html.parser")
    return [soup.find("input", attrs={"id": f"when-{part}"})["value"] for part in ("day", "month", "year")]


def test_a_date_from_the_record_is_written_without_leading_zeros(app):
    with app.test_request_context():
        assert _render(_Form()) == ["7", "3", "2007"]


def test_what_the_reader_typed_is_shown_back_as_typed(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict([("when", "07"), ("when", "03"), ("when", "2007")]))
        assert _render(form) == ["07", "03", "2007"]
        wrong = _Form(formdata=MultiDict([("when", "31"), ("when", "02"), ("when", "2027")]))
        assert not wrong.validate()
        assert _render(wrong) == ["31", "02", "2027"]


def test_a_year_too_long_or_digits_int_would_take_are_not_a_real_date(app, ctx):
    """A year of eleven digits overflowed the date type (a 500 on every dated form);
    '٣' and '2_026' are digits to `int()` but not to a reader. Nothing is recorded."""
    officer, client = _officer_client(app)
    factories.crime(officer)
    for boxes in (["1", "1", "99999999999"], ["٣", "1", "2026"], ["1", "1", "2_026"], ["1", "1", "²026"]):
        page = client.post(
            "/backoffice/crimes/new",
            {"reference": "43/99999/26", "offence": "burglary_residential", "occurred_date": boxes},
        )
        assert page.status == 400, boxes
        assert "The date the crime happened must be a real date" in page.error_summary, boxes
    assert db.session.scalar(select(func.count()).select_from(Crime)) == 1
