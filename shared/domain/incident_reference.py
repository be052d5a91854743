"""Reference data for incidents (victims-code.md section 6): the routes a report comes
by, how an incident is closed, the reasons for not recording a crime (two of them the
May 2023 exclusions, each needing a supervisor's sign-off), and how a rape report not
immediately recorded as rape (an N100 record) was resolved.

The database holds the codes; each reader sees the label in their own language.
"""

from shared.translation import lazy_gettext as _l

# The routes an incident comes by. The first, second and fourth are the auditable routes
# the inspectorate samples from.
INCIDENT_ROUTES = {
    "control_room": _l("Control room"),
    "online": _l("Online report"),
    "front_counter": _l("Front counter"),
    "recording_centre": _l("Crime-recording centre"),
}

# How the incident was closed.
CLOSING_CODES = {
    "crime_recorded": _l("Crime recorded"),
    "no_crime_disclosed": _l("No crime disclosed"),
    "crime_not_recorded": _l("Possible crime, not recorded"),
    "transferred": _l("Transferred to another force or agency"),
    "duplicate": _l("Duplicate of another incident"),
    "advice_given": _l("Advice given"),
}

# Why a possible crime was not recorded. The two exclusions of May 2023 are recorded only
# with a supervisor's sign-off (SIGN_OFF_REASONS).
NOT_RECORDED_REASONS = {
    "no_crime_balance": _l("On the balance of probability no crime occurred"),
    "credible_evidence": _l("Credible evidence that no crime occurred"),
    "recorded_elsewhere": _l("Already recorded under another incident or by another force"),
    "third_party_unconfirmed": _l("Third-party report the victim does not confirm"),
    "offensive_message": _l("A message that may merely offend (May 2023 exclusion)"),
    "disturbance_over": _l("A public disturbance over by the time police arrived (May 2023 exclusion)"),
}
SIGN_OFF_REASONS = frozenset({"offensive_message", "disturbance_over"})

# How an N100 (a rape report not immediately recorded as rape) was resolved.
N100_RESOLUTIONS = {
    "recorded_rape": _l("Recorded as rape"),
    "recorded_other": _l("Recorded as another crime"),
    "no_crime_additional_information": _l(
        "No crime: additional verifiable information shows no crime occurred"
    ),
    "transferred": _l("Transferred to another force"),
    "recorded_elsewhere": _l("Already recorded as a crime"),
}
