"""``orderspec init``: a fresh folder that validates, plans and applies against the sandboxes, with working modelines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from clirun import orderspec

from orderspec._version import __version__
from orderspec.profiles import check_profiles

ROOT = Path(__file__).resolve().parents[2]
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.suffix in (".yaml", ".yml"))


@pytest.mark.parametrize(
    ("system", "ci"),
    [("ctq", "github"), ("3yourmind-service-panel", "gitlab"), ("3yourmind-user-panel", "none"), ("tophoto", "github")],
)
def test_init_then_validate_plan_and_apply_against_the_sandbox(tmp_path: Path, system: str, ci: str) -> None:
    folder = tmp_path / "orders"
    made = orderspec("init", str(folder), "--system", system, "--ci", ci)
    assert made.code == 0, made.stderr
    written = {line.split()[1] for line in made.stdout.splitlines() if line.strip().startswith("wrote")}
    expected = {"orderspec.yaml", "specs/first-order.yaml", "schemas/order-spec.schema.json", "schemas/flow.schema.json",
                "schemas/profiles.schema.json", ".pre-commit-config.yaml", ".gitignore"}  # fmt: skip
    expected |= {".github/workflows/orderspec.yml"} if ci == "github" else {".gitlab-ci.yml"} if ci == "gitlab" else set()
    assert {str(Path(path).relative_to(folder)) for path in written} == expected | {_asset(system)}
    assert "orderspec plan --sandbox specs" in made.stderr

    validated = orderspec("validate", ".", cwd=folder)
    assert validated.code == 0, validated.stdout + validated.stderr
    planned = orderspec("plan", "--sandbox", "specs", cwd=folder)
    assert planned.code == 0, planned.stderr
    assert "nothing was placed" in planned.stdout and "first-" in planned.stdout
    applied = orderspec("apply", "--sandbox", "--yes", "specs", cwd=folder)
    assert applied.code == 0, applied.stderr
    assert "placed first-" in applied.stdout


def _asset(system: str) -> str:
    return "specs/photos/photo.jpg" if system == "tophoto" else "specs/models/cube.stl"


def test_every_modeline_resolves_to_a_schema_the_file_meets(tmp_path: Path) -> None:
    assert orderspec("init", str(tmp_path), "--system", "tophoto").code == 0
    pointed = {}
    for path in _yaml_files(tmp_path):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = MODELINE.match(first)
        if match is None:
            continue
        schema_file = (path.parent / match.group(1)).resolve()
        assert schema_file.is_file(), f"{path}: {first}"
        assert schema_file.is_relative_to(tmp_path.resolve())  # inside the user's repository, not the installation
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
        pointed[path.relative_to(tmp_path).as_posix()] = schema_file.name
    assert pointed == {"orderspec.yaml": "profiles.schema.json", "specs/first-order.yaml": "order-spec.schema.json"}
    # the schemas written are the ones orderspec ships
    for name in ("order-spec.schema.json", "flow.schema.json", "profiles.schema.json"):
        assert (tmp_path / "schemas" / name).read_bytes() == (ROOT / "schemas" / name).read_bytes()


def test_the_commented_profiles_are_valid_once_uncommented(tmp_path: Path) -> None:
    assert orderspec("init", str(tmp_path)).code == 0
    text = (tmp_path / "orderspec.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == {"profiles": None}
    uncommented = "\n".join(line[:2] + line[4:] if line.startswith("  #   ") or re.match(r"^  # [a-z0-9-]+:$", line) else line for line in text.splitlines())
    profiles = yaml.safe_load(uncommented)["profiles"]
    assert set(profiles) == {"ctq", "3yourmind-service-panel", "3yourmind-user-panel", "tophoto"}
    assert profiles["ctq"]["auth"] == {"kind": "header", "header": "x-api-key", "env": "CTQ_ORGANIZATION_ID"}
    (tmp_path / "orderspec.yaml").write_text(uncommented, encoding="utf-8")
    assert check_profiles(tmp_path / "orderspec.yaml") == []
    assert re.search(r"API variants \(options.api\): .*'2021-04-27'.*; leave it out for the default", text)
    assert "--sandbox replaces options skus, shipping, currency with the sandbox's own." in text


def test_init_never_overwrites_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "orderspec.yaml").write_text("profiles: {}\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    refused = orderspec("init", str(tmp_path))
    assert refused.code == 2
    assert "1 file exists with other content; nothing was written:" in refused.stderr and str(tmp_path / "orderspec.yaml") in refused.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [".gitignore", "orderspec.yaml"]
    assert (tmp_path / "orderspec.yaml").read_text() == "profiles: {}\n"

    forced = orderspec("init", str(tmp_path), "--force")
    assert forced.code == 0, forced.stderr
    statuses = {line.split()[1]: line.split()[0] for line in forced.stdout.splitlines() if line.strip()[:1].isalpha() and " " in line.strip()}
    assert statuses[str(tmp_path / "orderspec.yaml")] == "overwrote"
    assert statuses[str(tmp_path / ".gitignore")] == "updated"
    # .gitignore keeps the user's lines and gains the local state's
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n\n# orderspec: local state (the state store, locks)\n.orderspec/\n"

    again = orderspec("init", str(tmp_path))
    assert again.code == 0 and again.stdout == ""
    assert "9 files already up to date." in again.stderr


def test_quiet_init_prints_only_what_it_wrote(tmp_path: Path) -> None:
    ran = orderspec("init", "-q", str(tmp_path), "--ci", "none")
    assert ran.code == 0 and ran.stderr == ""
    assert len(ran.stdout.splitlines()) == 8  # profiles, spec, model, three schemas, hooks, .gitignore


def test_pre_commit_config_uses_this_repositorys_hooks(tmp_path: Path) -> None:
    assert orderspec("init", str(tmp_path)).code == 0
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    published = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) <= set(published) and {"orderspec-validate", "orderspec-validate-files"} <= set(hooks)
    for hook_id, hook in hooks.items():
        for key in ("entry", "files", "args", "pass_filenames"):
            assert hook.get(key) == published[hook_id].get(key), (hook_id, key)
    files = re.compile(hooks["orderspec-validate-files"]["files"])
    assert all(files.search(name) for name in ("models/bracket.stl", "parts/Part.STL", "photos/a.jpeg", "photos/b.PNG", "m/x.3mf", "m/y.obj"))
    assert not any(files.search(name) for name in ("specs/order.yaml", "notes.txt"))


def _workflow(folder: Path, name: str) -> Any:
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


def test_github_workflow_plans_pull_requests_and_applies_main(tmp_path: Path) -> None:
    assert orderspec("init", str(tmp_path)).code == 0
    workflow = _workflow(tmp_path, ".github/workflows/orderspec.yml")
    events = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(events) == {"pull_request", "push"} and events["push"]["branches"] == ["main"]
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    runs = "\n".join(step.get("run", "") for step in plan["steps"])
    assert "orderspec validate specs" in runs and "orderspec plan --format json specs > plan.json" in runs
    upload = next(step for step in plan["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert "plan.json" in upload["with"]["path"]
    assert apply["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert any("orderspec apply --yes" in step.get("run", "") for step in apply["steps"])
    assert f'pip install "orderspec=={__version__}"' in runs
    # every credential variable the built-in systems' profiles name comes from a secret
    for name in ("CTQ_ORGANIZATION_ID", "THREEYOURMIND_TOKEN", "TOPHOTO_USERNAME", "TOPHOTO_PASSWORD", "ORDERSPEC_STATE"):
        assert workflow["env"][name] == f"${{{{ secrets.{name} }}}}"


def test_gitlab_pipeline_plans_merge_requests_and_applies_the_default_branch(tmp_path: Path) -> None:
    assert orderspec("init", str(tmp_path), "--ci", "gitlab").code == 0
    pipeline = _workflow(tmp_path, ".gitlab-ci.yml")
    assert pipeline["stages"] == ["validate", "plan", "apply"]
    assert pipeline["plan"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "plan.json" in pipeline["plan"]["artifacts"]["paths"]
    assert pipeline["apply"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pipeline["apply"]["resource_group"] == "orderspec-apply"
    assert "orderspec apply --yes --format json specs | tee applied.json" in pipeline["apply"]["script"]
    assert not (tmp_path / ".github").exists()


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    ran = orderspec("init", str(tmp_path / "file"))
    assert ran.code == 2


def test_every_template_ships_in_the_wheel() -> None:
    """``init`` reads its templates from the installed package: each file must match a package-data pattern."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "orderspec.templates" in config["packages"] and "orderspec.schemas.output" in config["packages"]
    patterns = [*config["package-data"]["*"], *config["package-data"].get("orderspec.templates", [])]
    for path in (ROOT / "runner" / "templates").iterdir():
        if path.is_file() and path.suffix != ".py":
            assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path.name
