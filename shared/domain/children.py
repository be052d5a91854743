"""Victims under 18 (victims-code.md sections 1 and 3): the parent or guardian who receives
their rights, and whom the police contact.

Under the 2020 Code the parent or guardian of a victim under 18 is a victim in the Code's
sense and receives the rights. The consultation on a new Code proposes contacting a child
directly from age 12, alongside the parents: a force may turn that on
(`CHILD_DIRECT_CONTACT`), and the choice of who is contacted is then recorded per victim
per crime.
"""

from datetime import date

from shared.translation import lazy_gettext as _l

# A victim is a child until this birthday: then the rights, and the case, are their own.
ADULT_AGE = 18
# The youngest a child may be contacted directly, where the force allows it.
DIRECT_CONTACT_AGE = 12

RELATIONSHIPS = {
    "parent": _l("Parent"),
    "guardian": _l("Legal guardian"),
    "local_authority": _l("Local authority (the child is in care)"),
    "other": _l("Someone else with parental responsibility"),
}

# Who the police contact about the case: the parent or guardian only (the 2020 Code), or,
# with direct contact turned on and a child of 12 or more, the child too or instead.
GUARDIAN_ONLY = "guardian"
CONTACTED = {
    GUARDIAN_ONLY: _l("The parent or guardian"),
    "child": _l("The child"),
    "both": _l("Both the child and the parent or guardian"),
}
# Which people each choice reaches: the parent or guardian, the victim themself.
REACHES = {
    GUARDIAN_ONLY: frozenset({"guardian"}),
    "child": frozenset({"victim"}),
    "both": frozenset({"guardian", "victim"}),
}


def age_on(born: date, day: date) -> int:
    """Age in whole years on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def turns(born: date, years: int) -> date:
    """The day someone born on `born` is `years` old (1 March for 29 February in a
    year without one, as the law of England and Wales counts it)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)
