"""Converted constructs behave in the engine as they did in the HTTP Client."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from orderspec.engine import load_flow, run_flow
from orderspec.httpfile import import_http

from .conftest import Server

HTTP = """\
@greeting = hello
@count = 3
@auth = Bearer {{request_id}}

### Start
POST {{base}}/echo/start?n={{$randomInt}}&dice={{$random.integer(1, 7)}}
Content-Type: application/json
X-Request-Id: {{$uuid}}

{"greeting": "{{greeting}}", "count": {{count}}, "label": "{{count}}", "at": {{$timestamp}}}

> {%
    client.global.set("size", response.body.size);
    client.global.set("request_id", response.body.headers["x-request-id"]);
%}

### Follow up
PUT {{base}}/echo/next/{{request_id}}
Content-Type: application/json
Authorization: {{auth}}

{"size": {{size}}, "size_text": "{{size}}", "again": "{{greeting}} {{count}}"}

### Upload
PUT {{base}}/echo/blob
Content-Type: application/octet-stream

< ./blob.bin
"""

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_dynamic_variables_captures_and_file_bodies_run(tmp_path: Path, service_panel: Server) -> None:
    (tmp_path / "api.http").write_text(HTTP)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01" * 1000)
    out = tmp_path / "api.yaml"
    result = import_http(tmp_path / "api.http", out)
    out.write_text(result.text)
    assert [w.message.split(" ")[0] for w in result.warnings] == ["{{base}}"]
    with httpx.Client(timeout=10) as client:
        run_flow(load_flow(out), {"vars": {"base": service_panel.base_url}}, client=client)
    start, follow, upload = service_panel.state.requests
    assert 0 <= int(start.query["n"]) < 1000 and 1 <= int(start.query["dice"]) < 7
    request_id = start.headers["x-request-id"]
    assert UUID4.match(request_id)
    assert start.json["greeting"] == "hello" and start.json["count"] == 3 and start.json["label"] == "3"
    assert isinstance(start.json["at"], int)
    assert follow.path == f"/echo/next/{request_id}"
    size = int(start.headers["content-length"])  # what the echo answered as response.body.size
    assert (follow.json["size"], follow.json["size_text"]) == (size, str(size))
    assert follow.json["again"] == "hello 3"
    assert follow.headers["authorization"] == f"Bearer {request_id}"
    assert (upload.method, upload.headers["content-type"], upload.headers["content-length"]) == ("PUT", "application/octet-stream", "2000")
