"""What a flow may send where: secrets to their own origin, files from the spec's and flow's folders, data in URL paths."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from orderspec.engine import FlowError, OutcomeUnknown, TemplateError, UploadProgress, run_flow

SECRET = "s3cr3t-value-42"


def _context(base_url: str, **extra: object) -> dict[str, object]:
    return {"target": {"base_url": base_url}, "secrets": {"token": SECRET}, **extra}


# -- secrets go to the origin of base_url only --------------------------------------------


def test_secrets_reach_the_origin_of_base_url(hostile, flow_of) -> None:
    flow = flow_of("steps:\n  - name: ok\n    request: {method: GET, url: /ok, headers: {Authorization: 'Bearer {{ secrets.token }}'}}\n")
    run_flow(flow, _context(hostile.base_url))
    assert hostile.seen[-1].headers["Authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize(
    "request_yaml",
    [
        "{method: GET, url: 'http://localhost:{{ vars.port }}/ok', headers: {X-Key: '{{ secrets.token }}'}}",
        "{method: GET, url: 'http://localhost:{{ vars.port }}/ok?k={{ secrets.token }}'}",
        "{method: POST, url: 'http://localhost:{{ vars.port }}/ok', json: {k: '{{ secrets.token | b64encode }}'}}",
        "{method: POST, url: 'http://localhost:{{ vars.port }}/ok', form: {k: '{{ vars.copied }}'}}",
        "{method: POST, url: 'http://localhost:{{ vars.port }}/ok', headers: {X-Key: '{{ vars.copied | urlencode }}'}}",
    ],
)
def test_secrets_never_go_to_another_origin(hostile, flow_of, request_yaml: str) -> None:
    """localhost is another origin than 127.0.0.1: the same server, reached under another name."""
    port = hostile.base_url.rsplit(":", 1)[1]
    flow = flow_of(
        "vars:\n  copied: '{{ secrets.token }}'\n"
        f"steps:\n  - name: exfiltrate\n    request: {request_yaml}\n"
    )
    before = len(hostile.seen)
    with pytest.raises(TemplateError) as caught:
        run_flow(flow, _context(hostile.base_url, vars={"port": port}))
    message = str(caught.value)
    assert "step 'exfiltrate'" in message and f"secrets are sent only to {hostile.base_url}" in message
    assert f"http://localhost:{port}" in message
    assert SECRET not in message and caught.value.location is not None
    assert len(hostile.seen) == before  # nothing left


def test_without_secrets_other_origins_are_fine(hostile, flow_of) -> None:
    port = hostile.base_url.rsplit(":", 1)[1]
    flow = flow_of(f"steps:\n  - name: upload\n    request: {{method: GET, url: 'http://localhost:{port}/ok'}}\n")
    assert run_flow(flow, {"target": {"base_url": hostile.base_url}}).ok


def test_the_base_url_given_wins_over_the_flows_own(hostile, flow_file) -> None:
    """``--base-url`` names where secrets may go, even when the flow's base_url says otherwise."""
    from orderspec.engine import load_flow

    path = flow_file("steps:\n  - name: ok\n    request: {method: GET, url: /ok, headers: {X-Key: '{{ secrets.token }}'}}\n")
    path.write_text(path.read_text().replace('base_url: "{{ target.base_url }}"', f"base_url: {hostile.base_url.replace('127.0.0.1', 'localhost')}"))
    with pytest.raises(TemplateError, match="secrets are sent only to"):
        run_flow(load_flow(path), _context(hostile.base_url))


# -- files come from the spec's and the flow's folders only ----------------------------------


UPLOAD = (
    "steps:\n  - name: upload\n    effect: {effect}\n    request: {{method: POST, url: /ok, content: {{path: '{{{{ vars.file }}}}'}}}}\n"
    "    capture: {{number: response.body.number}}\n"
    "outputs: {{number: vars.number}}\ncontract: {{order_number: number}}\n"
)


def _upload(flow_of, folder: Path, file: str | Path, hostile, effect: str = "write", spec_folder: Path | None = None):
    flow = flow_of(UPLOAD.format(effect=effect), folder)
    context = {"target": {"base_url": hostile.base_url}, "vars": {"file": str(file)}}
    if spec_folder is not None:
        context["folder"] = spec_folder
    return run_flow(flow, context)


def test_a_file_inside_the_flows_folder_is_sent(tmp_path, hostile, flow_of) -> None:
    (tmp_path / "flow" / "models").mkdir(parents=True)
    (tmp_path / "flow" / "models" / "cube.stl").write_bytes(b"solid cube")
    _upload(flow_of, tmp_path / "flow", "models/cube.stl", hostile)
    assert hostile.seen[-1].body == b"solid cube"


