"""The letter a victim downloads for her insurer: a PDF, in English and in Welsh, saying
what was reported (crime reference, offence, date reported, officer in charge) and the
items the crime took or damaged that are hers.

It holds only what the victim herself sees in the portal: never an officer's note (kept
in a table this module does not read), another victim's item, an item of no victim, nor
anything staff keep for themselves. Written with fpdf2 in DejaVu Sans (LETTER_FONT_DIR),
a Unicode font, so that Welsh's ŵ and ŷ are written as they are.
"""

import os
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date
from fpdf import FPDF

from shared.domain.property import KINDS, LOSS_KINDS, pounds
from shared.domain.reference_data import LANGUAGES, OFFENCES
from shared.models import Crime, CrimeVictim, PropertyItem
from shared.services import calendar
from shared.translation import gettext as _

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Lines of text, in millimetres, on an A4 page with 20 mm margins.
LINE = 6


@dataclass(frozen=True)
class Letter:
    """What goes in the letter, read from what the victim may see."""

    victim_name: str
    reference: str
    offence: str  # its code: each language's label is looked up
    reported_on: date
    officer: str
    collar_number: str
    written_on: date
    force_name: str | None
    items: tuple[PropertyItem, ...]


def letter_of(
    link: CrimeVictim, crime: Crime, items: list[PropertyItem], today: date, force_name: str | None
) -> Letter:
    """The letter for this victim of the crime: of `items` (hers, as
    shared.services.property.items_of_victim finds them) only those taken or damaged."""
    own = tuple(item for item in items if item.kind in LOSS_KINDS and item.crime_victim_id == link.id)
    return Letter(
        victim_name=link.victim.name,
        reference=crime.reference,
        offence=crime.offence,
        reported_on=calendar.local_date(crime.reported_at),
        officer=crime.officer_in_charge.name,
        collar_number=crime.officer_in_charge.collar_number,
        written_on=today,
        force_name=force_name,
        items=own,
    )


def _long(day: date) -> str:
    return format_date(day, "d MMMM yyyy")


def _what_became_of(item: PropertyItem) -> str:
    """Where the item is now, as an insurer needs it: found or not, given back or not."""
    if item.status == "not_held":
        return _("Not recovered") if item.kind == "stolen" else ""
    if item.status == "returned" and item.returned_at is not None:
        return _("Recovered and given back on %(date)s", date=_long(calendar.local_date(item.returned_at)))
    if item.status == "disposed":
        return _("Recovered by the police and disposed of")
    return _("Recovered: held by the police")


def _write_section(pdf: FPDF, letter: Letter) -> None:
    """One language's letter, on a page of its own, in the language of the moment."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(0, LINE, letter.force_name or _("Police"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, _("Crime report for an insurance claim"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, "", 11)
    paragraphs = [
        _("Date of this letter: %(date)s", date=_long(letter.written_on)),
        _("To whom it may concern"),
        _(
            "%(name)s reported a crime to the police. These are the details of the crime and of the items "
            "that were stolen or damaged.",
            name=letter.victim_name,
        ),
    ]
    for text in paragraphs:
        pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    facts = [
        (_("Crime reference"), letter.reference),
        (_("Offence"), str(OFFENCES[letter.offence].label)),
        (_("Date reported"), _long(letter.reported_on)),
        (
            _("Officer in charge"),
            _("%(name)s, collar number %(collar)s", name=letter.officer, collar=letter.collar_number),
        ),
    ]
    with pdf.table(col_widths=(45, 125), text_align="LEFT", first_row_as_headings=False) as table:
        for label, value in facts:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 8, _("Items stolen or damaged"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    if not letter.items:
        pdf.multi_cell(
            0, LINE, _("No items stolen or damaged have been recorded."), new_x="LMARGIN", new_y="NEXT"
        )
    else:
        with pdf.table(col_widths=(58, 37, 25, 50), text_align="LEFT") as table:
            heading = table.row()
            for text in (_("Item"), _("What happened"), _("Value"), _("Found or not")):
                heading.cell(text)
            for item in letter.items:
                row = table.row()
                row.cell(item.description)
                row.cell(str(KINDS[item.kind].victim_label))
                row.cell(pounds(item.value_pence) if item.value_pence is not None else _("Not given"))
                row.cell(_what_became_of(item))
    pdf.ln(4)
    for text in (
        _("The values are as they were given to the police. They are not a valuation."),
        _("To check this letter, call the police on 101 and give the crime reference."),
    ):
        pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def render(letter: Letter, font_dir: str, first_language: str) -> bytes:
    """The PDF: the letter in `first_language` (the reader's), then in the other."""
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, os.path.join(font_dir, name))
    languages = [first_language, *(code for code in LANGUAGES if code != first_language)]
    with force_locale(first_language):
        pdf.set_title(_("Crime report for an insurance claim"))
    pdf.set_lang(first_language)
    pdf.set_creator("Track My Crime")
    for language in languages:
        with force_locale(language):
            _write_section(pdf, letter)
    return bytes(pdf.output())
