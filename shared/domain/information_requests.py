"""Victim information requests (Victims and Prisoners Act 2024 s.28, inserting ss.44A-44E
into the Police, Crime, Sentencing and Courts Act 2022; in force 12 January 2026).

When the police ask a third party (a counsellor, a school, a doctor, social services...)
for information about a victim, they must tell the victim in writing what is sought, why
and how it will be handled, on or before the request or as soon as reasonably
practicable after; for a victim under 18, a parent or guardian is told. The duty is the
entitlement `info_request_notice` (shared.domain.victims_code_rules); this module holds
the choices a request is recorded with.
"""

from dataclasses import dataclass
from datetime import date

from shared.domain.children import RELATIONSHIPS
from shared.translation import lazy_gettext as _l

# The law applies to requests made from this day (London calendar).
IN_FORCE = date(2026, 1, 12)

# The one entitlement the request opens.
NOTICE_RULE = "info_request_notice"


@dataclass(frozen=True)
class RecipientKind:
    code: str
    label: object  # for staff
    victim_text: object  # for the victim: who was asked, in plain words


RECIPIENT_KINDS = {
    kind.code: kind
    for kind in (
        RecipientKind("counsellor", _l("Counsellor or therapist"), _l("a counsellor or therapist")),
        RecipientKind("school", _l("School, college or university"), _l("a school, college or university")),
        RecipientKind(
            "doctor", _l("GP, doctor or other health service"), _l("a GP, doctor or health service")
        ),
        RecipientKind("social_services", _l("Social services"), _l("social services")),
        RecipientKind("other", _l("Another organisation or person"), _l("another organisation or person")),
    )
}

# A victim who is not safe to contact is told only by a route the officer chooses as
# safe; nothing goes out to them automatically. Each route is met by its own written way.
SAFE_ROUTES = {
    "intermediary": _l("Through an intermediary, such as an ISVA or IDVA"),
    "in_person": _l("In person, handing over the notice in writing"),
    "safe_address": _l("By letter to a safe address the victim gave"),
}

# Who is told for a victim under 18 on the day of the request: a parent or guardian, as
# recorded for child victims (shared.domain.children).
GUARDIAN_RELATIONSHIPS = RELATIONSHIPS

# How long the free text may be: what is sought, why and how it is handled are read by
# the victim; the third party's name and a safe route's detail by staff too.
MAX_NOTICE_TEXT = 2000
MAX_NAME = 200
