"""Why a crime is not being investigated further: the force's published factors.

When an officer records the decision not to investigate further (the key event
`not_investigated`, or an outcome that tells the victim of it), they pick the factors it
rests on, and the victim reads each one in plain words (victims-code.md section 9). Forces
publish the factors they use: the NOT_INVESTIGATED_FACTORS setting chooses them, in order,
from this list; by default the four most forces publish.
"""

from dataclasses import dataclass

from shared.translation import lazy_gettext as _l


@dataclass(frozen=True)
class Factor:
    code: str
    label: object  # for staff, on the form
    victim_text: object  # for the victim: what it meant for their case, in plain words


FACTORS = {
    factor.code: factor
    for factor in (
        Factor(
            "vulnerability",
            _l("Vulnerability"),
            _l(
                "We looked at whether you, or anyone else, is at risk of harm. We did not find a risk "
                "that means the crime has to be investigated further."
            ),
        ),
        Factor(
            "severity",
            _l("Severity"),
            _l(
                "We looked at how serious the crime is and the harm it caused. We put our investigations "
                "first into the crimes that cause the most harm."
            ),
        ),
        Factor(
            "solvability",
            _l("Solvability"),
            _l(
                "We looked at whether the information we have, such as witnesses, camera footage or "
                "forensic evidence, could lead us to the person responsible. At the moment it could not."
            ),
        ),
        Factor(
            "resources",
            _l("Best use of resources"),
            _l(
                "We have to use our officers’ time where it does the most good for everyone. Investigating "
                "further would take time we need for other crimes, with little chance of a result."
            ),
        ),
        Factor(
            "victim_wishes",
            _l("The victim’s wishes"),
            _l("You told us that you did not want us to take the investigation further."),
        ),
    )
}
DEFAULT_FACTORS = ("vulnerability", "severity", "solvability", "resources")
SETTING = "NOT_INVESTIGATED_FACTORS"


def parse(value: str | None) -> tuple[str, ...]:
    """NOT_INVESTIGATED_FACTORS (`solvability, resources`) as the factors' codes, in the
    order given; the default four when unset. Raises ValueError for an unknown factor, one
    given twice, or none at all."""
    if value is None or not value.strip():
        return DEFAULT_FACTORS
    codes = tuple(code.strip() for code in value.split(",") if code.strip())
    unknown = [code for code in codes if code not in FACTORS]
    if unknown:
        raise ValueError(f"{SETTING}: unknown factor {unknown[0]!r}; known: {', '.join(FACTORS)}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"{SETTING}: each factor may be given once")
    if not codes:
        raise ValueError(f"{SETTING}: give at least one factor")
    return codes
