"""Request bodies: JSON, form, multipart and raw files streamed from disk, ZIPs built while sending."""

from __future__ import annotations

import hashlib
import json
import os
import tracemalloc
from pathlib import Path

import pytest

from orderspec.engine import FlowError, run_flow
from orderspec.engine import _events as ev

from .conftest import context


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    model = tmp_path / "cube.stl"
    model.write_bytes(os.urandom(300_000))
    photo = tmp_path / "photos" / "one.jpg"
    photo.parent.mkdir()
    photo.write_bytes(os.urandom(70_000))
    return {"model": model, "photo": photo}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_multipart_fields_and_file(server, flow_of, files):
    flow = flow_of(
        "steps:\n  - name: upload\n    request:\n      method: POST\n      url: /files\n"
        "      headers: {Content-Type: 'multipart/form-data; boundary=boundary'}\n"
        "      multipart:\n        fields: {basket_id: '{{ vars.basket }}', unit: inch, flag: true}\n"
        "        files:\n          file: {path: cube.stl, filename: 'test (copy).stl', content_type: model/x.stl-binary}\n"
        "    capture: {got: response.body}\n"
    )
    events: list[ev.Event] = []
    result = run_flow(flow, context(server, vars={"basket": 12}), on_event=events.append)
    got = result.vars["got"]
    assert got["fields"] == {"basket_id": "12", "unit": "inch", "flag": "true"}
    sent = got["files"]["file"]
    assert sent["filename"] == "test (copy).stl" and sent["content_type"] == "model/x.stl-binary"
    assert sent["size"] == 300_000 and sent["sha256"] == _sha(files["model"])
    assert got["content_length"] is not None  # the size is known, so no chunked encoding
    progress = [e for e in events if isinstance(e, ev.UploadProgress)]
    assert progress and progress[-1].sent == progress[-1].total == int(got["content_length"])


def test_content_body_streams_a_file_with_its_length(server, flow_of, files):
    flow = flow_of(
        "steps:\n  - name: put\n    request:\n      method: PUT\n      url: /upload\n"
        "      content: {path: '{{ order.file }}', content_type: application/octet-stream}\n"
        "    capture: {got: response.body}\n"
    )
    got = run_flow(flow, context(server, order={"file": str(files["model"])})).vars["got"]
    assert got == {
        "size": 300_000,
        "sha256": _sha(files["model"]),
        "content_type": "application/octet-stream",
        "content_length": "300000",
        "chunked": False,
    }


def test_zip_built_while_sending(server, flow_of, files):
    flow = flow_of(
        "steps:\n  - name: data\n    request:\n      method: POST\n      url: /files\n"
        "      multipart:\n        files:\n          file:\n            filename: order.zip\n"
        "            zip: [{path: cube.stl, name: model.stl}, {path: photos/one.jpg}]\n"
        "    capture: {got: response.body}\n"
        "  - name: raw\n    request:\n      method: PUT\n      url: /upload\n"
        "      content: {zip: '{{ order.entries }}'}\n    capture: {raw: response.body}\n"
    )
    result = run_flow(flow, context(server, order={"entries": [str(files["photo"])]}))
    sent = result.vars["got"]["files"]["file"]
    assert sent["filename"] == "order.zip" and sent["content_type"] == "application/zip"
    assert sent["entries"] == {"model.stl": 300_000, "one.jpg": 70_000}
    assert result.vars["got"]["content_length"] is None  # built on the fly: chunked
    assert result.vars["raw"]["chunked"] and result.vars["raw"]["content_type"] == "application/zip"


def test_same_files_give_the_same_zip_bytes(server, flow_of, files):
    flow = flow_of("steps:\n  - name: raw\n    request: {method: PUT, url: /upload, content: {zip: [cube.stl]}}\n    capture: {raw: response.body}\n")
    first = run_flow(flow, context(server)).vars["raw"]["sha256"]
    assert run_flow(flow, context(server)).vars["raw"]["sha256"] == first


def test_missing_file_names_step_and_path(server, flow_of):
    flow = flow_of("steps:\n  - name: put\n    request: {method: PUT, url: /upload, content: {path: nope.bin}}\n")
    with pytest.raises(FlowError) as info:
        run_flow(flow, context(server))
    assert "step 'put'" in str(info.value) and "file not found" in str(info.value) and "nope.bin" in str(info.value)


def test_json_form_params_and_headers(server, flow_of):
    flow = flow_of(
        "headers:\n  Accept: application/json\n  X-Flow: flow\n  X-Drop: gone\n"
        "steps:\n  - name: json\n    request:\n      method: POST\n      url: /echo\n"
        "      params: {a: '{{ vars.n }}', skip: null}\n"
        "      headers: {X-Flow: step, X-Drop: null, X-Id: '{{ vars.n }}'}\n"
        "      json: {n: '{{ vars.n }}', text: 'n={{ vars.n }}', list: ['{{ vars.n }}', x], none: null}\n"
        "    capture: {j: response.body}\n"
        "  - name: form\n    request:\n      method: POST\n      url: /echo\n      form: {a: '{{ vars.n }}', b: [x, y]}\n"
        "    capture: {f: response.body}\n"
    )
    result = run_flow(flow, context(server, vars={"n": 5}))
    j, f = result.vars["j"], result.vars["f"]
    assert json.loads(j["body"]) == {"n": 5, "text": "n=5", "list": [5, "x"], "none": None}
    assert j["query"] == {"a": "5"}
    assert j["headers"]["x-flow"] == "step" and "x-drop" not in j["headers"] and j["headers"]["x-id"] == "5"
    assert j["headers"]["content-type"] == "application/json"
    assert f["body"] == "a=5&b=x&b=y" and f["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_absolute_urls_bypass_base_url(server, flow_of):
    flow = flow_of("steps:\n  - name: signed\n    request: {method: GET, url: '{{ order.signed }}'}\n    capture: {path: response.body.path}\n")
    result = run_flow(flow, {"target": {"base_url": "http://127.0.0.1:1/nowhere"}, "order": {"signed": server.base_url + "/echo?sig=abc"}})
    assert result.vars["path"] == "/echo"


def test_large_upload_is_not_held_in_memory(server, flow_of, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(64 << 20)
    flow = flow_of("steps:\n  - name: put\n    request: {method: PUT, url: /upload, content: {path: big.bin}}\n    capture: {size: response.body.size}\n")
    tracemalloc.start()
    try:
        result = run_flow(flow, context(server))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.vars["size"] == 64 << 20
    assert peak < 16 << 20  # a few 1 MiB chunks in flight, never the 64 MiB file


def test_file_gone_while_sending_is_a_clear_error(tmp_path):
    from orderspec.engine._http import BodyError, _file_chunks, confine_to

    with pytest.raises(BodyError, match=r"cannot read .*gone.bin"):
        list(_file_chunks(tmp_path / "gone.bin", confine_to(tmp_path), 0))
