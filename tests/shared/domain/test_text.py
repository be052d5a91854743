"""Names and free text are kept without the invisible characters that change how text
is drawn (bidirectional controls) or that have no place in it (control characters),
whichever way they came in: a form, the records-system API, a service call."""

import json

import pytest
from sqlalchemy import select

from shared.domain.text import BIDI_CONTROLS, clean_line, clean_text
from shared.extensions import db
from shared.models import SecureMessage, Victim
from shared.services import secure_messages
from tests import factories
from tests.api_helpers import victim_body
from tests.signed_in import sign_in_as

# "Trojan Source": an override that shows "evil" backwards, an isolate, the marks.
SPOOFS = ["\u202eevil\u202c", "\u2066a\u2069", "x\u200e\u200fy\u061c", "\u202a\u202b\u202d"]
CONTROLS = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9b"]


@pytest.mark.parametrize("character", [*BIDI_CONTROLS, *"\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x80\x85\x9f"])
def test_every_bidirectional_and_control_character_is_removed(character):
    assert clean_text(f"a{character}b") == "ab"
    assert clean_line(f"a{character}b") == "ab"


def test_free_text_keeps_its_line_breaks_and_tabs_a_line_keeps_none():
    assert clean_text("one\r\ntwo\n\tthree") == "one\r\ntwo\n\tthree"
    assert clean_line("Alex\tJones\r\nSmith\n") == "Alex Jones Smith "


def test_letters_of_every_script_and_joiners_are_kept():
    text = "Siân Müller – محمد 李 👩\u200d👩\u200d👧 नमस्ते"
    assert clean_text(text) == text and clean_line(text) == text


def test_a_name_and_a_message_are_stored_and_shown_without_them(app, ctx, victim_client):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, name="Alex\u202e Jones\u2066")
    assert link.victim.name == "Alex Jones"
    sign_in_as(victim_client, link.victim)
    path = f"/cases/{link.public_id}/messages"
    body = "Hello\u202e, the \x1bcode\u2069 is\r\nhere\x00"
    assert victim_client.post(path, {"body": body.replace("\x00", "")}).status == 302
    secure_messages.send_from_staff(link, "Reply\u202e\u200f \u2067ok\u2069", officer)

    db.session.expire_all()
    assert db.session.scalar(select(Victim.name).where(Victim.id == link.victim_id)) == "Alex Jones"
    bodies = db.session.scalars(select(SecureMessage.body).order_by(SecureMessage.id)).all()
    assert bodies == ["Hello, the code is\nhere", "Reply ok"]
    page = victim_client.get(path)
    assert not any(c in page.text for c in BIDI_CONTROLS + "\x1b")


def test_the_records_system_api_stores_names_without_them(app, ctx, api):
    from tests.api.test_api_records import create, ok

    reference = create(api)["reference"]
    written = ok(
        api.post(
            f"/crimes/{reference}/victims",
            victim_body(
                "P1", name="Alex \u202eJones\u202c", communication_needs="Calls\u2066 after 2pm\u2069"
            ),
        ),
        201,
    )
    assert written["victim"]["name"] == "Alex Jones"
    db.session.expire_all()
    victim = db.session.scalar(select(Victim).where(Victim.name.like("Alex%")))
    assert (victim.name, victim.communication_needs) == ("Alex Jones", "Calls after 2pm")
    assert not any(c in json.dumps(ok(api.get(f"/crimes/{reference}"))) for c in BIDI_CONTROLS)
