"""Converting .http files into flows: what each construct becomes, and what is reported."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from orderspec._resources import schema_path
from orderspec.engine import load_flow
from orderspec.httpfile import HttpFileError, convert, import_http, parse_http

from .conftest import DATA

SCHEMA = json.loads(schema_path("flow.schema.json").read_text())


def _convert(text: str, tmp_path: Path | None = None) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    path = str(tmp_path / "api.http") if tmp_path else "api.http"
    conversion = convert(parse_http(text, path), flow_dir=tmp_path)
    jsonschema.validate(conversion.flow, SCHEMA)
    return conversion.flow, [(w.line, w.message) for w in conversion.warnings]


def test_seed_example_flow(tmp_path: Path) -> None:
    out = tmp_path / "flow.yaml"
    result = import_http(DATA / "service-panel.http", out)
    flow = result.conversion.flow
    jsonschema.validate(flow, SCHEMA)
    assert flow["base_url"] == "{{ vars.host }}"
    assert flow["vars"] == {"host": "http://multi.my.3yd", "service_id": 1}
    assert flow["headers"] == {"Accept": "application/json", "Authorization": "Token {{ secrets.token }}"}
    assert result.conversion.secrets == {"token": "TOKEN"}
    steps = flow["steps"]
    assert [s["name"] for s in steps] == [
        "GET users", "POST baskets", "PATCH baskets {basked_id}", "GET addresses", "GET payment-methods",
        "GET shipping-methods", "GET offers", "POST lines", "PATCH lines {line_id}", "POST files",
        "GET file-status", "POST orders",
    ]  # fmt: skip
    # every step that is not a read has its effect written out: a POST creates (the safe assumption), PATCH writes
    assert [s.get("effect") for s in steps] == [None, "create", "write", None, None, None, None, "create", "write", "create", None, "place"]
    assert [(p.line, p.message.split(":")[0]) for p in result.inferred] == [
        (17, "step 'POST baskets'"), (28, "step 'PATCH baskets {basked_id}'"), (82, "step 'POST lines'"),
        (93, "step 'PATCH lines {line_id}'"), (105, "step 'POST files'"), (133, "step 'POST orders'"),
    ]  # fmt: skip
    assert "effect create inferred for a POST" in result.inferred[0].message
    assert "effect write inferred for a PATCH" in result.inferred[1].message
    assert "effect place inferred" in result.inferred[5].message
    assert steps[0]["request"] == {
        "method": "GET",
        "url": "/api/v2.0/service-panel/services/{{ vars.service_id }}/internal-ordering/users/",
        "params": {"search": "Ortega"},
    }
    assert steps[0]["capture"] == {"customer_id": "response.body.results[0].id"}
    assert steps[3]["capture"] == {"customer_address_id": "response.body[2].id"}
    assert steps[2]["request"]["json"] == {"customer_id": "{{ vars.customer_id }}"}
    assert steps[8]["request"]["json"] == {"offer_id": "{{ vars.offer_id }}", "postProcessings": [], "unitPrintPrice": "12.34"}
    assert steps[9]["request"]["multipart"] == {
        "fields": {"basket_id": "{{ vars.basked_id }}", "line_id": "{{ vars.line_id }}", "unit": "inch"},
        "files": {
            "file": {
                "path": Path(os.path.relpath(DATA / "cube_10_inch.stl", tmp_path)).as_posix(),
                "filename": "test_areas (copy).stl",
                "content_type": "model/x.stl-binary",
            }
        },
    }
    body = steps[11]["request"]["json"]
    assert (body["basketId"], body["userId"], body["pickupLocationId"], body["shipping"]["methodId"]) == (
        "{{ vars.basked_id }}", "{{ vars.customer_id }}", None, "{{ vars.shipping_method_id }}",
    )  # fmt: skip
    assert [w.line for w in result.warnings] == [3, 8, 105, 108, 112, 127]
    assert "cube_10_inch.stl is outside the flow's folder" in result.warnings[4].message  # the flow is written elsewhere
    assert result.warnings[5].message.startswith("step 'GET file-status' reads the analysis status once")
    assert "--secret token=TOKEN" in result.warnings[0].message
    assert "dd247ae0d9cddcefa32e3ef502c4798b6ae531d8" not in result.text


def test_yaml_text_is_readable_and_loads_as_a_flow(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "flow.schema.json").write_bytes(schema_path("flow.schema.json").read_bytes())
    (tmp_path / "flows").mkdir()
    out = tmp_path / "flows" / "flow.yaml"
    text = import_http(DATA / "service-panel.http", out).text
    out.write_text(text)
    first, second = text.splitlines()[:2]
    # the schema of the user's own project, found above the flow; never a path into the installation
    assert first == "# yaml-language-server: $schema=../schemas/flow.schema.json"
    assert second == "apiVersion: orderspec/v1"
    assert "{" not in text.replace("{{", "").replace("}}", "").replace("{}", "").replace("{basked_id}", "").replace("{line_id}", "")
    step = text[text.index("  - name: GET users") :].split("\n\n")[0]
    assert [line.strip().split(":")[0] for line in step.splitlines() if line.startswith(("  - ", "    ")) and not line.startswith("      ")] == [
        "- name", "request", "capture",
    ]  # fmt: skip
    assert yaml.safe_load(text) == import_http(DATA / "service-panel.http", out).conversion.flow
    assert len(load_flow(out).steps) == 12


def test_in_file_variables_and_typed_json_references() -> None:
    flow, warnings = _convert(
        "@host = https://api.example.com\n"
        "@count = 3\n"
        "@label = Spring sale\n"
        "\n"
        "### Create\n"
        "POST {{host}}/items\n"
        "Content-Type: application/json\n"
        "\n"
        '{"count": {{count}}, "label": "{{label}}", "copies": "{{count}}", "note": "for {{label}}",\n'
        ' "ref": {{ref}}, "size": "{{size}}"}\n'
        "\n"
        '> {% client.global.set("size", response.body.size); %}\n'
    )
    assert flow["base_url"] == "{{ vars.host }}"
    assert flow["vars"] == {"host": "https://api.example.com", "count": 3, "label": "Spring sale"}
    (step,) = flow["steps"]
    assert step["name"] == "Create"
    assert step["request"]["url"] == "/items"
    assert "headers" not in step["request"]  # application/json is implied by the json body
    assert step["request"]["json"] == {
        "count": "{{ vars.count }}",
        "label": "{{ vars.label }}",
        "copies": "{{ vars.count | string }}",
        "note": "for {{ vars.label }}",
        "ref": "{{ vars.ref }}",
        "size": "{{ vars.size | string }}",
    }
    assert warnings == [(10, "{{ref}} is not defined in the file (an HTTP Client environment value?); run the flow with --var ref=<value>")]


def test_dynamic_variables() -> None:
    flow, warnings = _convert(
        "POST https://x.test/events?n={{$randomInt}}\n"
        "Content-Type: application/json\n"
        "X-Request-Id: {{$uuid}}\n"
        "\n"
        '{"at": {{$timestamp}}, "id": "{{$random.uuid}}", "pick": {{$random.integer(1, 6)}}, "mail": "{{$random.email}}"}\n'
    )
    request = flow["steps"][0]["request"]
    assert request["params"] == {"n": "{{ range(1000) | random }}"}
    assert request["headers"]["X-Request-Id"] == "{{ uuid() }}"
    assert request["json"]["at"] == "{{ timestamp() }}"
    assert request["json"]["pick"] == "{{ range(1, 6) | random }}"
    assert request["json"]["mail"] == "{{ '{{$random.email}}' }}"
    assert "timestamp" not in flow.get("vars", {})
    assert [line for line, _ in warnings] == [5]
    assert any("{{$random.email}} is not converted" in message for _, message in warnings)


def test_credentials_become_secrets_and_never_reach_the_flow() -> None:
    text = (
        "@api_key = k-123456\n"
        "@user = alice\n"
        "< {%\n"
        '  client.global.set("clientSecret", "s-abcdef");\n'
        '  client.global.set("tenant", "acme");\n'
        "%}\n"
        "GET https://x.test/a?tenant={{tenant}}\n"
        "X-Api-Key: {{api_key}}\n"
        "X-Secret: {{clientSecret}}\n"
        "X-User: {{user}}\n"
        "\n"
        "###\n"
        "GET https://x.test/b\n"
        "Authorization: Bearer eyJhbGciOi.literal\n"
    )
    conversion = convert(parse_http(text, "api.http"))
    flow = conversion.flow
    dumped = json.dumps(flow)
    assert "k-123456" not in dumped and "s-abcdef" not in dumped and "eyJhbGciOi" not in dumped
    assert flow["vars"] == {"host": "https://x.test", "user": "alice", "tenant": "acme"}
    first, second = flow["steps"]
    assert first["request"]["headers"] == {
        "X-Api-Key": "{{ secrets.api_key }}",
        "X-Secret": "{{ secrets.clientSecret }}",
        "X-User": "{{ vars.user }}",
    }
    assert second["request"]["headers"] == {"Authorization": "Bearer {{ secrets.authorization }}"}
    assert conversion.secrets == {"api_key": "API_KEY", "clientSecret": "CLIENT_SECRET", "authorization": "AUTHORIZATION"}
    lines = {w.line: w.message for w in conversion.warnings}
    assert "run with --secret api_key=API_KEY" in lines[1]
    assert "run with --secret clientSecret=CLIENT_SECRET" in lines[4]
    assert "run with --secret authorization=AUTHORIZATION" in lines[14]


def test_file_bodies_and_multipart(tmp_path: Path) -> None:
    (tmp_path / "payload.json").write_text("{}")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    flow, warnings = _convert(
        "PUT https://x.test/upload/{{name}}\n"
        "Content-Type: application/octet-stream\n"
        "\n"
        "< ./payload.json\n"
        "\n"
        "###\n"
        "POST https://x.test/photos\n"
        "Content-Type: multipart/form-data; boundary=WebAppBoundary\n"
        "\n"
        "--WebAppBoundary\n"
        'Content-Disposition: form-data; name="title"\n'
        "\n"
        "Holiday {{name}}\n"
        "--WebAppBoundary\n"
        'Content-Disposition: form-data; name="photo"; filename="beach.jpg"\n'
        "Content-Type: image/jpeg\n"
        "\n"
        "< ./photo.jpg\n"
        "--WebAppBoundary\n"
        'Content-Disposition: form-data; name="missing"; filename="gone.bin"\n'
        "\n"
        "< ./gone.bin\n"
        "--WebAppBoundary--\n",
        tmp_path,
    )
    put, post = flow["steps"]
    assert put["request"]["content"] == {"path": "payload.json", "content_type": "application/octet-stream"}
    assert "headers" not in put["request"]
    assert post["request"]["multipart"] == {
        "fields": {"title": "Holiday {{ vars.name }}"},
        "files": {
            "photo": {"path": "photo.jpg", "filename": "beach.jpg", "content_type": "image/jpeg"},
            "missing": {"path": "gone.bin", "filename": "gone.bin"},
        },
    }
    assert "headers" not in post["request"]
    assert (22, f"./gone.bin does not exist (relative to {tmp_path / 'api.http'}); the flow will fail until it does") in warnings


def test_form_bodies_timeouts_and_unconvertible_parts() -> None:
    flow, warnings = _convert(
        "# @name login\n"
        "# @timeout 20\n"
        "# @no-redirect\n"
        "POST https://x.test/login HTTP/2\n"
        "Content-Type: application/x-www-form-urlencoded\n"
        "\n"
        "user=alice&\n"
        "lang={{lang}}\n"
        "\n"
        '> {% client.global.set("session", response.body.session); client.test("ok", function() {}); %}\n'
        "<> ./login.200.json\n"
        "\n"
        "###\n"
        "POST https://x.test/notes\n"
        "Content-Type: text/plain\n"
        "\n"
        "hello\n"
        ">> ./saved.txt\n"
    )
    login, notes = flow["steps"]
    assert login["name"] == "login" and login["timeout"] == 20
    assert login["request"]["form"] == {"user": "alice", "lang": "{{ vars.lang }}"}
    assert login["capture"] == {"session": "response.body.session"}
    assert notes["request"] == {"method": "POST", "url": "/notes", "headers": {"Content-Type": "text/plain"}}
    messages = dict(warnings)
    assert messages[3] == "@no-redirect is not converted"
    assert messages[4] == "HTTP/2 is not converted; the flow uses HTTP/1.1"
    assert messages[10].startswith("response handler statement not converted: client.test(")
    assert messages[11].startswith("a response reference (<>)")
    assert messages[17].startswith("a text/plain body is not converted")
    assert messages[18] == "saving the response to a file (>> ./saved.txt) is not converted"


def test_invalid_json_and_headers_only_some_requests_share() -> None:
    flow, warnings = _convert(
        "GET https://a.test/one\nAccept: application/json\n\n###\n"
        "GET https://a.test/two\nAccept: application/json\n\n###\n"
        "POST https://b.test/three\nContent-Type: application/json\n\n{\"a\": 1,}\n"
    )
    assert flow["headers"] == {"Accept": "application/json"}
    assert flow["base_url"] == "{{ vars.host }}" and flow["vars"]["host"] == "https://a.test"
    one, _two, three = flow["steps"]
    assert (one["request"]["url"], three["request"]["url"]) == ("/one", "https://b.test/three")
    assert "json" not in three["request"]
    assert warnings == [
        (9, "this request sends no Accept; the converted step sends the flow's (add 'Accept: null' under its headers to send none)"),
        (12, "the JSON body is not valid JSON (Expecting property name enclosed in double quotes, column 9); body not converted"),
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "@a = 1\n###\n", "TRACE https://x.test/\n"])
def test_files_without_requests_fail(text: str) -> None:
    with pytest.raises(HttpFileError, match="^empty.http: holds no request a flow can send"):
        convert(parse_http(text, "empty.http"))


def test_references_in_json_keys_are_reported() -> None:
    flow, warnings = _convert('POST https://x.test/\nContent-Type: application/json\n\n{\n  {{k}}: 1,\n  "{{j}}": 2\n}\n')
    assert flow["steps"][0]["request"]["json"] == {"{{k}}": 1, "{{j}}": 2}
    assert [(line, message.split(";")[0]) for line, message in warnings] == [
        (5, "a reference in the JSON key '{{k}}' is not converted"),
        (6, "a reference in the JSON key '{{j}}' is not converted"),
    ]


def test_variables_that_refer_to_each_other() -> None:
    flow, warnings = _convert("@a = x{{b}}\n@b = y{{a}}\nGET https://x.test/{{a}}\n")
    assert flow["steps"][0]["request"]["url"] == "/{{ ('x' ~ ('y' ~ '{{a}}')) }}"
    assert warnings == [(2, "@a refers to itself; not converted")]


def test_variables_built_from_others() -> None:
    flow, warnings = _convert(
        "@api = {{origin}}/v1\n"
        "@origin = https://x.test\n"
        "@auth = Bearer {{session}}\n"
        "@who = {{user}}\n"
        "\n"
        "POST {{api}}/login\n"
        "\n"
        '> {% client.global.set("session", response.body.session); client.global.set("user", response.body.user); %}\n'
        "\n"
        "###\n"
        "GET {{api}}/me\n"
        "Authorization: {{auth}}\n"
        "X-User: {{who}}\n"
    )
    assert warnings == []
    assert flow["vars"] == {"origin": "https://x.test", "api": "{{ vars.origin }}/v1"}
    assert flow["base_url"] == "{{ vars.api }}"
    login, me = flow["steps"]
    assert login["capture"] == {"session": "response.body.session", "user": "response.body.user"}
    assert me["request"]["headers"] == {"Authorization": "{{ ('Bearer ' ~ vars.session) }}", "X-User": "{{ vars.user }}"}


def test_requests_a_flow_cannot_send_are_left_out() -> None:
    flow, warnings = _convert("TRACE https://x.test/a\n\n###\nFETCH https://x.test/b\n\n###\nGET https://x.test/c\n")
    assert [s["request"]["url"] for s in flow["steps"]] == ["/c"]
    assert warnings == [(1, "a flow cannot send TRACE requests; request not converted"), (4, "unknown HTTP method 'FETCH'")]


def test_a_host_header_with_a_path_only_request_line() -> None:
    flow, warnings = _convert("GET /status\nHost: api.example.com\n\n###\nGET https://other.test/x\nHost: vhost.example.com\n")
    assert warnings == []
    first, second = flow["steps"]
    assert flow["vars"]["host"] == "http://api.example.com"
    assert first["request"] == {"method": "GET", "url": "/status"}
    assert second["request"] == {"method": "GET", "url": "https://other.test/x", "headers": {"Host": "vhost.example.com"}}


@pytest.mark.parametrize(
    ("request_line", "warned"),
    [
        ("GET https://x.test/api/v2.0/user-panel/baskets/{{b}}/lines/{{l}}/file-status/", True),
        ("GET https://x.test/api/v2.0/files/status/{{uuid}}/", True),
        ("GET https://x.test/models/{{id}}/analysis", True),
        ("GET https://x.test/orders/{{id}}/status", False),  # an order's status, not an analysis
        ("POST https://x.test/files/{{id}}/file-status/", False),
    ],
)
def test_an_analysis_status_read_once_is_reported_with_a_poll_hint(request_line: str, warned: bool) -> None:
    _, warnings = _convert(request_line + "\n")
    polls = [message for _, message in warnings if "reads the analysis status once" in message]
    assert bool(polls) == warned
    if warned:
        hint = yaml.safe_load(polls[0].split("add to this step: ", 1)[1])
        assert hint == {
            "poll": {
                "until": "response.body.status == 'finished'",
                "fail_if": "response.body.status not in ['analysing', 'finished']",
                "every": 1,
                "timeout": 300,
            }
        }


def test_the_poll_hint_pasted_into_the_seed_flow_loads(tmp_path: Path) -> None:
    out = tmp_path / "flow.yaml"
    result = import_http(DATA / "service-panel.http", out)
    [warning] = [w for w in result.warnings if w.line == 127]
    flow = result.conversion.flow
    [step] = [s for s in flow["steps"] if s["name"] == "GET file-status"]
    step.update(yaml.safe_load(warning.message.split("add to this step: ", 1)[1]))
    jsonschema.validate(flow, SCHEMA)
    out.write_text(yaml.safe_dump(flow, sort_keys=False))
    loaded = load_flow(out)
    assert [s.name for s in loaded.steps if s.poll is not None] == ["GET file-status"]
