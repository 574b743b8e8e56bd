"""Uploads to the 3YOURMIND sandbox: both paths, the form fields, analysis timing and bad uploads."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _threeyourmind_client import token_client, wait_for_analysis

from orderspec.sandbox import SandboxConfigError, create_app
from orderspec.sandbox._config import SandboxConfig
from orderspec.sandbox.testing import RunningSandbox, running_sandbox

SP = "/api/v2.0/service-panel/services/1"
STL = b"solid cube\nendsolid cube\n" * 20


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    with running_sandbox("3yourmind", SandboxConfig(options={"max_upload_bytes": 64 * 1024})) as running:
        yield running


@pytest.fixture
def api(server: RunningSandbox) -> Iterator[httpx.Client]:
    with token_client(server) as client:
        yield client


@pytest.fixture
def line(api: httpx.Client) -> tuple[int, int]:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    return basket_id, api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]


def _line_file(api: httpx.Client, basket_id: int, line_id: int) -> Any:
    return api.get(f"{SP}/baskets/{basket_id}/lines/{line_id}/").json()["file"]


@pytest.mark.parametrize("path", ["/api/v2.0/files/", "/upload/"])
def test_upload_attaches_the_file_to_the_line(api: httpx.Client, line: tuple[int, int], path: str) -> None:
    basket_id, line_id = line
    r = api.post(path, files={"file": ("cube_10_inch.stl", STL, "model/x.stl-binary")}, data={"basket_id": basket_id, "line_id": line_id, "unit": "inch"})
    assert r.status_code == 201
    uploaded = r.json()
    assert uploaded["name"] == "cube_10_inch.stl" and uploaded["unit"] == "inch" and uploaded["size"] == len(STL)
    assert uploaded["basketId"] == basket_id and uploaded["lineId"] == line_id and uploaded["status"] == "analysing"
    # analysing for the first two status reads (analysis_polls), then finished; reading the line does not count
    assert _line_file(api, basket_id, line_id) == {"uuid": uploaded["uuid"], "name": "cube_10_inch.stl", "unit": "inch", "status": "analysing"}
    assert wait_for_analysis(api, f"/api/v2.0/files/status/{uploaded['uuid']}/") == ["analysing", "analysing", "finished"]
    assert _line_file(api, basket_id, line_id)["status"] == "finished"
    assert api.get(f"/api/v2.0/files/status/{uploaded['uuid']}/").json() == {"status": "finished"}


def test_basket_and_line_may_come_as_query_parameters(api: httpx.Client, line: tuple[int, int]) -> None:
    basket_id, line_id = line
    r = api.post("/api/v2.0/files/", params={"basket_id": basket_id, "line_id": line_id}, files={"file": ("q.stl", STL)}, data={"unit": "mm"})
    assert r.status_code == 201 and r.json()["lineId"] == line_id
    assert _line_file(api, basket_id, line_id)["unit"] == "mm"


def test_upload_without_a_line_starts_one_and_without_a_basket_stands_alone(api: httpx.Client) -> None:
    basket_id = api.post(f"{SP}/baskets/").json()["id"]
    r = api.post("/upload/", files={"file": ("new.stl", STL)}, data={"basket_id": basket_id, "unit": "mm"})
    assert r.status_code == 201
    lines = api.get(f"{SP}/baskets/{basket_id}/lines/").json()
    assert [item["id"] for item in lines] == [r.json()["lineId"]] and lines[0]["file"]["name"] == "new.stl"
    alone = api.post("/upload/", files={"file": ("loose.stl", STL)}, data={"unit": "mm"})
    assert alone.status_code == 201 and alone.json()["basketId"] is None and alone.json()["lineId"] is None


def test_a_second_upload_replaces_the_lines_file(api: httpx.Client, line: tuple[int, int]) -> None:
    basket_id, line_id = line
    for name in ("first.stl", "second.obj"):
        api.post("/api/v2.0/files/", files={"file": (name, STL)}, data={"basket_id": basket_id, "line_id": line_id, "unit": "mm"})
    assert _line_file(api, basket_id, line_id)["name"] == "second.obj"


def test_the_seed_upload_needs_no_token_but_refuses_a_wrong_one(server: RunningSandbox, api: httpx.Client, line: tuple[int, int]) -> None:
    basket_id, line_id = line
    data = {"basket_id": basket_id, "line_id": line_id, "unit": "inch"}
    assert httpx.post(f"{server.base_url}/api/v2.0/files/", files={"file": ("a.stl", STL)}, data=data).status_code == 201
    r = httpx.post(f"{server.base_url}/api/v2.0/files/", files={"file": ("a.stl", STL)}, data=data, headers={"Authorization": "Token stolen"})
    assert r.status_code == 401 and r.json() == {"detail": "Invalid token."}
    assert httpx.get(f"{server.base_url}/api/v2.0/files/status/x/").status_code == 401


def test_the_recorded_order_knows_the_files_hash(api: httpx.Client, line: tuple[int, int]) -> None:
    basket_id, line_id = line
    api.patch(f"{SP}/baskets/{basket_id}/", json={"customer_id": 101})
    api.patch(f"{SP}/baskets/{basket_id}/lines/{line_id}/", json={"offer_id": 24, "quantity": 2})
    api.post("/upload/", files={"file": ("resin.stl", STL)}, data={"basket_id": basket_id, "line_id": line_id, "unit": "mm"})
    assert wait_for_analysis(api, f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/")[-1] == "finished"
    body = {"basketId": basket_id, "billingAddressId": 201, "shipping": {"methodId": 41, "addressId": 201}, "payment": {"methodId": 61}, "userId": 101}
    assert api.post(f"{SP}/internal-ordering/orders/", json=body).status_code == 201
    (order,) = api.get("/_sandbox/orders").json()
    assert order["lines"][0]["file"]["sha256"] == hashlib.sha256(STL).hexdigest()
    assert order["lines"][0]["materialName"] == "Standard Resin" and order["lines"][0]["quantity"] == 2
    late = api.post("/upload/", files={"file": ("late.stl", STL)}, data={"basket_id": basket_id, "line_id": line_id, "unit": "mm"})
    assert late.status_code == 400 and late.json() == {"basketId": ["This basket has already been ordered."]}


def test_a_large_upload_is_recorded_with_its_size_and_hash(sandbox: Any) -> None:
    """3 MiB: beyond what the form parser keeps in memory, so the file is spooled to disk and hashed there."""
    model = bytes(range(256)) * (3 * 4096)
    with httpx.Client(base_url=sandbox("3yourmind").base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        basket_id = api.post(f"{SP}/baskets/").json()["id"]
        line_id = api.post(f"{SP}/baskets/{basket_id}/lines/").json()["id"]
        api.patch(f"{SP}/baskets/{basket_id}/", json={"customer_id": 101})
        api.patch(f"{SP}/baskets/{basket_id}/lines/{line_id}/", json={"offer_id": 24, "quantity": 1})
        r = api.post("/upload/", files={"file": ("big.stl", model)}, data={"basket_id": basket_id, "line_id": line_id, "unit": "mm"})
        assert r.status_code == 201 and r.json()["size"] == len(model)
        assert wait_for_analysis(api, f"{SP}/baskets/{basket_id}/lines/{line_id}/file-status/")[-1] == "finished"
        body = {"basketId": basket_id, "billingAddressId": 201, "shipping": {"methodId": 41, "addressId": 201}, "payment": {"methodId": 61}, "userId": 101}
        assert api.post(f"{SP}/internal-ordering/orders/", json=body).status_code == 201
        (order,) = api.get("/_sandbox/orders").json()
        assert order["lines"][0]["file"]["sha256"] == hashlib.sha256(model).hexdigest()
        assert order["lines"][0]["file"]["size"] == len(model)


def test_text_fields_come_from_text_parts_only(api: httpx.Client, line: tuple[int, int]) -> None:
    """A file part called ``unit`` is not the unit; of repeated text parts the first counts."""
    basket_id, line_id = line
    files = [("unit", ("unit.txt", b"cm")), ("file", ("a.stl", STL))]
    r = api.post("/upload/", files=files, data={"unit": ["inch", "mm"], "basket_id": str(basket_id), "line_id": str(line_id)})
    assert r.status_code == 201 and r.json()["unit"] == "inch"


@pytest.mark.parametrize(
    ("files", "data", "errors"),
    [
        ({"model": ("a.stl", STL)}, {"unit": "mm"}, {"file": ["No file was submitted."]}),
        (None, {"unit": "mm", "file": "cube.stl"}, {"file": ["The submitted data was not a file. Check the encoding type on the form."]}),
        ({"file": ("empty.stl", b"")}, {"unit": "mm"}, {"file": ["The submitted file is empty."]}),
        (
            {"file": ("notes.txt", b"hello")},
            {"unit": "mm"},
            {"file": ["File extension “txt” is not allowed. Allowed extensions are: stl, obj, 3mf, step, stp, iges, igs, ply, wrl, x_t, sldprt, zip."]},
        ),
        ({"file": ("a.stl", STL)}, {}, {"unit": ["This field is required."]}),
        ({"file": ("a.stl", STL)}, {"unit": "cm"}, {"unit": ['"cm" is not a valid choice.']}),
        ({"file": ("a.stl", STL)}, {"unit": "mm", "basket_id": "one"}, {"basketId": ["A valid integer is required."]}),
        ({"file": ("a.stl", STL)}, {"unit": "mm", "basket_id": "77"}, {"basketId": ['Invalid pk "77" - object does not exist.']}),
        ({"file": ("a.stl", STL)}, {"unit": "mm", "line_id": "5001"}, {"basketId": ["This field is required."]}),
    ],
)
def test_bad_uploads_get_field_errors(api: httpx.Client, files: Any, data: dict[str, str], errors: dict[str, Any]) -> None:
    r = api.post("/api/v2.0/files/", files=files if files is not None else {"x": ("ignored.bin", b"x")}, data=data)
    assert r.status_code == 400
    assert r.json() == errors
    assert api.get("/_sandbox/requests").json()["POST /api/v2.0/files/"] == 1


def test_a_line_of_another_basket_is_refused(api: httpx.Client, line: tuple[int, int]) -> None:
    _, line_id = line
    other = api.post(f"{SP}/baskets/").json()["id"]
    r = api.post("/upload/", files={"file": ("a.stl", STL)}, data={"basket_id": other, "line_id": line_id, "unit": "mm"})
    assert r.status_code == 400 and r.json() == {"lineId": [f'Invalid pk "{line_id}" - object does not exist.']}


def test_a_file_part_without_filename_is_not_a_file(server: RunningSandbox) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nsolid\r\n--b\r\nContent-Disposition: form-data; name="unit"\r\n\r\nmm\r\n--b--\r\n'
    r = httpx.post(f"{server.base_url}/upload/", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 400
    assert r.json() == {"file": ["The submitted data was not a file. Check the encoding type on the form."]}


@pytest.mark.parametrize(
    ("content_type", "body", "status", "detail"),
    [
        ("application/json", b'{"unit": "mm"}', 415, 'Unsupported media type "application/json" in request.'),
        ("", b"", 415, 'Unsupported media type "" in request.'),
        ("multipart/form-data", b"--x\r\n", 400, "Multipart form parse error - Missing boundary in multipart."),
        ("multipart/form-data; boundary=x", b"garbage", 400, "Multipart form parse error - Invalid multipart data."),
        ("multipart/form-data; boundary=x", b"--x\r\nno blank line\r\n--x--\r\n", 400, "Multipart form parse error - Invalid multipart data."),
        ("multipart/form-data; boundary=x", b"--xgarbage\r\n", 400, "Multipart form parse error - Invalid multipart data."),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n",
            400,
            'Multipart form parse error - The Content-Disposition header field "name" must be provided.',
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="a"; filename="a.stl"\r\n\r\nv\r\n' * 101 + b"--x--\r\n",
            400,
            "Multipart form parse error - Too many files. Maximum number of files is 100.",
        ),
        ("multipart/form-data; boundary=x", b"x" * (65 * 1024), 413, "Request body is larger than 65536 bytes."),
    ],
)
def test_malformed_uploads_get_a_detail(server: RunningSandbox, content_type: str, body: bytes, status: int, detail: str) -> None:
    r = httpx.post(f"{server.base_url}/api/v2.0/files/", content=body, headers={"Content-Type": content_type} if content_type else {})
    assert r.status_code == status
    assert r.json() == {"detail": detail}
    assert server.app.app.state.sandbox.unexpected_errors == 0


def test_an_oversized_stream_without_length_is_cut_off(server: RunningSandbox) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.stl"\r\n\r\n'
        for _ in range(100):
            yield b"y" * 1024

    r = httpx.post(f"{server.base_url}/upload/", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413 and r.json() == {"detail": "Request body is larger than 65536 bytes."}


def test_analysis_takes_the_configured_time(sandbox: Any) -> None:
    running = sandbox("3yourmind", SandboxConfig(analysis_seconds=1.0, analysis_polls=0))
    with httpx.Client(base_url=running.base_url, headers={"Authorization": "Token sandbox-token"}) as api:
        started = time.monotonic()
        uploaded = api.post("/upload/", files={"file": ("slow.stl", STL)}, data={"unit": "mm"}).json()
        status_url = f"/api/v2.0/files/status/{uploaded['uuid']}/"
        assert uploaded["status"] == "analysing" and api.get(status_url).json() == {"status": "analysing"}
        while api.get(status_url).json() == {"status": "analysing"} and time.monotonic() - started < 10:
            time.sleep(0.05)
        assert time.monotonic() - started >= 1.0
        assert api.get(status_url).json() == {"status": "finished"}


def test_unknown_file_status_is_404(api: httpx.Client) -> None:
    r = api.get("/api/v2.0/files/status/00000000-0000-0000-0000-000000000000/")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


def test_upload_only_accepts_post(api: httpx.Client) -> None:
    r = api.get("/upload/")
    assert r.status_code == 405 and r.json() == {"detail": 'Method "GET" not allowed.'}


def test_a_bad_upload_limit_stops_the_sandbox_from_starting() -> None:
    with pytest.raises(SandboxConfigError) as caught:
        create_app("3yourmind", SandboxConfig(options={"max_upload_bytes": "lots"}))
    assert "options.max_upload_bytes must be a positive number of bytes, not 'lots'" in str(caught.value)


def test_analysis_polls_is_a_sandbox_setting(tmp_path: Any) -> None:
    from orderspec.sandbox import SandboxConfigError, load_config

    assert SandboxConfig().analysis_polls == 2
    (tmp_path / "slow.yaml").write_text("analysis_polls: 5\n")
    assert load_config(tmp_path / "slow.yaml").analysis_polls == 5
    for bad in ("-1", "2.5", "true", "soon"):
        (tmp_path / "bad.yaml").write_text(f"analysis_polls: {bad}\n")
        with pytest.raises(SandboxConfigError, match="analysis_polls must be a whole number of status reads"):
            load_config(tmp_path / "bad.yaml")
