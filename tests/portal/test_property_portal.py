"""A victim's property in the portal: her own items only, where each is now and how to
get it back, and the letter for her insurer read back from the PDF in English and in
Welsh, holding nothing she may not see.

The clock is fixed: Tuesday 1 December 2026, 12:00 (GMT).
"""

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shared.config import DEFAULT_LETTER_FONT_DIR, ConfigError, Settings, _letter_font_dir
from shared.extensions import db
from shared.models import AuditEvent
from tests import factories
from tests.pages import PageClient
from tests.signed_in import sign_in_as

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)

NOTE = "Exhibit JD/1: suspect's prints found on the lid"
RETURN_DETAILS = "Collect it from Cardiff Bay police station, Monday to Friday, 9am to 4pm."


@pytest.fixture
def case(ctx):
    """A burglary with two victims: Jane's laptop (recovered, its return being arranged,
    with an officer's note), her damaged door, her bike returned; Sam's watch; and a
    crowbar of the suspect's that belongs to no victim."""
    officer = factories.staff(roles=("officer",), name="Sam Taylor")
    crime = factories.crime(officer, reference="43/77001/26")
    jane = factories.active_victim(crime, officer, name="Jane Doe")
    sam = factories.active_victim(crime, officer, name="Sam Other")
    held = NOW - timedelta(days=1)
    factories.property_item(
        crime,
        officer,
        jane,
        description="Silver laptop",
        status="return_arranging",
        held_at=held,
        return_details=RETURN_DETAILS,
        officer_note=NOTE,
    )
    factories.property_item(
        crime, officer, jane, kind="damaged", description="Drws cefn y tŷ (back door)", value_pence=42050
    )
    factories.property_item(
        crime,
        officer,
        jane,
        description="Blue bicycle",
        status="returned",
        held_at=held,
        returned_at=NOW - timedelta(hours=2),
        value_pence=None,
    )
    factories.property_item(crime, officer, sam, description="Gold watch")
    factories.property_item(
        crime,
        officer,
        None,
        kind="seized",
        description="Crowbar",
        status="held",
        held_at=held,
        value_pence=None,
    )
    return {"crime": crime, "jane": jane, "sam": sam}


def _victim(app, link, language: str | None = None) -> PageClient:
    client = PageClient(app, portal=True)
    if language:
        client.http.set_cookie("lang", language)
    sign_in_as(client, link.victim)
    client.forbidden_in_title = [link.crime.reference]
    return client


def test_she_sees_her_own_items_and_how_to_get_them_back(app, case):
    jane = case["jane"]
    client = _victim(app, jane)
    page = client.get(f"/cases/{jane.public_id}")
    assert "We have recorded 3 things of yours for this crime" in page.main_text
    page = client.get(f"/cases/{jane.public_id}/property")
    assert page.status == 200
    assert page.h1 == "Your property"
    text = page.main_text
    for shown in (
        "Silver laptop",
        "Drws cefn y tŷ (back door)",
        "Blue bicycle",
        "£420.50",
        RETURN_DETAILS,
        "We are arranging to give it back to you",
    ):
        assert shown in text, shown
    assert "Given back to you" in text and "On 1 December 2026" in text
    assert "bring photo ID" in text
    # Not another victim's item, nor the suspect's, nor the officer's note.
    for hidden in ("Gold watch", "Crowbar", NOTE):
        assert hidden not in text, hidden
    assert page.links(r"letter-for-your-insurer\.pdf$")


def test_another_victims_page_is_not_hers(app, case):
    client = _victim(app, case["jane"])
    assert client.get(f"/cases/{case['sam'].public_id}/property").status == 404
    assert client.get(f"/cases/{case['sam'].public_id}/property/letter-for-your-insurer.pdf").status == 404


def _letter(app, link, language: str) -> tuple[object, str]:
    response = _victim(app, link, language).get(
        f"/cases/{link.public_id}/property/letter-for-your-insurer.pdf"
    )
    assert response.status == 200
    headers = response.response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.response.get_data()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


ENGLISH = [
    "Crime report for an insurance claim",
    "Jane Doe reported a crime to the police",
    "Crime reference",
    "43/77001/26",
    "Offence",
    "Residential burglary",
    "Date reported",
    "29 November 2026",
    "Items stolen or damaged",
    "Silver laptop",
    "Blue bicycle",
    "£420.50",
    "£850.00",
    "Recovered and given back on 1 December 2026",
    "Sam Taylor",
]
WELSH = [
    "Adroddiad trosedd ar gyfer hawliad yswiriant",
    "Rhoddodd Jane Doe wybod i’r heddlu am drosedd",
    "Cyfeirnod trosedd",
    "Dyddiad rhoi gwybod",
    "29 Tachwedd 2026",
    "Eitemau a gafodd eu dwyn neu eu difrodi",
    "Wedi’i ddwyn",
    "Wedi’i ddifrodi",
    "1 Rhagfyr 2026",
]
# Nothing she may not see: the officer's note, another victim's item, the suspect's, and
# how to collect (not for her insurer).
NEVER = [NOTE, "Gold watch", "Crowbar", "Sam Other", RETURN_DETAILS, "Exhibit"]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_letter_for_her_insurer_reads_back_in_both_languages_with_nothing_she_may_not_see(
    app, case, language
):
    reader, text = _letter(app, case["jane"], language)
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    # Her language first, then the other.
    assert ("Crime report for an insurance claim" in first) == (language == "en")
    assert ("Adroddiad trosedd ar gyfer hawliad yswiriant" in first) == (language == "cy")
    flat = " ".join(text.split())
    for words in ENGLISH + WELSH:
        assert words in flat, words
    for words in NEVER:
        assert words not in flat, words
    # A Welsh letter the PDF core fonts cannot write (ŷ) comes back as written.
    assert "tŷ" in text
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "victim.insurer_letter")
        )


def test_the_other_victim_gets_only_her_own_items_in_her_letter(app, case):
    _reader, text = _letter(app, case["sam"], "en")
    flat = " ".join(text.split())
    assert "Gold watch" in flat
    for words in ("Silver laptop", "Drws cefn", "Blue bicycle", "Crowbar", "Jane Doe", NOTE):
        assert words not in flat, words


def test_a_letter_font_folder_without_the_fonts_stops_the_service_at_start_up(tmp_path):
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"")
    with pytest.raises(ConfigError, match=r"LETTER_FONT_DIR .*DejaVuSans-Bold\.ttf is not in"):
        _letter_font_dir(Settings({"LETTER_FONT_DIR": str(tmp_path)}, environ={}))
    assert _letter_font_dir(Settings({}, environ={})) == DEFAULT_LETTER_FONT_DIR
