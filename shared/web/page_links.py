"""Pages of a list, as both blueprints show them: the page asked for in the query
string, and the parameters of the GOV.UK pagination component."""

from flask import request, url_for

from shared.domain.numbers import whole_number
from shared.translation import gettext as _

# More pages than any list holds: a bigger number is junk, not a request for the last page.
MAX_PAGE = 1_000_000


def requested_page(name: str = "page") -> int:
    """The page number in the query string argument `name`: 1 when it is missing or is
    not a whole number from 1 up. A page past the end is the service's to settle (it
    shows the last one)."""
    value = request.args.get(name, "")
    # Spaces around it make it junk here, as anything but bare digits does.
    return (value == value.strip() and whole_number(value, low=1, high=MAX_PAGE)) or 1


def pagination_params(
    page,
    endpoint: str,
    /,
    *,
    page_arg: str = "page",
    anchor: str | None = None,
    landmark: str | None = None,
    **args,
) -> dict | None:
    """Parameters for govukPagination: previous, next and page numbers around the
    current one, with gaps shown as ellipses. Labels in the reader's language. Links go
    to `endpoint` with `args`, the page number in `page_arg`, and jump to `anchor`;
    `landmark` names the navigation where a page has more than one list in pages.
    None for a list that fits on one page: there is nothing to navigate."""
    if page.pages <= 1:
        return None

    def href(number):
        return url_for(endpoint, _anchor=anchor, **{**args, page_arg: number})

    shown = sorted({1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1)))
    items: list[dict[str, object]] = []
    last = 0
    for number in shown:
        if number - last > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": href(number),
                "current": number == page.page,
                "visuallyHiddenText": _("Page %(number)d", number=number),
            }
        )
        last = number
    return {
        "landmarkLabel": landmark or _("Pages of results"),
        "previous": {"href": href(page.page - 1), "text": _("Previous")} if page.page > 1 else None,
        "next": {"href": href(page.page + 1), "text": _("Next")} if page.page < page.pages else None,
        "items": items,
    }
