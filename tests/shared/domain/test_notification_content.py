"""No notification, email or SMS, contains the offence, crime reference or a name: the
victim may share a phone or an inbox with the person who harmed them.

Every kind of notification, by each of its channels and in each language, is made by the
code that makes it in the service (an invitation by inviting the victim, the notice of a
new message by an officer writing to them, ...) for a crime with a distinctive reference
and offence, a victim and officers with distinctive names, then sent by each sender.
Everything that leaves the service is read: the whole email with its headers (SMTP), the
request posted to GOV.UK Notify and the notification it filled in, and the development
log.
"""

import json

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from shared.config import needed_templates
from shared.domain.notification_kinds import KINDS
from shared.domain.reference_data import OFFENCES
from shared.extensions import db
from shared.models import OutboxMessage
from shared.services import (
    outbox_worker,
    secure_messages,
    staff,
    victim_accounts,
    victims_code_actions,
)
from tests import factories

REFERENCE = "43/73951/26"
OFFENCE = "robbery_personal"
VICTIM = "Eirlys Pryderi-Vaughan"
VICTIM_EMAIL = "v.101@example.com"
MOBILE = "07700 900456"
OFFICER = "Zebedee Quartermaine"
OFFICER_COLLAR = "ZQ7319"
NEW_MEMBER = "Ottoline Fairweather-Brisk"
NEW_MEMBER_COLLAR = "OF4826"
# What the officer writes to the victim: it stays on the service.
UPDATE_TEXT = "The bicycle was found at Nightingale Wharf."
MESSAGE_TEXT = "Please call me about the Marchbanks statement."


def _world(language: str, channel: str, active: bool):
    """A crime, its officer and its victim, the victim reached by `channel` in `language`."""
    officer = factories.staff(name=OFFICER, email="o.201@police.example")
    officer.collar_number = OFFICER_COLLAR
    db.session.commit()
    crime = factories.crime(officer, reference=REFERENCE, offence=OFFENCE)
    make = factories.active_victim if active else factories.victim
    link = make(crime, officer, name=VICTIM, email=VICTIM_EMAIL, language=language)
    link.victim.phone = MOBILE
    db.session.commit()
    if channel != "email":
        victims_code_actions.change_contact_plan(
            link,
            frequency_days=28,
            channel=channel,
            language=language,
            safe_to_contact=True,
            opted_out=False,
            note=None,
            by=officer,
        )
    return officer, crime, link


def _invitation(language, channel):
    officer, _crime, link = _world(language, channel, active=False)
    victim_accounts.invite(link, by=officer)


def _password_reset(language, channel):
    _world(language, channel, active=True)
    victim_accounts.request_reset(VICTIM_EMAIL)


def _staff_setup(language, channel):
    officer, _crime, _link = _world(language, channel, active=False)
    details = staff.StaffDetails(
        name=NEW_MEMBER,
        collar_number=NEW_MEMBER_COLLAR,
        email="n.301@police.example",
        team_id=officer.team_id,
        roles=["officer"],
    )
    staff.create_member(details, by=officer)


def _new_update(language, channel):
    officer, crime, _link = _world(language, channel, active=True)
    factories.update(crime, officer, text=UPDATE_TEXT, note=f"Suspect known to {VICTIM}.")


def _new_message(language, channel):
    officer, _crime, link = _world(language, channel, active=True)
    secure_messages.send_from_staff(link, MESSAGE_TEXT, officer)


def _victim_wrote(language, channel):
    officer, _crime, link = _world(language, channel, active=True)
    current_app.config["STAFF_MESSAGE_ALERTS"] = True
    try:
        secure_messages.send_from_victim(link, MESSAGE_TEXT, link.victim)
    finally:
        current_app.config["STAFF_MESSAGE_ALERTS"] = False


# How each kind of notification comes about in the service.
PRODUCE = {
    "invitation": _invitation,
    "password_reset": _password_reset,
    "staff_setup": _staff_setup,
    "new_update": _new_update,
    "new_message": _new_message,
    "victim_wrote": _victim_wrote,
}


def _forbidden() -> list[str]:
    words = [REFERENCE, OFFENCE, OFFICER_COLLAR, NEW_MEMBER_COLLAR, "Nightingale", "Marchbanks", "bicycle"]
    for name in (VICTIM, OFFICER, NEW_MEMBER):
        words += [name, *name.replace("-", " ").split()]
    for language in ("en", "cy"):
        with force_locale(language):
            words.append(str(OFFENCES[OFFENCE].label))
    return words


def _strings(value) -> list[str]:
    """Every string in decoded JSON, keys included."""
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (str(key), *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)]


def _smtp_text(server) -> list[str]:
    out = []
    for received in server.received:
        email = received.message
        headers = "\n".join(f"{name}: {value}" for name, value in email.items())
        out.append(
            "\n".join(
                [
                    received.sender,
                    *received.recipients,
                    headers,
                    email.get_content(),
                    email.as_bytes().decode("utf-8", "replace"),
                ]
            )
        )
    return out


def _notify_text(server) -> list[str]:
    out = []
    for request in server.requests:
        posted = json.loads(request.body)
        answer = request.answer or {}
        out.append(
            "\n".join(
                [request.body, *_strings(posted), json.dumps(answer, ensure_ascii=False), *_strings(answer)]
            )
        )
    return out


def _log_text(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "trackmycrime.messages"]


CASES = [
    pytest.param(name, sender, id=f"{name}-{sender}")
    for name in needed_templates()
    for sender in ("smtp", "notify", "log")
    if not (sender == "smtp" and name.split(".")[1] == "sms")
]


def test_every_kind_of_notification_is_made_here():
    assert set(PRODUCE) == set(KINDS)


@pytest.mark.parametrize(("name", "sender"), CASES)
def test_no_notification_names_the_crime_or_anyone(ctx, request, use_sender, caplog, name, sender):
    code, channel, language = name.split(".")
    caplog.set_level("INFO", logger="trackmycrime.messages")
    if sender == "smtp":
        server = request.getfixturevalue("smtp_server")
        use_sender("smtp", **server.settings())
    elif sender == "notify":
        server = request.getfixturevalue("notify_server")
        use_sender("notify", **server.settings())
    else:
        use_sender("log")

    PRODUCE[code](language, channel)
    [notification] = db.session.scalars(select(OutboxMessage)).all()
    assert notification.kind == code
    assert outbox_worker.drain()["sent"] == 1

    if sender == "smtp":
        texts = _smtp_text(server)
    elif sender == "notify":
        texts = _notify_text(server)
        [sent] = server.notifications
        assert sent.template.name == name  # the kind, channel and language meant
    else:
        texts = _log_text(caplog)
    assert len(texts) == 1
    text = texts[0]
    assert "http://localhost/" in text  # a real notification, with its link
    found = [word for word in _forbidden() if word.casefold() in text.casefold()]
    assert found == [], f"{name} by {sender} contains {found}:\n{text}"
