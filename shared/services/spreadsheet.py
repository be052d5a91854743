"""Cells of the CSV files the service exports (the audit trail, the compliance report),
safe to open in a spreadsheet program (OWASP, "CSV injection")."""

import csv
import re
from typing import IO, Any

# A spreadsheet reads a cell as a formula when it starts with one of these (the
# full-width forms too, which some programs and input methods turn into them).
FORMULA_STARTS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
# A formula character at the start, after leading spaces or line breaks, or after a
# separator that a program importing with another delimiter (`;`, `|`, tab) or reading
# each line apart would split the cell at: `;=cmd`, ` =cmd`, `\n=cmd`, `x;=cmd`.
_FORMULA = re.compile(rf"(?:^|[;,|\n\r\t])[\s;,|]*[{re.escape(FORMULA_STARTS)}]")


def safe_cell(value: object) -> str:
    """The text of a CSV cell that a spreadsheet shows as text, never runs as a
    formula: a single quote is put in front of a cell that holds a formula character
    where a spreadsheet could start reading a formula. The text itself is kept whole,
    so what was recorded can still be read."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.search(text) else text


def writer(buffer: IO[str]) -> Any:
    """A csv writer that quotes every cell, so that a separator inside a cell (`;`,
    a line break) never splits it, whatever delimiter the program opening it uses."""
    return csv.writer(buffer, quoting=csv.QUOTE_ALL)
