"""``orderspec apply`` run again and again on one checkout places each spec exactly once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from orderspec.sandbox import FaultConfig, SandboxConfig
from orderspec.sandbox.testing import cube_stl

from .conftest import NAMES


def test_a_second_apply_places_nothing(repo_with) -> None:
    repo = repo_with("ctq", "tophoto")
    first = repo.orderspec("apply", "--yes", "specs")
    assert first.code == 0, first.output
    assert "placed ctq-bracket: order 10001 " in first.stdout and "placed tophoto-mug: order 1230 " in first.stdout
    assert first.stdout.endswith("2 orders placed.\n")
    sent = {system: repo.requests(system) for system in ("ctq", "tophoto")}

    again = repo.orderspec("apply", "--yes", "specs")
    assert again.code == 0, again.output
    assert "unchanged ctq-bracket: order 10001 was placed before; nothing sent" in again.stdout
    assert "unchanged tophoto-mug: order 1230 was placed before; nothing sent" in again.stdout
    assert again.stdout.endswith("0 orders placed, 2 unchanged.\n")
    assert {system: repo.requests(system) for system in ("ctq", "tophoto")} == sent  # not even a read
    assert [o["order_number"] for o in repo.orders("ctq")] == ["10001"]
    assert [o["orderId"] for o in repo.orders("tophoto")] == [1230]

    plan = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert plan.code == 0, plan.output
    assert "ctq-bracket (specs/ctq-bracket.yaml): unchanged, placed as order 10001; nothing to do" in plan.stdout

    # the signed upload URLs CTQ answered are as good as a password until they expire: never stored
    stored = repo.orderspec("state", "show", "ctq-bracket", "--format", "json").stdout
    assert "signed_url" in stored and "signature=***" in stored
    assert not re.search(r"signature=(?!\*\*\*)", stored)
    assert plan.stdout.rstrip().endswith("Plan: 2 unchanged; nothing was placed.")


def test_the_state_records_the_order_and_its_history_without_secrets(repo_with) -> None:
    repo = repo_with("tophoto")
    assert repo.orderspec("apply", "--yes", "specs").code == 0
    shown = repo.orderspec("state", "show", "tophoto-mug", "--format", "json")
    record = json.loads(shown.stdout)
    assert (record["phase"], record["order_number"], record["spec"], record["intent"]) == ("placed", "1230", "specs/tophoto-mug.yaml", None)
    assert record["remote_ids"]["order_id"] == "1230"
    assert record["done"][-1] == "read back" and "finalize" in record["done"]
    assert [entry["action"] for entry in record["history"]] == ["apply-started", "placed"]
    listed = repo.orderspec("state", "list", "--format", "json").stdout
    assert "sandbox-secret" not in shown.stdout + listed


def test_drift_after_editing_a_spec_is_reported_and_not_ordered(repo_with) -> None:
    repo = repo_with("ctq")
    assert repo.orderspec("apply", "--yes", "specs").code == 0

    def more(data: dict) -> None:
        data["items"][1]["quantity"] = 5

    repo.edit("ctq", more)
    plan = repo.orderspec("plan", "--detailed-exitcode", "--format", "json", "specs")
    assert plan.code == 2, plan.output
    [entry] = json.loads(plan.stdout)["orders"]
    assert entry["action"] == "drift" and entry["record"]["order_number"] == "10001"
    assert json.loads(plan.stdout)["summary"]["drift"] == 1

    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 0, applied.output
    assert "drift ctq-bracket: order 10001 was placed from an earlier version of specs/ctq-bracket.yaml" in applied.stdout
    assert "'orderspec state forget ctq-bracket'" in applied.stdout
    assert applied.stdout.endswith("0 orders placed, 1 drifted.\n")
    assert len(repo.orders("ctq")) == 1

    # to order it again the user forgets it (or renames the spec)
    assert repo.orderspec("state", "forget", "ctq-bracket", "--yes").code == 0
    again = repo.orderspec("apply", "--yes", "specs")
    assert again.code == 0 and "placed ctq-bracket: order 10002 " in again.stdout
    assert [item["quantity"] for item in repo.orders("ctq")[1]["items"]] == [2, 5]


def test_drift_after_replacing_a_model_file(repo_with) -> None:
    repo = repo_with("ctq")
    assert repo.orderspec("apply", "--yes", "specs").code == 0
    (repo.specs / "models" / "cube.stl").write_bytes(cube_stl(12.0))
    plan = repo.orderspec("plan", "specs/ctq-bracket.yaml")
    assert plan.code == 0
    assert "ctq-bracket (specs/ctq-bracket.yaml): drift: placed as order 10001 from an earlier version of the spec" in plan.stdout
    assert "Plan: 1 drifted; nothing was placed." in plan.stdout
    assert repo.orderspec("apply", "--yes", "specs").code == 0 and len(repo.orders("ctq")) == 1


def test_a_spec_removed_from_the_folder_is_an_orphan(repo_with) -> None:
    repo = repo_with("ctq", "tophoto")
    assert repo.orderspec("apply", "--yes", "specs").code == 0
    repo.spec("tophoto").unlink()

    plan = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert plan.code == 2, plan.output
    assert (
        "tophoto-mug (profile tophoto): orphan: recorded (placed as order 1230) for specs/tophoto-mug.yaml, which is no longer there; "
        "nothing is done ('orderspec state forget tophoto-mug --profile tophoto' removes the record)"
    ) in plan.stdout
    assert "Plan: 1 unchanged, 1 orphaned; nothing was placed." in plan.stdout
    # a list of files says nothing about the specs it leaves out
    single = repo.orderspec("plan", "--detailed-exitcode", "specs/ctq-bracket.yaml")
    assert single.code == 0 and "orphan" not in single.stdout

    applied = repo.orderspec("apply", "--yes", "--format", "json", "specs")
    assert applied.code == 0, applied.output
    report = json.loads(applied.stdout)
    assert [o["name"] for o in report["orphans"]] == ["tophoto-mug"] and report["placed"] == []
    assert len(repo.orders("tophoto")) == 1
    assert repo.orderspec("state", "forget", "tophoto-mug", "--yes").code == 0
    assert repo.orderspec("plan", "--detailed-exitcode", "specs").code == 0


def _fails_once_then_passes() -> int:
    """A fault seed whose first affected request gets an error and the second passes."""
    for seed in range(1000):
        draws = random.Random(seed)
        first, _, second, _ = (draws.random() for _ in range(4))
        if first < 0.5 <= second:
            return seed
    raise AssertionError("no seed found")


def test_an_apply_that_failed_part_way_resumes_from_its_checkpoint(repo_with) -> None:
    faults = FaultConfig(seed=_fails_once_then_passes(), error_rate=0.5, error_statuses=(500,), paths=("/orders/*/place-order",))
    repo = repo_with("ctq", configs={"ctq": SandboxConfig(faults=faults)})
    failed = repo.orderspec("apply", "--yes", "specs")
    assert failed.code == 1
    assert "error: specs/ctq-bracket.yaml: step 'place order' failed: POST" in failed.stderr
    assert "answered 500 Internal Server Error" in failed.stderr
    shown = json.loads(repo.orderspec("state", "show", "ctq-bracket", "--format", "json").stdout)
    assert (shown["phase"], shown["intent"], shown["done"][-1]) == ("failed", None, "quote")
    assert repo.orders("ctq") == []
    before = repo.requests("ctq")

    plan = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert plan.code == 2
    assert "  action:    resume after 'quote' (12 steps done)" in plan.stdout
    assert "  apply:     place order" in plan.stdout and "Plan: 1 to resume; nothing was placed." in plan.stdout
    assert repo.requests("ctq") == before  # a plan of a resume sends nothing

    resumed = repo.orderspec("apply", "--yes", "specs")
    assert resumed.code == 0, resumed.output
    assert "placed ctq-bracket: order 10001 " in resumed.stdout and "(resumed)" in resumed.stdout
    sent = {key: count - before.get(key, 0) for key, count in repo.requests("ctq").items() if count != before.get(key, 0)}
    assert sent == {"POST /orders/{order_id}/place-order": 1}  # no new draft, no upload again
    assert len(repo.orders("ctq")) == 1


def test_detailed_exitcode_says_whether_there_is_something_to_do(repo_with) -> None:
    repo = repo_with("ctq")
    assert repo.orderspec("plan", "specs").code == 0  # without the option, a plan that worked exits 0
    assert repo.orderspec("plan", "--detailed-exitcode", "specs").code == 2  # to create
    assert repo.orderspec("apply", "--yes", "specs").code == 0
    assert repo.orderspec("plan", "--detailed-exitcode", "specs").code == 0  # nothing to do

    def unknown_material(data: dict) -> None:
        data["items"][0]["material"] = "Unobtainium"

    repo.edit("ctq", unknown_material)
    repo.spec("ctq").rename(repo.specs / "renamed.yaml")  # the same name: the edited spec has drifted
    drift = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert drift.code == 2 and "drift" in drift.stdout

    def new_name(data: dict) -> None:
        data["metadata"]["name"] = "ctq-bracket-two"

    path = repo.specs / "renamed.yaml"
    import yaml

    data = yaml.safe_load(path.read_text())
    new_name(data)
    path.write_text(yaml.safe_dump(data))
    error = repo.orderspec("plan", "--detailed-exitcode", "specs")
    assert error.code == 1  # a name that cannot be resolved is an error, whatever else there is
    assert "Unobtainium" in error.stderr


def test_plan_fails_when_a_quote_exceeds_the_budget_and_json_stays_complete(repo_with) -> None:
    repo = repo_with("3yourmind-service-panel", "tophoto")

    def small_budget(data: dict) -> None:
        data["budget"] = {"max_total": 10, "currency": "EUR"}

    repo.edit("3yourmind-service-panel", small_budget)
    plan = repo.orderspec("plan", "--format", "json", "specs")
    assert plan.code == 1
    report = json.loads(plan.stdout)
    assert sorted(o["name"] for o in report["orders"]) == ["3yd-service-panel-bracket", "tophoto-mug"]
    [failed] = report["failed"]
    assert failed["name"] == "3yd-service-panel-bracket" and "exceeds the budget of 10.00 EUR by" in failed["message"]
    assert report["summary"] == {"create": 2, "resume": 0, "unchanged": 0, "drift": 0, "orphan": 0, "uncertain": 0, "failed": 1}
    assert "exceeds the budget of 10.00 EUR" in plan.stderr
    applied = repo.orderspec("apply", "--yes", "specs")
    assert applied.code == 1 and "placed tophoto-mug" in applied.stdout
    assert repo.orders("3yourmind-service-panel") == [] and repo.requests("3yourmind-service-panel").get("POST /api/v2.0/service-panel/services/{service_id}/baskets/") is None


def test_junit_reports_one_case_per_spec(repo_with, tmp_path: Path) -> None:
    repo = repo_with("ctq", "tophoto")
    report = tmp_path / "apply.xml"
    assert repo.orderspec("apply", "--yes", "--junit", str(report), "specs").code == 0
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "0"
    assert sorted(case.get("name") for case in suite.iter("testcase")) == [NAMES["ctq"], NAMES["tophoto"]]

    def more(data: dict) -> None:
        data["items"][0]["quantity"] = 9

    repo.edit("ctq", more)
    planned = tmp_path / "plan.xml"
    assert repo.orderspec("plan", "--junit", str(planned), "specs").code == 0
    suite = ElementTree.parse(planned).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["ctq-bracket"].find("failure")
    assert failure is not None and failure.get("type") == "drift" and "order 10001" in failure.get("message", "")
    assert cases["tophoto-mug"].find("failure") is None and cases["tophoto-mug"].findtext("system-out") == "unchanged specs/tophoto-mug.yaml"


def _meets(name: str, text: str) -> dict:
    import jsonschema

    from .conftest import ROOT

    schema = json.loads((ROOT / "schemas" / "output" / f"{name}.schema.json").read_text(encoding="utf-8"))
    document = json.loads(text)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    return document


def test_json_of_plan_and_apply_meets_the_published_schemas_with_every_action(repo_with) -> None:
    repo = repo_with("ctq", "tophoto", "3yourmind-service-panel")
    first = _meets("apply", repo.orderspec("apply", "--yes", "--format", "json", "specs").stdout)
    assert sorted(entry["name"] for entry in first["placed"]) == sorted(NAMES[system] for system in ("ctq", "tophoto", "3yourmind-service-panel"))

    def more(data: dict) -> None:
        data["items"][0]["quantity"] = 7

    repo.edit("ctq", more)
    repo.spec("3yourmind-service-panel").unlink()
    plan = _meets("plan", repo.orderspec("plan", "--format", "json", "specs").stdout)
    assert {entry["name"]: entry["action"] for entry in plan["orders"]} == {"ctq-bracket": "drift", "tophoto-mug": "unchanged"}
    assert [record["name"] for record in plan["orphans"]] == [NAMES["3yourmind-service-panel"]]
    assert plan["summary"]["orphan"] == 1 and plan["orders"][0]["record"]["phase"] == "placed"

    applied = repo.orderspec("apply", "--yes", "--format", "json", "specs")
    report = _meets("apply", applied.stdout)
    assert applied.code == 0 and report["placed"] == []
    assert [entry["name"] for entry in report["drift"]] == ["ctq-bracket"] and [entry["name"] for entry in report["unchanged"]] == ["tophoto-mug"]
    assert [record["spec"] for record in report["orphans"]] == ["specs/3yourmind-service-panel.yaml"]


def test_the_state_password_is_never_printed(tmp_path: Path) -> None:
    from .conftest import make_repo

    repo = make_repo(tmp_path / "repo", "postgresql://orderspec:hunter2-secret@127.0.0.1:1/orders?connect_timeout=2", {"ctq": "http://127.0.0.1:9"})
    for command in (("plan", "specs"), ("apply", "--yes", "specs")):
        ran = repo.orderspec(*command)
        assert ran.code == 1, ran.output
        assert "error: cannot reach the PostgreSQL state database at 127.0.0.1:1: Connection refused" in ran.stderr
        assert "hunter2-secret" not in ran.output
