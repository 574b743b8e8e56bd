"""Reading .http files: requests, variables, scripts, with the lines they come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.httpfile import HttpFileError, parse_http, parse_http_file

from .conftest import DATA


def test_the_seed_example_reads_as_twelve_requests() -> None:
    http = parse_http_file(DATA / "service-panel.http")
    assert http.problems == ()
    assert [(r.method, r.line) for r in http.requests] == [
        ("GET", 6), ("POST", 17), ("PATCH", 28), ("GET", 38), ("GET", 49), ("GET", 60),
        ("GET", 71), ("POST", 82), ("PATCH", 93), ("POST", 105), ("GET", 127), ("POST", 133),
    ]  # fmt: skip
    first = http.requests[0]
    assert first.url.endswith("/internal-ordering/users/?search=Ortega")
    assert [(h.name, h.value, h.line) for h in first.headers] == [
        ("Accept", "application/json", 7),
        ("Content-Type", "application/json", 8),
        ("Authorization", "Token {{token}}", 9),
    ]
    assert [s.line for s in first.pre_scripts] == [2]
    assert 'client.global.set("service_id", "1")' in first.pre_scripts[0].source
    assert [s.line for s in first.handlers] == [11]
    upload = http.requests[9]
    assert upload.body[0].text == "--boundaryd" and upload.body[0].number == 108
    assert upload.body[-1].text == "inch"
    assert [line.text for line in http.requests[2].body] == ["{", '  "customer_id": {{customer_id}}', "}"]


def test_titles_names_variables_and_tags() -> None:
    http = parse_http(
        "@host = https://api.example.com\n"
        "@id=7\n"
        "\n"
        "### Fetch the thing\n"
        "# @name thing\n"
        "// @timeout 5\n"
        "// just a comment\n"
        "GET {{host}}/things/{{id}}\n"
        "    ?expand=parts\n"
        "    &lang=en\n"
        "\n"
        "###\n"
        "https://api.example.com/ping HTTP/1.1\n"
    )
    assert [(v.name, v.value, v.line) for v in http.variables] == [("host", "https://api.example.com", 1), ("id", "7", 2)]
    thing, ping = http.requests
    assert (thing.title, thing.name, thing.line) == ("Fetch the thing", "thing", 8)
    assert thing.url == "{{host}}/things/{{id}}?expand=parts&lang=en"
    assert [(t.name, t.value, t.line) for t in thing.tags] == [("timeout", "5", 6)]
    assert (ping.method, ping.url, ping.http_version, ping.title) == ("GET", "https://api.example.com/ping", "HTTP/1.1", None)


def test_one_line_scripts_and_several_handlers() -> None:
    http = parse_http(
        '< {% client.global.set("a", "1"); %}\n'
        "POST https://x.test/a\n"
        "Content-Type: application/json\n"
        "\n"
        '{"a": 1}\n'
        "\n"
        '> {% client.global.set("b", response.body.b); %}\n'
        "> {%\n"
        '  client.global.set("c", response.body.c);\n'
        "%}\n"
        ">> ./saved.json\n"
    )
    (request,) = http.requests
    assert [s.source.strip() for s in request.pre_scripts] == ['client.global.set("a", "1");']
    assert [(s.line, s.source.strip()) for s in request.handlers] == [
        (7, 'client.global.set("b", response.body.b);'),
        (8, 'client.global.set("c", response.body.c);'),
    ]
    assert [line.text for line in request.body] == ['{"a": 1}']
    assert [(line.text, line.number) for line in request.extras] == [(">> ./saved.json", 11)]


def test_what_cannot_be_placed_becomes_a_problem_with_its_line() -> None:
    http = parse_http(
        "POST https://x.test/a\n"
        "Content-Type: application/json\n"
        '{"no": "blank line"}\n'
        "\n"
        "###\n"
        "GRAPHQL https://x.test/graphql\n"
        "\n"
        "###\n"
        "GET https://x.test/b\n"
        "\n"
        '> {% client.global.set("x", response.body.x);\n'
        "stray text\n"
    )
    assert [(p.line, p.message) for p in http.problems] == [
        (3, "expected a header (Name: value) or an empty line before the body"),
        (6, "GRAPHQL requests are not HTTP requests a flow can send"),
        (11, "script is not closed with %}"),
    ]
    assert [r.line for r in http.requests] == [1, 9]
    assert [line.text for line in http.requests[0].body] == ['{"no": "blank line"}']


def test_crlf_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "win.http"
    path.write_bytes("\ufeffGET https://x.test/a\r\nAccept: text/plain\r\n\r\n".encode())
    (request,) = parse_http_file(path).requests
    assert (request.url, request.headers[0].value) == ("https://x.test/a", "text/plain")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"GET https://x.test/\xff\n", "not UTF-8"), (b"x" * (1 << 20 + 1), "larger than")],
)
def test_unreadable_files_fail_with_a_message(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.http"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(HttpFileError, match=message):
        parse_http_file(path)


def test_methods_in_any_case_and_unknown_methods() -> None:
    http = parse_http("post https://x.test/a\n\n###\nFETCH https://x.test/b\n")
    assert [(r.method, r.url) for r in http.requests] == [("POST", "https://x.test/a"), ("FETCH", "https://x.test/b")]
    assert [(p.line, p.message) for p in http.problems] == [(4, "unknown HTTP method 'FETCH'")]


def test_a_request_line_that_is_no_url_is_reported_not_kept() -> None:
    text = "GET {{host}}/a\n\n###\nkind: Order\n\n###\nlocalhost:8080/b\n\n###\nhttp://x.test/a b\n\n###\n[\"vars\"]\n\n###\nhttp://{{host}}:{{port}}/c\n\n###\n{{scheme}}://x.test/d\n"
    http = parse_http(text)
    assert [r.url for r in http.requests] == ["{{host}}/a", "localhost:8080/b", "http://{{host}}:{{port}}/c", "{{scheme}}://x.test/d"]
    assert [(p.line, p.message) for p in http.problems] == [
        (4, "'kind: Order' is not a URL; request not converted"),
        (10, "'http://x.test/a b' is not a URL; request not converted"),
        (13, "'[\"vars\"]' is not a URL; request not converted"),
    ]
