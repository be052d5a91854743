"""Helpers for the form fuzzer (tests/test_form_fuzzer.py): reading a page's form the way
a browser would, the hostile values to send in its fields, and a snapshot of every row
in the database to prove a refused form changed nothing."""

from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from hypothesis import strategies as st

from shared.extensions import db

# Values a hostile or clumsy sender puts in a field. Strings are sent as UTF-8 with lone
# surrogates passed through, so that the body holds bytes that are not valid UTF-8.
HOSTILE_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "²",
    "٣",
    "①",
    "1²",
    "١٢",
    "1_000",
    "99999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9999",
    "0001",
    "9999-12-31",
    "0001-01-01",
    "31/12/9999",
    "\u202eevil\u202c",
    "\u2066x\u2069",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\ufeff",
    "true",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
    "Ω" * 400,
    "x" * 5_001,
    "y" * 40_000,
]

# The ends of a GOV.UK date input and numbers that overflow.
FAR_DATE_PARTS = ["9999", "0001", "0", "00", "99999999999", "٣", "²", "31", "2", "-5"]


def hostile_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.text(st.characters(exclude_categories=()), max_size=40),
    )


@dataclass
class Form:
    """A form's fields as a browser would send them when filled in: name -> values
    (a GOV.UK date input, checkboxes and the like repeat a name)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    # A form made with a prefix (several forms on one page) names its token `PREFIX-csrf_token`.
    csrf_name: str = "csrf_token"


def _same_path(action: str, path: str) -> bool:
    return urlsplit(action).path == urlsplit(path).path


def read_form(soup, post_path: str, page_path: str) -> Form | None:
    """The form on the page that posts to `post_path`; None if the page has none."""
    for tag in soup.find_all("form"):
        if (tag.get("method") or "get").lower() != "post":
            continue
        action = tag.get("action")
        if action and not _same_path(action, post_path):
            continue
        if not action and not _same_path(page_path, post_path):
            continue
        return _fields(tag)
    return None


def _fields(tag) -> Form:
    form = Form()
    for element in tag.find_all(["input", "select", "textarea", "button"]):
        name = element.get("name")
        if name == "csrf_token" or (name or "").endswith("-csrf_token"):
            form.csrf_name = name
            continue
        if not name:
            continue
        kind = (element.get("type") or "").lower()
        if element.name == "select":
            options = [o.get("value", o.get_text()) for o in element.find_all("option")]
            form.choices.setdefault(name, []).extend(options)
            chosen = [o.get("value", o.get_text()) for o in element.find_all("option", selected=True)]
            form.fields.setdefault(name, []).extend(chosen or [o for o in options if o][:1])
        elif element.name == "textarea":
            form.fields.setdefault(name, []).append(element.get_text() or "Some text")
        elif kind in ("checkbox", "radio"):
            form.choices.setdefault(name, []).append(element.get("value", "on"))
            if element.has_attr("checked") or (kind == "radio" and name not in form.fields):
                form.fields.setdefault(name, []).append(element.get("value", "on"))
        elif element.name == "button" or kind == "submit":
            form.choices.setdefault(name, []).append(element.get("value", ""))
        else:
            form.fields.setdefault(name, []).append(element.get("value") or "")
    return form


@st.composite
def filled_in(draw, form: Form) -> list[tuple[str, str]]:
    """The form's fields, each kept, changed to a hostile value, left out or repeated;
    now and then a field the form does not have."""
    names = sorted(set(form.fields) | set(form.choices))
    pairs: list[tuple[str, str]] = []
    for name in names:
        valid = form.fields.get(name) or form.choices.get(name, [""])[:1]
        how = draw(st.sampled_from(["keep", "keep", "hostile", "missing", "repeat", "choice", "far"]))
        if how == "keep":
            pairs += [(name, v) for v in valid]
        elif how == "hostile":
            pairs += [(name, draw(hostile_value())) for _ in valid]
        elif how == "repeat":
            pairs += [(name, v) for v in valid] + [(name, draw(hostile_value()))]
        elif how == "choice" and form.choices.get(name):
            pairs.append((name, draw(st.sampled_from(form.choices[name]))))
        elif how == "far":
            pairs += [(name, draw(st.sampled_from(FAR_DATE_PARTS))) for _ in valid]
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["extra", "id", "crime_id", "__proto__"])), draw(hostile_value())))
    return pairs


def encoded(pairs: list[tuple[str, str]], csrf_token: str | None, csrf_name: str = "csrf_token") -> bytes:
    """An application/x-www-form-urlencoded body; lone surrogates go as their bytes."""
    data = [(k.encode(), v.encode("utf-8", "surrogatepass")) for k, v in pairs]
    if csrf_token is not None:
        data.append((csrf_name.encode(), csrf_token.encode()))
    return urlencode(data).encode()


# Rows that may change or appear while a form is refused: the audit trail records the
# refusal, a signed-in session notes when it was last seen.
MAY_GROW = {"audit_event"}
VOLATILE_COLUMNS = {"user_session": {"last_seen_at"}}


def snapshot() -> dict[str, dict[tuple, tuple]]:
    """Every row of every table, by primary key (volatile columns left out)."""
    rows: dict[str, dict[tuple, tuple]] = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            skip = VOLATILE_COLUMNS.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            key = list(table.primary_key.columns) or columns
            result = conn.execute(sa.select(*columns))
            rows[table.name] = {tuple(getattr(row, c.name) for c in key): tuple(row) for row in result}
    return rows


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two snapshots, apart from new rows where rows may grow."""
    found = []
    for table, rows in before.items():
        now = after[table]
        for key, row in rows.items():
            if now.get(key) != row:
                found.append(f"{table} {key} changed: {row} -> {now.get(key)}")
        added = set(now) - set(rows)
        if added and table not in MAY_GROW:
            found.append(f"{table} gained rows {sorted(added)[:3]}")
    return found
