"""Which migration the code expects the database to be at, and which it is at.

The expected one is read from the migration scripts' own `revision` and `down_revision`
lines rather than through Alembic, which a web worker never loads (tests/test_app_shape.py):
the migrations are numbered and linear, so the head is the one revision no other revises.
"""

import os
import re
from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import Connection

from shared import resources

DIRECTORY = resources.folder("migrations")
_LINE = re.compile(r"""^(revision|down_revision)\s*=\s*(?:['"]([^'"]+)['"]|None)\s*$""", re.MULTILINE)


@cache
def expected_head(directory: str = DIRECTORY) -> str:
    """The newest revision among the migration scripts. Raises RuntimeError when the
    scripts do not form one line."""
    revisions, revised = set(), set()
    versions = os.path.join(directory, "versions")
    for name in sorted(os.listdir(versions)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(versions, name), encoding="utf-8") as handle:
            found = dict(_LINE.findall(handle.read()))
        if found.get("revision"):
            revisions.add(found["revision"])
            if found.get("down_revision"):
                revised.add(found["down_revision"])
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(
            f"The migrations in {versions} have {len(heads)} heads: {', '.join(sorted(heads))}."
        )
    return heads.pop()


def current(connection: Connection) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
