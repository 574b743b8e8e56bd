"""JSON and JUnit reports of passed and failed runs."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from orderspec.engine import Masker, RequestFailed, run_flow
from orderspec.report import json_report, junit_xml

from .conftest import context

FLOW = """steps:
  - name: basket
    request: {method: POST, url: /baskets}
    capture: {basket_id: response.body.id}
  - name: skipped
    when: "false"
    request: {method: GET, url: /x}
  - name: broken
    request: {method: GET, url: "/text?status=500&k={{ secrets.token }}"}
outputs:
  basket: vars.basket_id
"""


def _failed(server, flow_of):
    with pytest.raises(RequestFailed) as info:
        run_flow(flow_of(FLOW), context(server))
    return info.value.result


def test_json_report_of_a_failed_run(server, flow_of):
    result = _failed(server, flow_of)
    data = json.loads(json_report(result, Masker(["s3cr3t-token"])))
    assert data["ok"] is False and "500 Internal Server Error" in data["error"]
    assert [(s["path"], s["outcome"]) for s in data["steps"]] == [("basket", "ok"), ("skipped", "skipped"), ("broken", "failed")]
    assert data["steps"][0]["status"] == 201 and "k=***" in data["steps"][2]["url"]
    assert "s3cr3t-token" not in json.dumps(data)


def test_junit_report_marks_failures_and_skips(server, flow_of):
    result = _failed(server, flow_of)
    root = ElementTree.fromstring(junit_xml(result, Masker(["s3cr3t-token"])))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "test"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["broken"].find("failure") is not None and "500" in cases["broken"].find("failure").get("message")
    assert cases["skipped"].find("skipped") is not None
    assert cases["basket"].find("failure") is None


def test_json_report_of_a_passed_run(server, flow_of):
    result = run_flow(flow_of(FLOW.split("  - name: broken")[0] + "outputs:\n  basket: vars.basket_id\n"), context(server))
    data = json.loads(json_report(result))
    assert data["ok"] is True and isinstance(data["outputs"]["basket"], int) and data["error"] is None


def test_signed_url_query_credentials_are_masked_even_without_secrets() -> None:
    mask = Masker(())
    text = mask("PUT http://127.0.0.1:9/_storage/o/a.stl?expires=1700000000&signature=9f2c1ab0&X-Goog-Credential=svc")
    assert text == "PUT http://127.0.0.1:9/_storage/o/a.stl?expires=1700000000&signature=***&X-Goog-Credential=***"
    assert mask("GET http://x/?page=2&pageSize=10") == "GET http://x/?page=2&pageSize=10"
