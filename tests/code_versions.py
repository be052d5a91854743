"""A made-up later Victims' Code for tests: the 2020 Code with one timescale changed (a
referral to support within 3 working days instead of 2) and one new entitlement (an
offer to refer oneself to support, within 5 working days of the report)."""

from dataclasses import replace

from shared.domain import code_versions
from shared.domain.code_versions import CodeVersion
from shared.domain.victims_code_rules import ON_RECORDING, RULES, Rule, Way

LATER = "2099"
NEW_RULE = "self_referral"

SELF_REFERRAL = Rule(
    NEW_RULE,
    "Right 4: to be referred to support services",
    "M3",
    "Self-referral offered",
    "How to refer yourself to support",
    "We must tell you how to contact a support service yourself.",
    "reported",
    "working",
    5,
    5,
    (Way("told", "Told how to self-refer", "we told you how"),),
)


def later_code() -> CodeVersion:
    return CodeVersion(
        LATER,
        "Made-up Victims' Code 2099",
        None,
        {**RULES, "referral": replace(RULES["referral"], days=3, enhanced_days=3), NEW_RULE: SELF_REFERRAL},
        (*ON_RECORDING, NEW_RULE),
    )


def add_later_code(monkeypatch) -> CodeVersion:
    """Put the made-up Code beside the 2020 one for one test."""
    code = later_code()
    monkeypatch.setitem(code_versions.VERSIONS, LATER, code)
    return code
