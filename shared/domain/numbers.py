"""Whole numbers typed by people or sent by clients, read one way everywhere.

`str.isdigit()` is true for '²' and '①', which `int()` refuses, and `int()` itself takes
'١٢' (Arabic-Indic digits), '1_000' and '+1': so a check with one and a conversion with
the other is a 500 waiting for an odd character. Here only ASCII digits make a number.
"""

# The largest id a table has (a 32-bit signed integer column).
MAX_ID = 2**31 - 1
# More digits than any number the service takes: a longer string is junk, not a number.
_MAX_DIGITS = 18


def whole_number(text: str | None, *, low: int = 0, high: int | None = None) -> int | None:
    """The whole number `text` spells in the ASCII digits 0-9 (spaces around it are
    allowed), if it is from `low` to `high`; otherwise None."""
    value = (text or "").strip()
    if not value or len(value) > _MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    if number < low or (high is not None and number > high):
        return None
    return number
