"""``orderspec run`` as a real subprocess against a local HTTP server."""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from orderspec.sandbox._server import serve_in_thread

_APP = Path(__file__).resolve().parent.parent / "engine" / "_app.py"
ORDERSPEC = [sys.executable, "-m", "orderspec"]
SECRET = "very-secret-token-value"


def _load_app():
    spec = importlib.util.spec_from_file_location("engine_test_app", _APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_app()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app, _ = _load_app()
    running = serve_in_thread(app)
    try:
        yield running.base_url
    finally:
        running.stop()


FLOW = """apiVersion: orderspec/v1
kind: Flow
name: cli-demo
base_url: "{{ target.base_url }}"
headers:
  Authorization: "Token {{ secrets.token }}"
steps:
  - name: basket
    effect: create
    request: {method: POST, url: /baskets}
    expect: [201]
    capture: {basket_id: response.body.id}
  - name: echo
    request:
      method: POST
      url: /echo
      json: {who: "{{ vars.who }}", customer: "{{ order.customer }}"}
    capture: {echoed: response.body.body}
outputs:
  basket: vars.basket_id
  echoed: vars.echoed
"""

FAILING = FLOW + """  - name: broken
    request: {method: GET, url: "/text?status=500&token={{ secrets.token }}"}
"""
FAILING = FAILING.replace("outputs:\n  basket: vars.basket_id\n  echoed: vars.echoed\n", "") + "outputs:\n  basket: vars.basket_id\n"


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DEMO_TOKEN": SECRET, **(env or {})}
    return subprocess.run([*ORDERSPEC, "run", *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=60)


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW, encoding="utf-8")
    (tmp_path / "order.yaml").write_text("customer: Ortega\n", encoding="utf-8")
    return path


def test_success_prints_progress_and_summary(base_url, flow_file):
    done = _run(str(flow_file), "--base-url", base_url, "--var", "who=me", "--secret", "token=DEMO_TOKEN", "--order", str(flow_file.parent / "order.yaml"))
    assert done.returncode == 0, done.stderr
    assert "ok    basket  POST " in done.stderr and "-> 201" in done.stderr
    assert "\x1b[K" not in done.stderr  # not a terminal: plain lines
    assert "flow cli-demo passed: 2 ok" in done.stdout
    assert '"who":"me"' in done.stdout and '"customer":"Ortega"' in done.stdout
    assert SECRET not in done.stdout + done.stderr


def test_json_format(base_url, flow_file):
    order = str(flow_file.parent / "order.yaml")
    done = _run(str(flow_file), "--base-url", base_url, "--var", "who=me", "--secret", "token=DEMO_TOKEN", "--format", "json", "--order", order)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and isinstance(report["outputs"]["basket"], int)
    assert [step["path"] for step in report["steps"]] == ["basket", "echo"]


def test_failure_exits_1_with_a_message_and_reports(base_url, tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text(FAILING, encoding="utf-8")
    junit = tmp_path / "report.xml"
    (tmp_path / "order.yaml").write_text("customer: Ortega\n", encoding="utf-8")
    done = _run(
        str(path), "--base-url", base_url, "--var", "who=me", "--secret", "token=DEMO_TOKEN",
        "--junit", str(junit), "--format", "json", "--order", str(tmp_path / "order.yaml"),
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error: " in done.stderr and "step 'broken' failed: GET" in done.stderr and "500 Internal Server Error" in done.stderr
    assert "token=***" in done.stderr
    assert SECRET not in done.stdout + done.stderr + junit.read_text()
    assert json.loads(done.stdout)["ok"] is False
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


def test_malformed_flow_fails_before_any_request(base_url, tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.replace("expect: [201]", "expect: [201]\n    retry: {attempts: 2}"), encoding="utf-8")
    done = _run(str(path), "--base-url", base_url, "--secret", "token=DEMO_TOKEN")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{path}:12:" in done.stderr and "must not be retried" in done.stderr
    assert "ok " not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--var", "novalue"], "write NAME=VALUE"),
        (["--secret", "token=NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE is not set"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2(flow_file, args, message):
    done = _run(str(flow_file), *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_missing_flow_file_exits_2(tmp_path):
    done = _run(str(tmp_path / "nope.yaml"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_terminal_gets_one_updating_line(base_url, flow_file):
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*ORDERSPEC, "run", str(flow_file), "--base-url", base_url, "--var", "who=me", "--secret", "token=DEMO_TOKEN",
             "--order", str(flow_file.parent / "order.yaml")],
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
            env={**os.environ, "DEMO_TOKEN": SECRET},
            timeout=60,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    shown = b"".join(chunks).decode()
    assert done.returncode == 0
    assert "\r\x1b[K… basket" in shown and "\r\x1b[Kok    basket" in shown


def test_stop_before_create_sends_only_reads(base_url, tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW.replace("steps:\n", "steps:\n  - name: look\n    request: {method: GET, url: /catalogue}\n", 1), encoding="utf-8")
    done = _run(str(path), "--base-url", base_url, "--secret", "token=DEMO_TOKEN", "--stop-before", "create", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["stopped_before"] == "basket" and [step["path"] for step in report["steps"]] == ["look"]


def test_set_steps_run_without_requests_and_show_in_the_report(base_url, tmp_path):
    path = tmp_path / "flow.yaml"
    text = FLOW.replace("steps:\n", "steps:\n  - name: greet\n    set: {who: '\"hello \" ~ order.customer'}\n", 1)
    path.write_text(text, encoding="utf-8")
    (tmp_path / "order.yaml").write_text("customer: Ortega\n", encoding="utf-8")
    done = _run(str(path), "--base-url", base_url, "--secret", "token=DEMO_TOKEN", "--format", "json", "--order", str(tmp_path / "order.yaml"))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    greet = report["steps"][0]
    assert (greet["path"], greet["outcome"], greet["method"], greet["status"]) == ("greet", "ok", None, None)
    assert '"who":"hello Ortega"' in report["outputs"]["echoed"]
