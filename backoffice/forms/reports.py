"""The compliance report's filter form: read from the query string, so that a report
can be bookmarked, shared with the export link, and repeated."""

import re
from datetime import date, timedelta

from flask_babel import format_date
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect
from wtforms import RadioField, SelectChoice, SelectField

from shared.services import reports
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.translation import lazy_gettext as _l
from shared.web.forms import Form, GovDateField

MONTHS_OFFERED = 36
QUARTERS_OFFERED = 12
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

PERIODS = {
    "month": _l("A month"),
    "quarter": _l("A quarter"),
    "custom": _l("Dates you choose"),
}


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, _month_end(date(year, 3 * quarter, 1))


def month_choices(today: date) -> list[SelectChoice]:
    out, first = [], today.replace(day=1)
    for _n in range(MONTHS_OFFERED):
        out.append(SelectChoice(f"{first:%Y-%m}", format_date(first, "MMMM yyyy")))
        first = (first - timedelta(days=1)).replace(day=1)
    return out


def quarter_choices(today: date) -> list[SelectChoice]:
    out = []
    year, quarter = _quarter_of(today)
    for _n in range(QUARTERS_OFFERED):
        first, last = _quarter_dates(year, quarter)
        label = _(
            "%(first)s to %(last)s %(year)d",
            first=format_date(first, "MMMM"),
            last=format_date(last, "MMMM"),
            year=year,
        )
        out.append(SelectChoice(f"{year}-Q{quarter}", label))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return out


class ReportForm(Form):
    period = RadioField(
        _l("Period"),
        description=_l("Then choose the month, the quarter or the dates below"),
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in PERIODS.items()],
        default="month",
        validate_choice=False,
    )
    month = SelectField(_l("Month"), widget=GovSelect(), validate_choice=False)
    quarter = SelectField(_l("Quarter"), widget=GovSelect(), validate_choice=False)
    from_date = GovDateField(
        _l("From"),
        description=_l("For dates you choose. For example, 1 4 2026"),
        invalid_message=_l("The ‘from’ date must be a real date"),
    )
    to_date = GovDateField(
        _l("To"),
        description=_l("Including the whole day"),
        invalid_message=_l("The ‘to’ date must be a real date"),
    )
    split = SelectField(
        _l("Split by"),
        widget=GovSelect(),
        choices=[SelectChoice(value, label) for value, label in reports.SPLITS.items()],
        default="none",
        validate_choice=False,
    )

    def __init__(self, formdata, today: date, **kwargs):
        self.today = today
        # A report changes nothing, so it needs no CSRF token.
        super().__init__(
            formdata=formdata,
            meta={"csrf": False},
            month=f"{today:%Y-%m}",
            quarter="{}-Q{}".format(*_quarter_of(today)),
            **kwargs,
        )
        self.month.choices = month_choices(today)
        self.quarter.choices = quarter_choices(today)
        self.start: date | None = None
        self.end: date | None = None

    def validate(self, extra_validators=None) -> bool:
        """Valid when the period is a month, a quarter or dates that `reports` accepts;
        sets `start` and `end` (local dates, both included)."""
        if not super().validate(extra_validators):
            return False
        if self.split.data not in reports.SPLITS:
            self.split.errors.append(_("Select how to split the report"))
            return False
        period = self.period.data
        if period == "month":
            dates = self._month()
        elif period == "quarter":
            dates = self._quarter()
        elif period == "custom":
            dates = self._custom()
        else:
            self.period.errors.append(_("Select the period"))
            return False
        if dates is None:
            return False
        self.start, self.end = dates
        return True

    def _month(self):
        match = _MONTH.match(self.month.data or "")
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            self.month.errors.append(_("Select the month"))
            return None
        first = date(int(match.group(1)), int(match.group(2)), 1)
        if first > self.today:
            self.month.errors.append(_("The month must be this month or earlier"))
            return None
        return first, _month_end(first)

    def _quarter(self):
        match = _QUARTER.match(self.quarter.data or "")
        if not match or int(match.group(1)) < 2000:
            self.quarter.errors.append(_("Select the quarter"))
            return None
        # Compared before any date is worked out: the end of a quarter in year 9999
        # would be past the last date there is.
        asked = (int(match.group(1)), int(match.group(2)))
        if asked > _quarter_of(self.today):
            self.quarter.errors.append(_("The quarter must be this quarter or earlier"))
            return None
        return _quarter_dates(*asked)

    def _custom(self):
        start, end = self.from_date.data, self.to_date.data
        if start is None:
            self.from_date.errors.append(_("Enter the ‘from’ date"))
        elif start > self.today:
            self.from_date.errors.append(_("The ‘from’ date must be today or in the past"))
        if end is None:
            self.to_date.errors.append(_("Enter the ‘to’ date"))
        if self.from_date.errors or self.to_date.errors:
            return None
        try:
            reports.check_period(start, end)
        except ServiceError as error:
            getattr(self, error.field).errors.append(error.message)
            return None
        return start, end
