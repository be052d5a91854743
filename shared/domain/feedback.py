"""Victims' feedback (Victims and Prisoners Act 2024 s.7 makes it part of compliance
review): the points in a case at which a victim may be asked, the three questions, and
the scale they are answered on. The portal's survey, the service that keeps the answers
and the compliance report all read them from here."""

from shared.translation import lazy_gettext as _l

# The points at which the portal offers the survey, in the order a case reaches them;
# FEEDBACK_POINTS says which the force uses.
POINTS = {
    "first_update": _l("After the first update"),
    "outcome": _l("At the outcome"),
}
DEFAULT_POINTS = ("first_update", "outcome")

# The three questions, each with its code in the compliance report.
QUESTIONS = {
    "informed": _l("How satisfied are you with how you have been kept informed about your case?"),
    "respect": _l("How satisfied are you that you have been treated with respect?"),
    "rights": _l("How satisfied are you with how you have been told about your rights?"),
}
REPORT_CODES = {"informed": "S1", "respect": "S2", "rights": "S3"}
REPORT_LABELS = {
    "S1": _l("Victims satisfied with how they were kept informed"),
    "S2": _l("Victims satisfied that they were treated with respect"),
    "S3": _l("Victims satisfied with how they were told about their rights"),
}

# The 5-point scale, best first, and "prefer not to say" (kept as no answer).
SCALE = {
    "5": _l("Very satisfied"),
    "4": _l("Satisfied"),
    "3": _l("Neither satisfied nor dissatisfied"),
    "2": _l("Dissatisfied"),
    "1": _l("Very dissatisfied"),
}
PREFER_NOT_TO_SAY = "prefer_not"
PREFER_NOT_TO_SAY_LABEL = _l("Prefer not to say")
# The answers counted as satisfied in the report's rates.
SATISFIED = (4, 5)
# The longest comment, in characters.
MAX_COMMENT = 1000


def parse_points(text: str | None) -> tuple[str, ...]:
    """FEEDBACK_POINTS: point codes separated by commas, or `none` for no survey; unset
    gives DEFAULT_POINTS. Raises ValueError naming an unknown point."""
    if text is None:
        return DEFAULT_POINTS
    words = [word.strip() for word in text.split(",") if word.strip()]
    if words == ["none"]:
        return ()
    unknown = [word for word in words if word not in POINTS]
    if unknown or not words:
        raise ValueError(
            f"FEEDBACK_POINTS must be points from {', '.join(POINTS)} separated by commas, or none "
            f'(got "{text}").'
        )
    return tuple(point for point in POINTS if point in words)
