"""Templates keep types, read data before methods, stay sandboxed, and fail with the path that broke."""

from __future__ import annotations

import base64
import hashlib

import pytest
from jinja2.exceptions import TemplateSyntaxError

from orderspec.engine import PickError
from orderspec.engine._template import ENV, EvalFailure, compile_expression, compile_template, pick

CTX = {
    "order": {"items": [{"file": "a.stl", "quantity": 2}], "customer": {"name": "Ortega"}, "note": "{{ secrets.token }}"},
    "vars": {"basket_id": 7, "tags": ["x", "y"], "empty": []},
    "secrets": {"token": "t0k"},
    "response": None,
}


def test_single_expression_keeps_its_type():
    assert compile_template("{{ vars.basket_id }}")(CTX) == 7
    assert compile_template("{{ vars.tags }}")(CTX) == ["x", "y"]
    assert compile_template("{{ order.items[0] }}")(CTX) == {"file": "a.stl", "quantity": 2}
    assert compile_template("{{ vars.basket_id + 1 }}")(CTX) == 8


def test_mixed_text_renders_to_a_string():
    assert compile_template("/baskets/{{ vars.basket_id }}/lines") (CTX) == "/baskets/7/lines"
    assert compile_template("{{ vars.basket_id }}{{ vars.basket_id }}")(CTX) == "77"
    assert compile_template("n={{ vars.tags | length }}")(CTX) == "n=2"


def test_containers_are_walked_and_constants_untouched():
    rendered = compile_template({"a": ["{{ vars.basket_id }}", 1, None], "b": {"c": "x {{ order.customer.name }}"}})(CTX)
    assert rendered == {"a": [7, 1, None], "b": {"c": "x Ortega"}}


def test_values_from_a_spec_are_not_rendered_again():
    assert compile_template("{{ order.note }}")(CTX) == "{{ secrets.token }}"
    assert compile_template("note: {{ order.note }}")(CTX) == "note: {{ secrets.token }}"


def test_mapping_keys_win_over_dict_methods():
    # plain Jinja would return dict.items here
    assert compile_expression("order.items")(CTX) == CTX["order"]["items"]
    assert compile_expression("order.items | length")(CTX) == 1
    assert compile_expression("order.values is defined")(CTX) is False


@pytest.mark.parametrize(
    "source",
    ["vars.missing", "order.items[3].file", "order.customer.name.first", "response.body.id", "nothing"],
)
def test_undefined_paths_fail_with_the_path(source):
    with pytest.raises(EvalFailure) as info:
        compile_expression(source)(CTX)
    assert info.value.reason  # says which part is missing
    assert source.split(".")[0] in str(info.value)


def test_undefined_message_says_what_is_there():
    with pytest.raises(EvalFailure) as info:
        compile_expression("vars.basket")(CTX)
    assert "vars.basket is undefined" in info.value.reason and "basket_id" in info.value.reason
    with pytest.raises(EvalFailure) as info:
        compile_expression("vars.empty[0]")(CTX)
    assert "empty list" in info.value.reason


def test_undefined_through_jinja_fails_too():
    with pytest.raises(EvalFailure) as info:
        compile_template("x {{ vars.missing | upper }}")(CTX)
    assert "missing" in info.value.reason


def test_fast_paths_agree_with_jinja():
    for source in ["vars.basket_id", "order['items'][0]['quantity']", "order.items[-1].file", "vars.tags[1]", "'lit'", "3"]:
        assert compile_expression(source)(CTX) == ENV.compile_expression(source)(**CTX)


def test_sandbox_refuses_internals():
    with pytest.raises(EvalFailure):
        compile_expression("order.__class__.__mro__")(CTX)
    with pytest.raises(EvalFailure):
        compile_template("{{ ''.__class__.__subclasses__() }}")(CTX)


def test_syntax_errors_surface_at_compile_time():
    with pytest.raises(TemplateSyntaxError):
        compile_expression("vars.a +")
    with pytest.raises(TemplateSyntaxError):
        compile_template("{{ vars.a ")


def test_filters():
    assert compile_expression("vars.tags | tojson")(CTX) == '["x", "y"]'
    assert compile_expression("'user:pass' | b64encode")(CTX) == base64.b64encode(b"user:pass").decode()
    assert compile_expression("'abc' | sha256")(CTX) == hashlib.sha256(b"abc").hexdigest()


MATERIALS = [{"id": 1, "name": "PA12 White"}, {"id": 2, "name": "PA12 Black"}, {"id": 3, "name": "Resin Clear"}]


def test_pick_finds_by_name_and_by_other_fields():
    assert pick(MATERIALS, "PA12 Black")["id"] == 2
    assert pick(MATERIALS, "pa12 black")["id"] == 2  # one case-insensitive match is accepted
    assert pick(MATERIALS, 3, by="id")["name"] == "Resin Clear"
    ctx = {"m": MATERIALS, "want": "Resin Clear"}
    assert compile_expression("(m | pick(want)).id")(ctx) == 3


def test_pick_lists_valid_names_and_the_closest():
    with pytest.raises(PickError) as info:
        pick(MATERIALS, "PA12 Whte", what="material")
    message = info.value.message
    assert "unknown material 'PA12 Whte'" in message
    assert "'PA12 White', 'PA12 Black', 'Resin Clear'" in message
    assert "closest match: 'PA12 White'" in message


def test_pick_through_a_template_keeps_its_error():
    with pytest.raises(PickError, match="closest match: 'Resin Clear'"):
        compile_template("{{ (m | pick('Resin Cler', what='resin')).id }}")({"m": MATERIALS})
