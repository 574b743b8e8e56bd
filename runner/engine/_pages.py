"""Following a list over its pages: a next link or page numbers, up to a bound.

Each page is one request through the step's own retries and the journal; its items
are collected in order. A next link may be relative or absolute but must stay on the
origin of the first request, so a server cannot send the step's credentials elsewhere.
A list longer than ``max_pages`` is an error, never a silent truncation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._context import response_view
from orderspec.engine._errors import PaginationError, TemplateError
from orderspec.engine._flow import Paginate, Step

if TYPE_CHECKING:
    from orderspec.engine._exchange import Exchange, Sender

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def follow_pages(sender: Sender, step: Step, ctx: dict[str, Any], path: str, state: Exchange) -> list[Any]:
    """Every item of every page, in order; ``ctx['response']`` is left at the last page."""
    paginate = step.paginate
    assert paginate is not None
    mask, evaluator = sender.mask, sender.evaluator
    collected: list[Any] = []
    url: str | None = None
    page = 1
    params = {paginate.page_param: page} if paginate.page_param else None
    first: tuple[str, str, int | None] | None = None
    while True:
        response = sender.send(step, ctx, path, state, url=url, params=params)
        sender.check_status(step, path, state, response)
        state.pages += 1
        sent = response.request.url
        if first is None:
            first = _origin(sent)
        ctx["response"] = response_view(response)
        items = evaluator.eval(paginate.items, ctx, path)
        if isinstance(items, tuple):
            items = list(items)
        if not isinstance(items, list):
            raise TemplateError(
                mask(f"step {path!r}: paginate.items `{paginate.items.source}` is {_kind(items)} on page {state.pages}, expected a list"),
                step=path,
                location=paginate.items.location,
            )
        collected.extend(items)
        if sender.emit:
            sender.emit(ev.StepPaged(step=path, page=state.pages, items=len(items), total=len(collected)))
        if paginate.next is not None:
            link = evaluator.eval(paginate.next, ctx, path)
            if link is None or link == "":
                return collected
            url = _next_url(paginate, path, sent, link, first, sender)
        else:
            last = bool(evaluator.eval(paginate.until, ctx, path)) if paginate.until is not None else not items
            if last:
                return collected
            page += 1
            params = {paginate.page_param: page} if paginate.page_param else None
        if state.pages >= paginate.max_pages:
            raise PaginationError(
                mask(
                    f"step {path!r}: the list has more than {paginate.max_pages} pages (max_pages); "
                    f"{len(collected)} items read so far, and nothing is cut off silently"
                ),
                step=path,
                location=paginate.location,
                hint="raise paginate.max_pages, or narrow the request (a search or filter parameter)",
            )


def _next_url(paginate: Paginate, path: str, sent: httpx.URL, link: Any, first: tuple[str, str, int | None], sender: Sender) -> str:
    """The next page's absolute URL, resolved against the page just read; refused on another origin."""
    assert paginate.next is not None
    mask = sender.mask
    if not isinstance(link, str):
        raise TemplateError(
            mask(f"step {path!r}: paginate.next `{paginate.next.source}` is {_kind(link)}, expected a URL or null"),
            step=path,
            location=paginate.next.location,
        )
    try:
        target = sent.join(link)
    except httpx.InvalidURL as exc:
        raise PaginationError(mask(f"step {path!r}: the next page's link {link!r} is not a URL ({exc})"), step=path, location=paginate.next.location) from None
    if _origin(target) != first:
        raise PaginationError(
            mask(f"step {path!r}: the next page's link {str(target)!r} leaves {sent.scheme}://{sent.netloc.decode()}; it is not followed"),
            step=path,
            location=paginate.next.location,
            hint="a paginated list is read from the origin of its first request only, so the step's credentials go nowhere else",
        )
    return str(target)
