"""Lists that span pages: a next link or page numbers, collected into one variable, with a bound."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from orderspec.engine import FlowSourceError, PaginationError, StepFinished, StepPaged, TemplateError, load_flow, run_flow
from orderspec.engine import _events as ev

from .conftest import HEAD, context

NEXT = """steps:
  - name: customers
    request: {{method: GET, url: /people, params: {{search: ortega, total: {total}, page_size: 2{extra}}}}}
    paginate:
      items: response.body.results
      next: response.body.next
      into: customers{bound}
    capture:
      count: response.body.count
      previous: response.body.previous
outputs:
  names: vars.customers | map(attribute="name") | list
"""

NUMBERS = """steps:
  - name: catalogue
    request: {{method: GET, url: '/pages?per_page=2&total={total}'}}
    paginate:
      items: response.body.items
      page_param: page
      into: materials{until}
"""


def _people(server) -> list[dict[str, list[str]]]:
    return [parse_qs(r["query"]) for r in server.state.requests if r["path"] == "/people"]


def _pages(server) -> list[str]:
    return [parse_qs(r["query"])["page"][0] for r in server.state.requests if r["path"] == "/pages"]


@pytest.mark.parametrize("links", ["absolute", "relative"])
def test_next_links_are_followed_to_the_last_page(server, flow_of, links: str) -> None:
    server.state.reset()
    events: list[ev.Event] = []
    flow = flow_of(NEXT.format(total=5, extra=f", links: {links}", bound=""))
    result = run_flow(flow, context(server), on_event=events.append)
    assert result.outputs["names"] == ["person 1", "person 2", "person 3", "person 4", "person 5"]
    assert [q.get("page", ["1"])[0] for q in _people(server)] == ["1", "2", "3"]
    assert all(q["search"] == ["ortega"] for q in _people(server))  # the link carries the query
    # captures read the last page's answer
    previous = "/people?search=ortega&total=5&page_size=2&links=" + links + "&page=2"
    assert (result.vars["count"], result.vars["previous"]) == (5, server.base_url + previous if links == "absolute" else previous)
    assert result.steps[0].pages == 3 and result.steps[0].attempts == 3
    assert [(e.page, e.items, e.total) for e in events if isinstance(e, StepPaged)] == [(1, 2, 2), (2, 2, 4), (3, 1, 5)]
    finished = next(e for e in events if isinstance(e, StepFinished))
    assert finished.pages == 3 and len(finished.captures["customers"]) == 5


def test_page_numbers_until_an_empty_page(server, flow_of) -> None:
    server.state.reset()
    result = run_flow(flow_of(NUMBERS.format(total=5, until="")), context(server))
    assert result.vars["materials"] == ["item 1", "item 2", "item 3", "item 4", "item 5"]
    assert _pages(server) == ["1", "2", "3", "4"]  # the fourth page is empty: the list has ended
    assert all(parse_qs(r["query"])["per_page"] == ["2"] for r in server.state.requests)  # the URL's own query is kept


def test_page_numbers_until_a_condition(server, flow_of) -> None:
    server.state.reset()
    result = run_flow(flow_of(NUMBERS.format(total=5, until="\n      until: response.body.last")), context(server))
    assert len(result.vars["materials"]) == 5 and _pages(server) == ["1", "2", "3"]
    assert result.steps[0].pages == 3


@pytest.mark.parametrize("flow", [NEXT.format(total=0, extra="", bound=""), NUMBERS.format(total=0, until="")])
def test_an_empty_catalogue_is_one_page_and_an_empty_list(server, flow_of, flow: str) -> None:
    server.state.reset()
    result = run_flow(flow_of(flow), context(server))
    assert result.steps[0].pages == 1 and len(server.state.requests) == 1
    assert result.vars["customers" if "customers" in result.vars else "materials"] == []


def test_more_pages_than_max_pages_is_a_located_error(server, flow_of) -> None:
    server.state.reset()
    flow = flow_of(NEXT.format(total=5, extra="", bound="\n      max_pages: 2"))
    with pytest.raises(PaginationError) as info:
        run_flow(flow, context(server))
    error = info.value
    assert "more than 2 pages (max_pages)" in error.message and "4 items read so far" in error.message
    assert error.location.line == 12 and "max_pages" in (error.hint or "")  # where max_pages is written
    assert len(_people(server)) == 2 and error.result.steps[-1].outcome == "failed"


def test_the_default_bound_is_a_hundred_pages(server, flow_of) -> None:
    server.state.reset()
    with pytest.raises(PaginationError, match="more than 100 pages"):
        run_flow(flow_of(NEXT.format(total=300, extra=", page_size: 1", bound="").replace("page_size: 2, ", "")), context(server))
    assert len(_people(server)) == 100


@pytest.mark.parametrize("elsewhere", ["http://127.0.0.1:{port}/people", "//127.0.0.1:{port}/people", "https://{host}/people"])
def test_a_next_link_to_another_origin_is_not_followed(server, flow_of, hangup_server, elsewhere: str) -> None:
    server.state.reset()
    port = hangup_server.url.rsplit(":", 1)[1]
    link = elsewhere.format(port=port, host=server.base_url.split("//")[1])
    flow = flow_of(NEXT.format(total=5, extra=f", next_to: '{link}'", bound=""))
    with pytest.raises(PaginationError) as info:
        run_flow(flow, context(server))
    assert "it is not followed" in info.value.message and f"leaves {server.base_url}" in info.value.message
    assert "credentials" in (info.value.hint or "") and info.value.location.line == 10
    assert len(_people(server)) == 1 and hangup_server.seen == []


def test_items_that_are_not_a_list_name_the_page(server, flow_of) -> None:
    flow = flow_of(NEXT.format(total=5, extra="", bound="").replace("items: response.body.results", "items: response.body.count"))
    with pytest.raises(TemplateError) as info:
        run_flow(flow, context(server))
    assert "paginate.items `response.body.count` is int on page 1, expected a list" in info.value.message
    assert info.value.location.line == 9


def test_the_journal_hears_of_every_page(server, flow_of) -> None:
    sent: list[str] = []

    class Journal:
        def before_send(self, pending) -> None:
            sent.append(pending.url)

        def after_step(self, result, vars) -> None:
            pass

    run_flow(flow_of(NUMBERS.format(total=3, until="")), context(server), journal=Journal())
    assert [url.rsplit("page=", 1)[1] for url in sent] == ["1", "2", "3"]


# -- loading ---------------------------------------------------------------------------------------


def _error(write_flow, body: str) -> FlowSourceError:
    with pytest.raises(FlowSourceError) as info:
        load_flow(write_flow(HEAD + body))
    return info.value


STEP = "steps:\n  - name: list\n    request: {{method: {method}, url: /x}}\n{effect}    paginate:\n{block}"


@pytest.mark.parametrize(
    ("method", "effect", "block", "message", "line"),
    [
        ("POST", "", "      items: response.body\n      next: response.body.next\n      into: all\n", "step 'list' (effect create) cannot follow pages", 8),
        ("GET", "    effect: create\n", "      items: response.body\n      next: response.body.next\n      into: all\n", "(effect create) cannot follow pages", 9),
        ("GET", "", "      items: response.body\n      into: all\n", "paginate needs either next", 8),
        ("GET", "", "      items: response.body\n      next: response.body.next\n      page_param: page\n      into: all\n", "has both next and page_param", 11),
        ("GET", "", "      items: response.body\n      next: response.body.next\n      until: 'true'\n      into: all\n", "until belongs to page_param", 11),
        ("GET", "", "      items: response.body\n      page_param: page\n", "'into' is required", 9),
        ("GET", "", "      items: response.body\n      page_param: page\n      into: all\n      max_pages: 0\n", "max_pages", 12),
    ],
)
def test_misplaced_or_incomplete_paginate_is_refused_where_it_is_written(write_flow, method, effect, block, message, line) -> None:
    error = _error(write_flow, STEP.format(method=method, effect=effect, block=block))
    assert message in error.message and error.location.line == line


def test_a_post_search_marked_read_may_follow_pages(write_flow) -> None:
    flow = load_flow(write_flow(HEAD + STEP.format(method="POST", effect="    effect: read\n", block="      items: response.body\n      page_param: p\n      into: all\n")))
    paginate = flow.steps[0].paginate
    assert paginate is not None and (paginate.page_param, paginate.into, paginate.max_pages) == ("p", "all", 100)


def test_a_paginated_step_does_not_poll(write_flow) -> None:
    body = STEP.format(method="GET", effect="    poll: {until: 'true'}\n", block="      items: response.body\n      page_param: p\n      into: all\n")
    assert "either polls or follows pages" in _error(write_flow, body).message


def test_a_set_step_has_no_paginate(write_flow) -> None:
    error = _error(write_flow, "steps:\n  - name: s\n    set: {a: '1'}\n    paginate: {items: x, page_param: p, into: y}\n")
    assert "has no 'paginate'" in error.message


def test_the_3yourmind_user_search_is_read_over_all_its_pages(sandbox, flow_of) -> None:
    """The documented 3YOURMIND pages ({count, currentPage, totalPages, pageSize, results}) in its sandbox."""
    running = sandbox("3yourmind-service-panel")
    flow = flow_of(
        "headers:\n  Authorization: 'Token {{ secrets.token }}'\n"
        "steps:\n  - name: find customer\n    request:\n      method: GET\n"
        "      url: /api/v2.0/service-panel/services/1/internal-ordering/users/\n"
        "      params: {search: '{{ order.search }}', pageSize: 1}\n"
        "    paginate:\n      items: response.body.results\n      page_param: page\n"
        "      until: response.body.currentPage >= response.body.totalPages\n      into: customers\n"
        "  - name: everyone at once\n    request:\n      method: GET\n"
        "      url: /api/v2.0/service-panel/services/1/internal-ordering/users/\n"
        "      params: {search: '{{ order.search }}', pageSize: 1000}\n"
        "    capture: {all: response.body.results, count: response.body.count}\n"
    )
    ctx = {"target": {"base_url": running.base_url}, "secrets": {"token": "sandbox-token"}}
    result = run_flow(flow, {**ctx, "order": {"search": ""}})
    assert result.vars["count"] > 1 and result.vars["customers"] == result.vars["all"]
    assert result.steps[0].pages == result.vars["count"]
    nobody = run_flow(flow, {**ctx, "order": {"search": "no such customer anywhere"}})
    assert nobody.vars["customers"] == [] and nobody.steps[0].pages == 1
