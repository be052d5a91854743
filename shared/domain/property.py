"""Property: what a crime took or damaged, and what the police hold (Victims' Code right 10).

An item has a kind (how it came into the case) and a status (where it is now). A stolen
item that is found and kept as evidence stays `stolen`, and its status moves to `held`,
then to `return_arranging`, `returned` or `disposed`. Items taken or damaged are the ones
the victim's letter for her insurer lists (LOSS_KINDS). The staff label is what the back
office shows; the victim reads the plain words.
"""

from dataclasses import dataclass

from shared.translation import lazy_gettext as _l


@dataclass(frozen=True)
class ItemKind:
    code: str
    label: object  # for staff
    victim_label: object  # for the victim, and in the letter for her insurer


KINDS = {
    kind.code: kind
    for kind in (
        ItemKind("stolen", _l("Stolen"), _l("Stolen")),
        ItemKind("damaged", _l("Damaged"), _l("Damaged")),
        ItemKind("seized", _l("Seized as evidence"), _l("Taken by the police as evidence")),
        ItemKind("found", _l("Found"), _l("Found by the police")),
    )
}
# What the crime cost the victim: listed in the letter for her insurer.
LOSS_KINDS = ("stolen", "damaged")
# Items the police have by their nature: never "not held".
HELD_KINDS = frozenset({"seized", "found"})


@dataclass(frozen=True)
class ItemStatus:
    code: str
    label: object  # for staff
    victim_label: object  # for the victim, in plain words


STATUSES = {
    status.code: status
    for status in (
        ItemStatus("not_held", _l("Not held by the police"), _l("We do not have it")),
        ItemStatus("held", _l("Held"), _l("We have it")),
        ItemStatus(
            "return_arranging",
            _l("Return being arranged"),
            _l("We are arranging to give it back to you"),
        ),
        ItemStatus("returned", _l("Returned"), _l("Given back to you")),
        ItemStatus("disposed", _l("Disposed of"), _l("Disposed of")),
    )
}
# The statuses of an item the police have, or had: each needs the date they took it in.
HELD_STATUSES = frozenset({"held", "return_arranging", "returned", "disposed"})
# The statuses that close an item, each with the date it needs (and no other status has).
CLOSING_DATES = {"returned": "returned_at", "disposed": "disposed_at"}
# The statuses in which the victim is told how to get the item back.
RETURNABLE_STATUSES = frozenset({"held", "return_arranging"})

# The most an item's value may be, in pence: ten million pounds.
MAX_VALUE_PENCE = 1_000_000_000


def pounds(value_pence: int) -> str:
    """A value in pence as people write it, in English and in Welsh: £1,250.00."""
    return f"£{value_pence // 100:,}.{value_pence % 100:02d}"