@pytest.mark.parametrize("written", ["/etc/hostname", "../secret.txt"])
def test_a_file_outside_both_folders_is_refused(tmp_path, hostile, flow_of, written: str) -> None:
    (tmp_path / "secret.txt").write_text("private")
    before = len(hostile.seen)
    with pytest.raises(FlowError) as caught:
        _upload(flow_of, tmp_path / "flow", written, hostile, spec_folder=tmp_path / "spec")
    message = str(caught.value)
    assert "is outside the folders a flow may send files from" in message and "step 'upload'" in message
    assert len(hostile.seen) == before


def test_a_symbolic_link_leading_out_is_refused(tmp_path, hostile, flow_of) -> None:
    (tmp_path / "secret.txt").write_text("private")
    (tmp_path / "flow").mkdir()
    (tmp_path / "flow" / "model.stl").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(FlowError, match="outside the folders"):
        _upload(flow_of, tmp_path / "flow", "model.stl", hostile)


def test_a_symbolic_link_inside_is_fine(tmp_path, hostile, flow_of) -> None:
    (tmp_path / "flow" / "real").mkdir(parents=True)
    (tmp_path / "flow" / "real" / "a.stl").write_bytes(b"abc")
    (tmp_path / "flow" / "model.stl").symlink_to(tmp_path / "flow" / "real" / "a.stl")
    _upload(flow_of, tmp_path / "flow", "model.stl", hostile)
    assert hostile.seen[-1].body == b"abc"


def test_the_specs_folder_is_a_root_too(tmp_path, hostile, flow_of) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "part.stl").write_bytes(b"part")
    _upload(flow_of, tmp_path / "flow", tmp_path / "spec" / "part.stl", hostile, spec_folder=tmp_path / "spec")
    assert hostile.seen[-1].body == b"part"


def test_a_fifo_is_refused_without_hanging(tmp_path, hostile, flow_of) -> None:
    (tmp_path / "flow").mkdir()
    os.mkfifo(tmp_path / "flow" / "model.stl")
    started = time.monotonic()
    with pytest.raises(FlowError, match="not a regular file"):
        _upload(flow_of, tmp_path / "flow", "model.stl", hostile)
    assert time.monotonic() - started < 5


def test_a_file_swapped_for_a_link_after_the_check_is_refused_when_opened(tmp_path) -> None:
    """The check is repeated on the file actually opened, not only when the request is built."""
    from orderspec.engine._http import BodyError, _file_chunks, _resolve, confine_to

    folder = tmp_path / "flow"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("private")
    (folder / "model.stl").write_text("private")  # same size as the secret
    roots = confine_to(folder)
    path, size = _resolve("model.stl", folder, roots)
    (folder / "model.stl").unlink()
    (folder / "model.stl").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(BodyError, match="outside the folders"):
        list(_file_chunks(path, roots, size))


@pytest.mark.parametrize("effect", ["write", "create", "place"])
def test_a_file_that_grows_while_it_is_sent_is_a_located_error(tmp_path, hostile, flow_of, effect: str) -> None:
    folder = tmp_path / "flow"
    folder.mkdir()
    model = folder / "model.stl"
    model.write_bytes(b"\0" * (3 << 20))

    def grow(event: object) -> None:  # after the first chunk went out
        if isinstance(event, UploadProgress) and event.sent == 1 << 20:
            with model.open("ab") as handle:
                handle.write(b"\0" * 10)

    flow = flow_of(UPLOAD.format(effect=effect), folder)
    with pytest.raises(FlowError) as caught:
        run_flow(flow, {"target": {"base_url": hostile.base_url}, "vars": {"file": "model.stl"}}, on_event=grow)
    error = caught.value
    assert "grew while it was being sent" in str(error) and error.step == "upload" and error.location is not None
    if effect in ("create", "place"):
        assert error.hint is not None and "check on the target" in error.hint


def test_a_file_that_shrinks_while_it_is_sent_is_a_located_error(tmp_path, hostile, flow_of) -> None:
    folder = tmp_path / "flow"
    folder.mkdir()
    model = folder / "model.stl"
    model.write_bytes(b"\0" * (3 << 20))

    def shrink(event: object) -> None:
        if isinstance(event, UploadProgress) and event.sent == 1 << 20:
            os.truncate(model, 1 << 20)

    flow = flow_of(UPLOAD.format(effect="write"), folder)
    with pytest.raises(FlowError, match="shrank while it was being sent"):
        run_flow(flow, {"target": {"base_url": hostile.base_url}, "vars": {"file": "model.stl"}}, on_event=shrink)


# -- values in a URL path stay data --------------------------------------------------------


