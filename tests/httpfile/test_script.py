"""Handler and pre-request scripts: set calls become captures and vars, the rest is reported."""

from __future__ import annotations

import pytest

from orderspec.httpfile._model import Script
from orderspec.httpfile._script import js_to_jinja, translate_script


def test_several_sets_per_handler_with_their_lines() -> None:
    script = Script(
        source=(
            "\n"
            '    client.global.set("customer_id", response.body.results[0].id);\n'
            "    client.log(JSON.stringify(client.global[\"vars\"][\"customer_id\"]))\n"
            "    // remember the basket too\n"
            "    client.global.set('basket_id', response.body.basket.id)\n"
            '    client.global.set("status", response.status); client.global.set("kind", "basket")\n'
        ),
        line=20,
    )
    result = translate_script(script, pre_request=False)
    assert result.problems == ()
    assert [(a.name, a.line, a.expression, a.value) for a in result.assignments] == [
        ("customer_id", 21, "response.body.results[0].id", None),
        ("basket_id", 24, "response.body.basket.id", None),
        ("status", 25, "response.status", None),
        ("kind", 25, None, "basket"),
    ]


def test_pre_request_literals() -> None:
    script = Script('client.global.set("token", "abc"); request.variables.set("n", 3); client.global.set("on", true)', 4)
    result = translate_script(script, pre_request=True)
    assert [(a.name, a.value, a.is_literal) for a in result.assignments] == [("token", "abc", True), ("n", 3, True), ("on", True, True)]


def test_statements_that_cannot_be_translated_are_reported_with_their_line() -> None:
    script = Script(
        source=(
            '\nclient.test("created", function() {\n'
            '  client.assert(response.status === 201, "not created");\n'
            "});\n"
            'client.global.set("when", Date.now());\n'
            'client.global.clearAll();\n'
        ),
        line=10,
    )
    result = translate_script(script, pre_request=False)
    assert result.assignments == ()
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (11, "response handler statement not converted"),
        (14, "response handler statement not converted"),
        (15, "response handler statement not converted"),
    ]
    assert "Date.now()" in result.problems[1].message


def test_a_handler_file_is_reported() -> None:
    result = translate_script(Script(source="", line=3, path="./check.js"), pre_request=False)
    assert [(p.line, p.message) for p in result.problems] == [
        (3, "response handler file ./check.js is not converted; move what it does into the flow")
    ]


@pytest.mark.parametrize(
    ("js", "jinja"),
    [
        ("response.body.results[0].id", "response.body.results[0].id"),
        ('response.body["first-name"]', "response.body['first-name']"),
        ("response.body.items.length", "response.body.items | length"),
        ('response.headers.valueOf("Location")', "response.headers['location']"),
        ('client.global.get("basket").id', "vars.basket.id"),
        ("response.status === 201 && !response.body.error", "response.status == 201 and not response.body.error"),
        ("null", "none"),
        ("JSON.parse(response.body)", None),
        ("response.body.items[i]", None),
        ("response.body.items.map(x => x.id)", None),
    ],
)
def test_expressions(js: str, jinja: str | None) -> None:
    assert js_to_jinja(js) == jinja


def test_string_literals_with_escapes() -> None:
    script = Script("client.global.set('msg', 'it\\'s \\u00e4\\tok'); client.global.set(\"q\", \"say \\\"hi\\\"\")", 1)
    result = translate_script(script, pre_request=True)
    assert [(a.name, a.value) for a in result.assignments] == [("msg", "it's ä\tok"), ("q", 'say "hi"')]
