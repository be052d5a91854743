"""What a data-changing statement reports back, typed as it is."""

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed, for a claim that only one writer may win.
    Its result is a CursorResult, which counts them, though `Session.execute` is typed as
    returning a plain Result."""
    return cast(CursorResult[Any], result).rowcount
