"""Who may authorise the cancellation of a crime record, by the gravity of the offence and
the reason for cancelling (victims-code.md section 6: the May 2023 crime recording rules
make it depend on gravity; the exact matrix is not confirmed, so each force sets its own).

The matrix is written compactly, as the CANCELLATION_AUTHORISERS setting takes it: entries
separated by commas, each `BAND=ROLES` for every reason in a band, or `BAND:REASONS=ROLES`
for some of them (reasons and roles joined by `+`). An entry naming reasons wins over the
band's entry, whatever the order. Every reason of every band must be covered.
"""

from collections.abc import Iterable, Set

from shared.domain.permissions import ROLE_PERMISSIONS
from shared.domain.reference_data import GRAVITY_BANDS
from shared.domain.victims_code_rules import CANCELLATION_REASONS

SETTING = "CANCELLATION_AUTHORISERS"
REASONS = tuple(CANCELLATION_REASONS)
# The roles that can reach the cancellation page at all: a matrix naming any other would
# ask for an authoriser who can never act.
CANCELLING_ROLES = tuple(role for role, held in ROLE_PERMISSIONS.items() if "crimes.cancel" in held)

# The default, until the national matrix is confirmed. Transfers (C1) and duplicates (C3)
# are facts anyone can check: a Designated Decision Maker or the Force Crime Registrar, for
# any offence. Deciding that no crime occurred (C2) is the decision the inspectorate most
# often found wrong: for serious and the most serious offences only the FCR takes it, and
# for the most serious a record made in error (C4) too.
DEFAULT = "standard=ddm+fcr, serious=ddm+fcr, serious:C2=fcr, most_serious=fcr, most_serious:C1+C3=ddm+fcr"

# (band, reason) -> the roles that may authorise it.
Matrix = dict[tuple[str, str], frozenset[str]]


def _split(text: str, what: str, known: Iterable[str], entry: str) -> list[str]:
    parts = [part.strip() for part in text.split("+")]
    known = tuple(known)
    for part in parts:
        if what == "role" and part in ROLE_PERMISSIONS and part not in known:
            raise ValueError(
                f"{SETTING}: role {part!r} in {entry!r} cannot cancel a crime (it lacks crimes.cancel); "
                f"roles that can: {', '.join(known)}"
            )
        if part not in known:
            raise ValueError(f"{SETTING}: unknown {what} {part!r} in {entry!r}; known: {', '.join(known)}")
    if len(set(parts)) != len(parts):
        raise ValueError(f"{SETTING}: {entry!r} names a {what} twice")
    return parts


def parse(value: str | None) -> Matrix:
    """The matrix a CANCELLATION_AUTHORISERS value gives (DEFAULT when None). Raises
    ValueError naming the setting and what is wrong: an entry that is not `BAND=ROLES` or
    `BAND:REASONS=ROLES`, an unknown band, reason or role (or one that cannot cancel),
    the same band or reason given twice, or a band with a reason nobody may authorise."""
    text = DEFAULT if value is None else value
    by_band: dict[str, frozenset[str]] = {}
    by_reason: Matrix = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key, sep, roles_text = entry.partition("=")
        band, colon, reasons_text = key.strip().partition(":")
        band = band.strip()
        if not sep or not band or (colon and not reasons_text.strip()) or not roles_text.strip():
            raise ValueError(f"{SETTING}: entry {entry!r} must be BAND=ROLES or BAND:REASONS=ROLES")
        if band not in GRAVITY_BANDS:
            raise ValueError(
                f"{SETTING}: unknown band {band!r} in {entry!r}; known: {', '.join(GRAVITY_BANDS)}"
            )
        roles = frozenset(_split(roles_text, "role", CANCELLING_ROLES, entry))
        if not colon:
            if band in by_band:
                raise ValueError(f"{SETTING}: band {band} is given twice")
            by_band[band] = roles
            continue
        for reason in _split(reasons_text, "reason", REASONS, entry):
            if (band, reason) in by_reason:
                raise ValueError(f"{SETTING}: {band}:{reason} is given twice")
            by_reason[band, reason] = roles
    matrix: Matrix = {}
    for band in GRAVITY_BANDS:
        missing: list[str] = []
        for reason in REASONS:
            given = by_reason.get((band, reason), by_band.get(band))
            if given is None:
                missing.append(reason)
            else:
                matrix[band, reason] = given
        if missing:
            raise ValueError(
                f"{SETTING}: nobody may authorise {'+'.join(missing)} for band {band}: "
                f"give {band}=ROLES or {band}:{'+'.join(missing)}=ROLES"
            )
    return matrix


def authorisers(matrix: Matrix, band: str, reason: str) -> tuple[str, ...]:
    """The roles that may authorise cancelling for `reason` a crime of `band`, in the
    order of CANCELLING_ROLES."""
    allowed = matrix[band, reason]
    return tuple(role for role in CANCELLING_ROLES if role in allowed)


def authorising_role(matrix: Matrix, band: str, reason: str, held: Set[str]) -> str | None:
    """The role under which someone holding `held` may authorise it, or None: the most
    senior they hold (CANCELLING_ROLES runs from a DDM up to the FCR)."""
    return next((role for role in reversed(authorisers(matrix, band, reason)) if role in held), None)


def rule(band: str, reason: str, roles: Iterable[str]) -> str:
    """The rule as kept with a cancellation, in the setting's own form (`serious:C2=fcr`),
    so a later audit can judge it against the matrix of its day."""
    return f"{band}:{reason}={'+'.join(roles)}"
