"""The cassette file: vcrpy's format, readable in a pull request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from orderspec.cassettes import record
from orderspec.cassettes._format import Serializer, fast_load
from orderspec.engine import InstantClock, load_flow, run_flow

from . import _app
from .conftest import Api

FLOW = """
apiVersion: orderspec/v1
kind: Flow
name: order
base_url: "{{ target.base_url }}"
headers:
  Authorization: "Token {{ secrets.token }}"
steps:
  - name: find
    request: {method: GET, url: /items, params: {search: PA12}}
  - name: place
    request:
      method: POST
      url: /orders
      json: {quantity: 2, material: 1, address: {city: München, zip: "80802"}}
    expect: [201]
"""


def _record(api: Api, write_flow: Callable[..., Path], path: Path) -> str:
    flow = load_flow(write_flow(FLOW))
    context = {"target": {"base_url": api.base_url}, "secrets": {"token": _app.API_TOKEN}}
    with record(path, httpx.HTTPTransport(), secrets=[_app.API_TOKEN]) as transport:
        assert run_flow(flow, context, transport=transport, clock=InstantClock()).ok
    return path.read_text(encoding="utf-8")


def test_interactions_read_top_down_with_pretty_json_bodies(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    text = _record(api, write_flow, tmp_path / "order.yaml")
    assert text.startswith("# HTTP session recorded by orderspec")
    expected_request = """\
- request:
    method: POST
    uri: http://127.0.0.1/orders
    headers:
      accept: '*/*'
      authorization: Token <scrubbed>
      content-type: application/json
    body: |-
      {
        "address": {
          "city": "München",
          "zip": "80802"
        },
        "material": 1,
        "quantity": 2
      }
  response:
    status:
      code: 201
      message: Created
    headers:
      content-type: application/json
    body:
      string: |-
        {
          "id": 1,
          "received": {
"""
    assert expected_request in text
    assert text.index("uri: http://127.0.0.1/items?search=PA12") < text.index("uri: http://127.0.0.1/orders")
    for volatile in ("date:", "server:", "content-length:", "user-agent:", "host:"):
        assert volatile not in text


def test_the_file_is_a_vcrpy_cassette_its_own_loader_reads(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    text = _record(api, write_flow, tmp_path / "order.yaml")
    requests, responses, *_ = deserialize(text, yamlserializer)
    assert [request.method for request in requests] == ["GET", "POST"]
    assert requests[1].headers["content-type"] == "application/json"
    assert responses[1]["status"]["code"] == 201
    assert b'"received"' in responses[1]["body"]["string"]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1.5\nb: yes\nc: 12:30\nd: 0x1f\ne: 2021-01-01\nf: y\ng: 007\nh: .inf\ni: 1_000\nj: 0ab3\nk: 3e5\nl: ~\nm: ''\n",
        "- 1\n- [a, b]\n- {c: d}\n- |-\n  block\n  text\n- 'quoted: 1'\n",
        "",
        "a: &x 1\nb: *x\n",
        "a: !!binary aGVsbG8=\n",
        "a: 1\na: 2\n",
        "1: x\n",
        "<<: {a: 1}\n",
    ],
)
def test_the_fast_reader_reads_what_the_safe_yaml_loader_reads(text: str) -> None:
    assert repr(Serializer.deserialize_yaml(text)) == repr(yaml.load(text, Loader=yaml.SafeLoader))


def test_a_recorded_cassette_is_read_the_same_by_the_fast_reader(api: Api, write_flow: Callable[..., Path], tmp_path: Path) -> None:
    text = _record(api, write_flow, tmp_path / "order.yaml")
    assert fast_load(text) == yaml.load(text, Loader=yaml.SafeLoader)
