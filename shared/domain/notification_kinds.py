"""Every kind of message the service sends, in one place: who it is for, the channels
it may go by, what it is filled in with and its words in each language.

A message says only that there is something to see and where to sign in. It never
carries an offence, a crime reference or anyone's name: the victim may share a phone
or an inbox with the person who harmed them.

The same words are GOV.UK Notify's templates: `flask notify-templates` prints each one
with Notify's ((placeholders)), to paste into the templates a force sets up there.
"""

import re
from dataclasses import dataclass

from flask_babel.speaklater import LazyString

from shared.translation import gettext
from shared.translation import lazy_gettext as _l


@dataclass(frozen=True)
class MessageKind:
    code: str
    # "victim" or "staff".
    audience: str
    # "account": about the person's account, always by email (they sign in with it).
    # "case": about a crime, by the channel in the victim's contact plan for it.
    about: str
    # What the message is filled in with, by name.
    fields: tuple[str, ...]
    # What it is, as staff read it when it could not be sent: "<name> was not sent <this>".
    label: object
    subject: object
    email_body: object
    sms_body: object | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        return ("email", "sms") if self.sms_body is not None else ("email",)


KINDS: dict[str, MessageKind] = {
    kind.code: kind
    for kind in (
        MessageKind(
            "invitation",
            "victim",
            "account",
            ("link", "hours"),
            _l("their invitation to follow the case online"),
            _l("Set up your account"),
            _l(
                "You have been invited to follow your case online.\n\n"
                "To set up your account, open this link and choose a password:\n%(link)s\n\n"
                "The link works once and expires in %(hours)s hours."
            ),
        ),
        MessageKind(
            "password_reset",
            "victim",
            "account",
            ("link", "minutes"),
            _l("a link to reset their password"),
            _l("Reset your password"),
            _l(
                "Someone asked to reset the password for your account.\n\n"
                "To choose a new password, open this link:\n%(link)s\n\n"
                "The link works once and expires in %(minutes)s minutes. "
                "If you did not ask for this, you can ignore this email."
            ),
        ),
        MessageKind(
            "staff_setup",
            "staff",
            "account",
            ("link", "hours"),
            _l("a link to set up their account"),
            _l("Set up your staff account"),
            _l(
                "An administrator has created a staff account for you on Track My Crime.\n\n"
                "To set it up, open this link and choose a password:\n%(link)s\n\n"
                "The link works once and expires in %(hours)s hours. When you first sign in, "
                "you will set up an authenticator app on your phone."
            ),
        ),
        MessageKind(
            "new_update",
            "victim",
            "case",
            ("link",),
            _l("a notice of a new update"),
            _l("You have a new update"),
            _l(
                "There is a new update for you on Track My Crime.\n\n"
                "Sign in to read it:\n%(link)s\n\n"
                "We do not put any details in emails, to keep your information safe."
            ),
            _l("There is a new update for you on Track My Crime. Sign in to read it: %(link)s"),
        ),
        MessageKind(
            "new_message",
            "victim",
            "case",
            ("link",),
            _l("a notice of a new message"),
            _l("You have a new message"),
            _l(
                "You have a new message on Track My Crime.\n\n"
                "Sign in to read it and reply:\n%(link)s\n\n"
                "We do not put any details in emails, to keep your information safe."
            ),
            _l("You have a new message on Track My Crime. Sign in to read it: %(link)s"),
        ),
        # To the officer in charge when a victim writes, if the force turns it on
        # (STAFF_MESSAGE_ALERTS): no offence, reference or name, as for the victims.
        MessageKind(
            "victim_wrote",
            "staff",
            "case",
            ("link",),
            _l("a notice of a new message from a victim"),
            _l("A victim has sent you a message"),
            _l(
                "A victim has sent you a message on Track My Crime.\n\n"
                "Sign in to read it:\n%(link)s\n\n"
                "We do not put any details in emails, to keep victims' information safe."
            ),
        ),
    )
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def render(kind: MessageKind, channel: str, values: dict) -> tuple[str | None, str]:
    """The subject (None for a text message) and body, in the language of the current
    locale, filled in with `values`."""
    values = {name: str(values.get(name, "")) for name in kind.fields}
    if channel == "sms":
        return None, gettext(_msgid(kind.sms_body), **values)
    return gettext(_msgid(kind.subject)), gettext(_msgid(kind.email_body), **values)


def notify_template(kind: MessageKind, channel: str) -> tuple[str | None, str]:
    """The subject and body for the GOV.UK Notify template, in the current locale, with
    Notify's ((placeholders))."""
    body = gettext(_msgid(kind.sms_body if channel == "sms" else kind.email_body))
    body = _PLACEHOLDER.sub(r"((\1))", body)
    return (None if channel == "sms" else gettext(_msgid(kind.subject))), body


def _msgid(lazy: LazyString) -> str:
    """The English text behind a lazy string, to translate now."""
    return lazy._args[0]
