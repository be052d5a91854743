"""Who may authorise cancelling a crime record: the gravity band of each offence, and the
matrix of roles by band and reason, as the default gives it and as a force writes its own."""

import pytest

from shared.domain import cancellation_authority
from shared.domain.reference_data import GRAVITY_BANDS, OFFENCES, gravity_of

BOTH = frozenset({"ddm", "fcr"})
FCR = frozenset({"fcr"})


def test_every_offence_is_in_a_known_band_and_the_gravest_need_the_strictest_rule():
    assert {gravity_of(code) for code in OFFENCES} <= set(GRAVITY_BANDS)
    for code in ("rape", "attempted_murder", "modern_slavery"):
        assert gravity_of(code) == "most_serious", code
    for code in ("sexual_assault", "robbery_personal", "stalking", "coercive_control", "gbh_with_intent"):
        assert gravity_of(code) == "serious", code
    for code in ("burglary_residential", "shoplifting", "common_assault", "criminal_damage"):
        assert gravity_of(code) == "standard", code
    # An offence the reference data does not know is treated as gravely as any.
    assert gravity_of("no_such_offence") == "most_serious"


def test_the_default_matrix():
    matrix = cancellation_authority.parse(None)
    expected = {
        "standard": {"C1": BOTH, "C2": BOTH, "C3": BOTH, "C4": BOTH},
        "serious": {"C1": BOTH, "C2": FCR, "C3": BOTH, "C4": BOTH},
        "most_serious": {"C1": BOTH, "C2": FCR, "C3": BOTH, "C4": FCR},
    }
    assert matrix == {
        (band, reason): roles for band, row in expected.items() for reason, roles in row.items()
    }
    assert cancellation_authority.authorisers(matrix, "most_serious", "C2") == ("fcr",)
    assert cancellation_authority.authorisers(matrix, "standard", "C2") == ("ddm", "fcr")
    # Someone holding both roles authorises as the more senior.
    assert cancellation_authority.authorising_role(matrix, "standard", "C2", {"ddm", "fcr"}) == "fcr"
    assert cancellation_authority.authorising_role(matrix, "serious", "C2", {"ddm"}) is None
    assert cancellation_authority.rule("serious", "C2", ("fcr",)) == "serious:C2=fcr"


def test_a_reasons_entry_wins_over_its_bands_whatever_the_order():
    matrix = cancellation_authority.parse(
        "most_serious:C2+C4 = fcr, most_serious = ddm + fcr, standard=ddm, serious=fcr"
    )
    assert matrix["most_serious", "C2"] == FCR and matrix["most_serious", "C4"] == FCR
    assert matrix["most_serious", "C1"] == BOTH and matrix["most_serious", "C3"] == BOTH
    assert matrix["standard", "C2"] == {"ddm"} and matrix["serious", "C1"] == FCR
    # A band may be given reason by reason, without an entry for the whole band.
    by_reason = cancellation_authority.parse("standard=ddm, serious=ddm, most_serious:C1+C2+C3+C4=fcr")
    assert {by_reason["most_serious", reason] for reason in ("C1", "C2", "C3", "C4")} == {FCR}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "nobody may authorise C1\\+C2\\+C3\\+C4 for band standard"),
        (
            "standard=ddm, serious=ddm, most_serious:C2=fcr",
            "nobody may authorise C1\\+C3\\+C4 for band most_serious",
        ),
        ("standard=ddm, serious=ddm, most_serious=officer", "role 'officer' .* cannot cancel a crime"),
        ("standard=ddm, serious=ddm, most_serious=chief", "unknown role 'chief'"),
        ("standard=ddm, serious=ddm, most_serious=fcr, gravest=fcr", "unknown band 'gravest'"),
        ("standard=ddm, serious=ddm, most_serious=fcr, serious:C9=fcr", "unknown reason 'C9'"),
        ("standard=ddm, standard=fcr, serious=ddm, most_serious=fcr", "band standard is given twice"),
        (
            "standard=ddm, serious=ddm, most_serious=fcr, serious:C2=fcr, serious:C2+C4=ddm",
            "serious:C2 is given twice",
        ),
        ("standard=ddm+ddm, serious=ddm, most_serious=fcr", "names a role twice"),
        ("standard ddm, serious=ddm, most_serious=fcr", "entry 'standard ddm' must be BAND=ROLES"),
        ("standard=, serious=ddm, most_serious=fcr", "entry 'standard=' must be BAND=ROLES"),
        ("standard:=ddm, serious=ddm, most_serious=fcr", "entry 'standard:=ddm' must be BAND=ROLES"),
    ],
)
def test_a_bad_matrix_is_refused_naming_the_setting(value, says):
    with pytest.raises(ValueError, match=f"^CANCELLATION_AUTHORISERS: .*{says}"):
        cancellation_authority.parse(value)
