"""Text people type, made safe to keep and to show: without the invisible characters
that change how text around them is drawn or read.

Bidirectional controls (embeddings and overrides U+202A to U+202E, isolates U+2066 to
U+2069, the marks U+200E, U+200F and U+061C) can make a name or a message display as
something other than what it says ("Trojan Source"); control characters (C0, DEL and
C1) have no place in a name or a message and can upset a terminal, a log reader or a
spreadsheet. Both are removed from what is stored, whichever way the text came in
(a form, the records-system API, an import): the columns that hold names and free text
clean what is put in them (shared.models.types). A line keeps no line break or tab
either; free text keeps its line breaks and tabs. Other format characters, such as
the zero-width joiner that some scripts and emoji need, are kept.
"""

import re

# The bidirectional controls.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_IN_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")
_IN_LINE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def clean_text(value: str) -> str:
    """Free text (a message, an update, a note) without bidirectional or control
    characters; line breaks (LF, CR) and tabs are kept."""
    return _IN_TEXT.sub("", value)


def clean_line(value: str) -> str:
    """A one-line value (a name) without bidirectional or control characters; a tab or
    a line break becomes a space."""
    return _IN_LINE.sub(
        "", value.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    )