def test_a_discount_code_cannot_change_the_path(hostile, flow_of) -> None:
    flow = flow_of(
        "steps:\n  - name: discount\n"
        "    request: {method: GET, url: '/echo/200/orders/{{ vars.id }}/discount/{{ order.code }}', params: {x: 1}}\n"
        "    capture: {path: response.body.path}\n"
    )
    result = run_flow(flow, {"target": {"base_url": hostile.base_url}, "order": {"code": "../../../admin?drop=1#"}, "vars": {"id": 7}})
    assert result.vars["path"] == "/echo/200/orders/7/discount/..%2F..%2F..%2Fadmin%3Fdrop=1%23?x=1"


def test_urlencode_in_the_template_is_not_encoded_twice(hostile, flow_of) -> None:
    flow = flow_of(
        "steps:\n  - name: discount\n"
        "    request: {method: GET, url: '/echo/200/d/{{ order.code | urlencode }}'}\n"
        "    capture: {path: response.body.path}\n"
    )
    result = run_flow(flow, {"target": {"base_url": hostile.base_url}, "order": {"code": "SUMMER 10/x"}})
    assert result.vars["path"] == "/echo/200/d/SUMMER%2010%2Fx"


def test_a_value_that_starts_the_url_is_sent_as_written(hostile, flow_of) -> None:
    flow = flow_of(
        "steps:\n  - name: whole\n"
        "    request: {method: GET, url: '{{ vars.prefix }}/200/{{ vars.id }}'}\n"
        "    capture: {path: response.body.path}\n"
    )
    result = run_flow(flow, {"target": {"base_url": hostile.base_url}, "vars": {"prefix": f"{hostile.base_url}/echo", "id": "a/b"}})
    assert result.vars["path"] == "/echo/200/a%2Fb"


# -- answers that are too large, too slow or too deep -----------------------------------------

LIMITS = "limits: {response_bytes: 1048576, request_seconds: 1.5}\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/huge?bytes=1073741824", "with more than 1048576 bytes (limits.response_bytes)"),
        ("/endless", "with more than 1048576 bytes (limits.response_bytes)"),
        ("/bomb?bytes=67108864", "with more than 1048576 bytes (limits.response_bytes)"),
        ("/drip?bytes=100&every=0.1", "no complete answer within 1.5 s (limits.request_seconds)"),
        ("/drip-headers?every=0.1", "no complete answer within 1.5 s (limits.request_seconds)"),
    ],
)
def test_oversized_and_dripping_answers_end_the_step_in_bounds(hostile, flow_of, url: str, expected: str) -> None:
    import tracemalloc

    flow = flow_of(LIMITS + f"steps:\n  - name: read\n    request: {{method: GET, url: '{url}'}}\n")
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(FlowError) as caught:
            run_flow(flow, {"target": {"base_url": hostile.base_url}})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert expected in str(caught.value) and caught.value.step == "read" and caught.value.location is not None
    assert time.monotonic() - started < 5
    assert peak < 6 << 20  # the cap and a few buffers, never the answer


def test_an_oversized_answer_to_a_create_step_says_to_check_the_target(hostile, flow_of) -> None:
    flow = flow_of(LIMITS + "steps:\n  - name: basket\n    request: {method: POST, url: '/huge?bytes=5000000'}\n")
    with pytest.raises(FlowError) as caught:
        run_flow(flow, {"target": {"base_url": hostile.base_url}})
    assert caught.value.hint is not None and "check there before running again" in caught.value.hint


def test_a_dripping_answer_to_a_create_step_is_an_unknown_outcome(hostile, flow_of) -> None:
    flow = flow_of(LIMITS + "steps:\n  - name: basket\n    request: {method: POST, url: '/drip?bytes=100&every=0.1'}\n")
    with pytest.raises(OutcomeUnknown, match="the outcome is unknown"):
        run_flow(flow, {"target": {"base_url": hostile.base_url}})


def test_deeply_nested_json_is_a_located_error(hostile, flow_of) -> None:
    flow = flow_of("steps:\n  - name: deep\n    request: {method: GET, url: '/deep?depth=100000'}\n    capture: {x: response.body}\n")
    with pytest.raises(FlowError) as caught:
        run_flow(flow, {"target": {"base_url": hostile.base_url}})
    assert "JSON nested too deeply" in str(caught.value) and caught.value.step == "deep" and caught.value.location is not None


def test_the_defaults_are_documented_values() -> None:
    from orderspec.engine import load_flow  # noqa: F401 - the defaults belong to every loaded flow
    from orderspec.engine._flow import REQUEST_SECONDS, RESPONSE_BYTES

    docs = (Path(__file__).resolve().parents[2] / "docs" / "flows.md").read_text(encoding="utf-8")
    assert f"`response_bytes` | {RESPONSE_BYTES}" in docs and f"`request_seconds` | {REQUEST_SECONDS:g}" in docs
