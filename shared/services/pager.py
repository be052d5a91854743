"""Reading a list a page at a time, or only its first rows, in a fixed number of
queries whatever its length. Every list shown in pages or in part is read through here,
so that each clamps, counts and cuts the same way; only the Victims' Code tables, cut per
right or per band inside one windowed query, cut their own. How many rows a page holds is
the caller's to say: the views read it from the settings."""

import weakref
from dataclasses import dataclass
from math import ceil

from sqlalchemy import Integer, Select, bindparam, func, select

from shared.extensions import db


@dataclass
class Page:
    """One page of a list: its items, how many the whole list holds, which page this is
    and how many a page holds."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return last_page(self.total, self.per_page)


def last_page(total: int, per_page: int) -> int:
    return max(1, ceil(total / per_page))


# Statements made by `pageable`, known by identity.
_PAGEABLE: "weakref.WeakSet[Select]" = weakref.WeakSet()


def pageable(stmt: Select) -> Select:
    """`stmt` with its page's limit and offset left as bound parameters, which
    `fetch_page` fills in: for a statement built once and kept, so that each page reuses
    it rather than building (and hashing, for SQLAlchemy's cache) a new one."""
    kept = stmt.limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
    _PAGEABLE.add(kept)
    return kept


def fetch_page(
    stmt: Select,
    page: int,
    per_page: int,
    *,
    rows: bool = False,
    total: int | None = None,
    params: dict | None = None,
) -> Page:
    """The `page`th page of `stmt` (already in the order it is shown, and either without
    a limit or from `pageable`), `per_page` items a page. A page past the end gives the
    last page, so a link to a page that has since emptied still shows something. Two
    queries: the count, then the page; one when the caller already counted the rows
    (`total`). `rows` keeps each result as a row (for a statement selecting more than one
    thing); `params` fills the statement's bound parameters."""
    kept = stmt in _PAGEABLE
    if total is None:
        everything = stmt.limit(None).offset(None).order_by(None)
        total = db.session.scalar(select(func.count()).select_from(everything.subquery()), params) or 0
    page = min(max(1, page), last_page(total, per_page))
    if kept:
        limited, params = (
            stmt,
            {**(params or {}), "page_limit": per_page, "page_offset": (page - 1) * per_page},
        )
    else:
        limited = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.execute(limited, params)) if rows else list(db.session.scalars(limited, params))
    return Page(items=items, total=total, page=page, per_page=per_page)


@dataclass
class Latest:
    """The first `limit` items of a list shown only in part (its newest, or its most
    urgent), in the order it is shown, and whether any are left out."""

    items: list
    limit: int
    more: bool


def fetch_latest(stmt: Select, limit: int, *, rows: bool = False) -> Latest:
    """At most `limit` items of `stmt`, already in the order it is shown (newest first,
    for a history). One query: one row more than is shown tells whether anything is left
    out. `rows` keeps each result as a row, as for `fetch_page`."""
    limited = stmt.limit(limit + 1)
    items = list(db.session.execute(limited)) if rows else list(db.session.scalars(limited))
    return Latest(items=items[:limit], limit=limit, more=len(items) > limit)
