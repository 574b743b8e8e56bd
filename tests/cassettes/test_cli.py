"""``--record`` and ``--replay`` on ``orderspec apply``, ``plan`` and ``run``, as a user runs them: a real process.

A replay runs in a process whose sockets cannot connect anywhere (an audit hook refuses
every connection and name look-up) and whose ``time.sleep`` refuses to wait, with no
credential in its environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from orderspec.cassettes._scrub import pair_forms, secret_forms

from .conftest import Api

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"

# Runs the CLI with every network connection and every wait refused.
OFFLINE = """
import sys, time
def refuse(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        raise OSError(f"network use during a replay: {event} {args!r}")
def no_waiting(seconds):
    if seconds > 0:
        raise OSError(f"a replay waited {seconds} s")
sys.addaudithook(refuse)
time.sleep = no_waiting
from orderspec.cli import main
main(sys.argv[1:])
"""

SANDBOX_SECRETS = ["sandbox-org", "sandbox-token", "sandbox-secret"]


def orderspec(*args: str, cwd: Path, offline: bool = False, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", OFFLINE, *args] if offline else [sys.executable, "-m", "orderspec", *args]
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("CTQ_", "TOPHOTO_", "ORDERSPEC_"))}
    return subprocess.run(command, cwd=cwd, env={**environment, **(env or {})}, capture_output=True, text=True, timeout=120)


def project(tmp_path: Path, *specs: str) -> Path:
    """A folder with copies of example specs under specs/ (and their files); no orderspec.yaml above it."""
    folder = tmp_path / "project"
    (folder / "specs").mkdir(parents=True)
    for name in specs:
        shutil.copy(EXAMPLES / name, folder / "specs")
    shutil.copytree(EXAMPLES / "models", folder / "specs" / "models")
    shutil.copytree(EXAMPLES / "photos", folder / "specs" / "photos")
    return folder


def edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0].update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def no_secret_in(text: str) -> None:
    forms = {form for secret in SANDBOX_SECRETS for form in secret_forms(secret)} | pair_forms("sandbox", "sandbox-secret")
    assert not [form for form in forms if form in text]


def test_apply_records_against_the_sandbox_and_replays_offline_without_credentials(tmp_path: Path) -> None:
    folder = project(tmp_path, "ctq-bracket.yaml", "tophoto-mug.yaml")
    recorded = orderspec("apply", "--sandbox", "--yes", "--record", "specs", cwd=folder)
    assert recorded.returncode == 0, recorded.stderr
    assert "placed ctq-bracket: order 10001 for 54.26 EUR" in recorded.stdout
    assert "recorded cassettes/ctq-bracket.yaml" in recorded.stderr and "recorded cassettes/tophoto-mug.yaml" in recorded.stderr
    for name in ("ctq-bracket", "tophoto-mug"):
        no_secret_in((folder / "cassettes" / f"{name}.yaml").read_text(encoding="utf-8"))

    # a profile whose credentials are not in the environment, on a host that does not exist
    (folder / "orderspec.yaml").write_text(
        "profiles:\n  ctq:\n    system: ctq\n    base_url: https://ctq.invalid\n    auth: {kind: header, header: x-api-key, env: CTQ_ORGANIZATION_ID}\n",
        encoding="utf-8",
    )
    (folder / "cassettes").rename(folder / "recorded")
    for arguments in (["--sandbox"], []):
        replayed = orderspec("apply", "--yes", "--replay", "--cassettes", "recorded", *arguments, "specs", cwd=folder, offline=True)
        assert replayed.returncode == 0, replayed.stderr
        assert "replayed ctq-bracket: order 10001 for 54.26 EUR from recorded/ctq-bracket.yaml (nothing was sent)" in replayed.stdout
        assert "replayed tophoto-mug: order 1230 " in replayed.stdout
        assert replayed.stdout.endswith("2 orders replayed; nothing was placed.\n")
        assert "placed " not in replayed.stdout
    assert not (folder / ".orderspec").exists()  # a replay keeps no state
    assert not (folder / "cassettes").exists()


def test_a_changed_spec_or_outcome_fails_the_replay_with_the_difference(tmp_path: Path) -> None:
    folder = project(tmp_path, "ctq-bracket.yaml")
    assert orderspec("apply", "--sandbox", "--yes", "--record", "specs", cwd=folder).returncode == 0
    spec, cassette = folder / "specs" / "ctq-bracket.yaml", folder / "cassettes" / "ctq-bracket.yaml"
    original_spec, original_cassette = spec.read_text(encoding="utf-8"), cassette.read_text(encoding="utf-8")

    edit(spec, {"quantity": 3})
    changed = orderspec("apply", "--yes", "--replay", "specs", cwd=folder, offline=True)
    assert changed.returncode == 1
    assert "no recorded request matches PATCH /orders/nxw3p7JT7cCsRrIDWRpV" in changed.stderr
    assert "items[0].quantity: recorded 2, this request 3" in changed.stderr
    assert "record the cassette again with --record" in changed.stderr
    assert "Traceback" not in changed.stderr

    spec.write_text(original_spec, encoding="utf-8")
    cassette.write_text(original_cassette.replace("order_number: '10001'", "order_number: '10007'", 1), encoding="utf-8")
    outcome = orderspec("apply", "--yes", "--replay", "specs", cwd=folder, offline=True)
    assert outcome.returncode == 1
    assert "every request matched the cassette, but ctq-bracket ends differently than recorded" in outcome.stderr
    assert 'order number: recorded "10007", replayed "10001"' in outcome.stderr

    cassette.write_text(original_cassette, encoding="utf-8")
    assert orderspec("apply", "--yes", "--replay", "specs", cwd=folder, offline=True).returncode == 0
    shutil.rmtree(folder / "cassettes")
    missing = orderspec("apply", "--yes", "--replay", "specs", cwd=folder, offline=True)
    assert missing.returncode == 1
    assert "no cassette at " in missing.stderr and "cassettes/ctq-bracket.yaml" in missing.stderr and "--record" in missing.stderr


def test_a_failed_recording_writes_nothing_and_keeps_the_earlier_cassette(tmp_path: Path) -> None:
    folder = project(tmp_path, "ctq-bracket.yaml")
    assert orderspec("apply", "--sandbox", "--yes", "--record", "specs", cwd=folder).returncode == 0
    cassette = folder / "cassettes" / "ctq-bracket.yaml"
    before = cassette.read_bytes()
    edit(folder / "specs" / "ctq-bracket.yaml", {"material": "Unobtainium"})
    failed = orderspec("apply", "--sandbox", "--yes", "--record", "specs", cwd=folder)
    assert failed.returncode == 1
    assert "Unobtainium" in failed.stderr and "recorded " not in failed.stderr
    assert cassette.read_bytes() == before


def test_recording_one_spec_alone_gives_the_bytes_of_recording_it_with_others(tmp_path: Path) -> None:
    folder = project(tmp_path, "3yourmind-service-panel.yaml", "3yourmind-user-panel.yaml")
    assert orderspec("apply", "--sandbox", "--yes", "--record", "--cassettes", "both", "specs", cwd=folder).returncode == 0
    alone = orderspec("apply", "--sandbox", "--yes", "--record", "--cassette", "alone.yaml", "specs/3yourmind-user-panel.yaml", cwd=folder)
    assert alone.returncode == 0, alone.stderr
    assert (folder / "alone.yaml").read_bytes() == (folder / "both" / "3yd-user-panel-parts.yaml").read_bytes()


def test_plan_records_and_replays_the_reads(tmp_path: Path) -> None:
    folder = project(tmp_path, "3yourmind-service-panel.yaml")
    recorded = orderspec("plan", "--sandbox", "--record", "--format", "json", "specs", cwd=folder)
    assert recorded.returncode == 0, recorded.stderr
    cassette = yaml.safe_load((folder / "cassettes" / "3yd-service-panel-bracket.yaml").read_text(encoding="utf-8"))
    assert cassette["metadata"]["outcome"]["command"] == "plan"
    assert cassette["metadata"]["outcome"]["quote"] == {"total": "115.31", "currency": "EUR"}
    assert {interaction["request"]["method"] for interaction in cassette["interactions"]} == {"GET"}
    replayed = orderspec("plan", "--sandbox", "--replay", "--format", "json", "specs", cwd=folder, offline=True)
    assert replayed.returncode == 0, replayed.stderr
    first, again = json.loads(recorded.stdout)["orders"][0], json.loads(replayed.stdout)["orders"][0]
    assert again["resolved"] == first["resolved"] and again["quote"] == first["quote"]


RUN_FLOW = """apiVersion: orderspec/v1
kind: Flow
name: Shop Order
base_url: "{{ target.base_url }}"
headers:
  Authorization: "Token {{ secrets.token }}"
steps:
  - name: items
    request: {method: GET, url: /items, params: {search: "PA12 White"}}
    capture:
      item: response.body.results[0].id
  - name: wait
    request: {method: GET, url: /status/model-1}
    poll: {until: "response.body.status == 'finished'", every: 1, timeout: 60}
  - name: order
    effect: place
    request: {method: POST, url: /orders, json: {item: "{{ vars.item }}", quantity: 2}}
    expect: [201]
    capture: {order: response.body.id}
outputs:
  order: vars.order
contract: {order_number: order}
"""


def test_run_records_a_flow_and_replays_it_without_waiting_or_its_secret(api: Api, tmp_path: Path) -> None:
    flow = tmp_path / "shop.yaml"
    flow.write_text(RUN_FLOW, encoding="utf-8")
    token = "tok_live_4f9a8b7c6d5e"
    recorded = orderspec("run", str(flow), "--base-url", api.base_url, "--secret", "token=SHOP_TOKEN", "--record", cwd=tmp_path, env={"SHOP_TOKEN": token})
    assert recorded.returncode == 0, recorded.stderr
    cassette = tmp_path / "cassettes" / "shop-order.yaml"
    assert "recorded cassettes/shop-order.yaml" in recorded.stderr
    text = cassette.read_text(encoding="utf-8")
    assert token not in text and "authorization: Token <scrubbed>" in text
    assert yaml.safe_load(text)["metadata"]["outcome"] == {"command": "run", "name": "Shop Order", "outputs": {"order": 1}}
    api.stop()

    # the environment has no SHOP_TOKEN; the polls a second apart replay without waiting
    replayed = orderspec(
        "run", str(flow), "--base-url", "http://127.0.0.1:9", "--secret", "token=SHOP_TOKEN", "--replay", "--format", "json", cwd=tmp_path, offline=True
    )
    assert replayed.returncode == 0, replayed.stderr
    report = json.loads(replayed.stdout)
    assert report["outputs"] == {"order": 1} and report["steps"][1]["polls"] == 2


def test_usage_errors(tmp_path: Path) -> None:
    folder = project(tmp_path, "ctq-bracket.yaml", "tophoto-mug.yaml")
    both = orderspec("apply", "--yes", "--record", "--replay", "specs", cwd=folder)
    assert both.returncode == 2 and "--record and --replay exclude each other" in both.stderr
    alone = orderspec("apply", "--yes", "--cassette", "x.yaml", "specs", cwd=folder)
    assert alone.returncode == 2 and "--cassette needs --record or --replay" in alone.stderr
    two = orderspec("apply", "--yes", "--replay", "--cassette", "x.yaml", "specs", cwd=folder)
    assert two.returncode == 2 and "--cassette x.yaml is the cassette of one spec, and 2 specs were given" in two.stderr
