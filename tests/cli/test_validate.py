"""``orderspec validate`` as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"

VALID = """\
apiVersion: orderspec/v1
kind: Order
metadata:
  name: {name}
target:
  system: 3yourmind-user-panel
items:
  - file: models/cube.stl
    material: PLA
shipping:
  method: Express Shipping
payment:
  method: Credit Card
"""


def orderspec(*args: str, cwd: Path = ROOT, python_options: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ORDERSPEC_DEBUG"}
    return subprocess.run(
        [sys.executable, *python_options, "-m", "orderspec", "validate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "models", tmp_path / "models")
    return tmp_path


def test_examples_are_valid() -> None:
    result = orderspec("specs/examples")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "4 specs: 4 valid\n")


def test_invalid_spec_one_line_per_problem(specs: Path) -> None:
    (specs / "bad.yaml").write_text(
        VALID.format(name="bad").replace("material: PLA", "materail: PLA").replace("Credit Card", "Credit Card\n  methd: x")
    )
    result = orderspec("bad.yaml", cwd=specs)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bad.yaml:8:5: $.items[0]: missing required key 'material' (3YOURMIND offers are chosen by material name, e.g. 'PA12 White')",
        "bad.yaml:9:5: $.items[0].materail: unknown key 'materail' (did you mean 'material'?)",
        "bad.yaml:14:3: $.payment.methd: unknown key 'methd' (did you mean 'method'?)",
    ]
    assert result.stderr == "1 spec: 0 valid, 1 invalid (3 problems)\n"


def test_folders_are_searched_and_other_yaml_skipped(specs: Path) -> None:
    (specs / "orders" / "2024").mkdir(parents=True)
    shutil.copytree(specs / "models", specs / "orders" / "2024" / "models")
    (specs / "orders" / "2024" / "a.yaml").write_text(VALID.format(name="a"))
    (specs / "orders" / "b.yml").write_text(VALID.format(name="b").replace("models/cube.stl", "../models/cube.stl"))
    (specs / "orders" / "flow.yaml").write_text("apiVersion: orderspec/v1\nkind: Flow\nsteps: []\n")
    (specs / "ci.yml").write_text("on: push\njobs: {}\n")
    (specs / "notes.txt").write_text("kind: Order\n")
    (specs / ".hidden").mkdir()
    (specs / ".hidden" / "c.yaml").write_text("kind: Order\n")
    result = orderspec(".", cwd=specs)
    assert result.returncode == 1
    assert result.stdout == (
        "orders/b.yml:8:11: $.items[0].file: '../models/cube.stl' points outside the spec's folder"
        " (keep model and photo files beside the spec or in a folder below it)\n"
    )
    assert result.stderr == "2 specs: 1 valid, 1 invalid (1 problem), 2 YAML files skipped (not kind: Order)\n"


def test_json_format(specs: Path) -> None:
    (specs / "a.yaml").write_text(VALID.format(name="a"))
    (specs / "b.yaml").write_text(VALID.format(name="a"))
    (specs / "other.yaml").write_text("kind: Profile\n")
    result = orderspec("--format", "json", ".", cwd=specs)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["summary"] == {"specs": 2, "valid": 1, "invalid": 1, "problems": 1, "skipped": 1}
    assert report["skipped"] == ["other.yaml"]
    first, second = report["specs"]
    assert (first["file"], first["name"], first["valid"], len(first["digest"])) == ("a.yaml", "a", True, 64)
    assert second["digest"] is None
    assert second["problems"] == [
        {
            "file": "b.yaml",
            "line": 4,
            "column": 9,
            "path": "$.metadata.name",
            "code": "name.duplicate",
            "message": "the name 'a' is already used by a.yaml:4:9",
            "hint": "every order needs its own metadata.name: it is the order's key in state",
        }
    ]


def test_explicit_file_without_kind_order_is_checked(specs: Path) -> None:
    (specs / "typo.yaml").write_text(VALID.format(name="t").replace("kind: Order", "kind: Oder"))
    result = orderspec("typo.yaml", cwd=specs)
    assert (result.returncode, result.stdout) == (1, "typo.yaml:2:7: $.kind: must be 'Order', not 'Oder'\n")


def test_broken_yaml_in_a_folder_is_reported(specs: Path) -> None:
    (specs / "broken.yaml").write_text("apiVersion: orderspec/v1\nkind: Order\nmetadata: {name: x\n")
    result = orderspec(".", cwd=specs)
    assert result.returncode == 1
    assert result.stdout == "broken.yaml:4:1: $: did not find expected ',' or '}' (a { is not closed)\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"\x00\x01\x02 binary junk \xff\xfe",
            "junk.yaml:1:17: $: not UTF-8 text (invalid byte 0xff) (save the file as UTF-8)\n",
        ),
        (
            b"kind: Order\n"
            + b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + b"".join(f"b{n}: &b{n} [{', '.join(['*a' if n == 0 else f'*b{n - 1}'] * 10)}]\n".encode() for n in range(8)),
            "junk.yaml:6:45: $: the document expands to more than 100,000 values (aliases (*name) count once per use; an order spec needs far fewer values)\n",
        ),
        (
            b"- kind: Order\n",
            "junk.yaml:1:1: $: the document is a list, not a mapping of keys to values (start with 'apiVersion: ...' and 'kind: ...' lines)\n",
        ),
        (b"kind: Order\n---\nkind: Order\n", "junk.yaml:2:1: $: several YAML documents in one file (write one order per file)\n"),
        (
            b"kind: Order\nname: x\x00\n",
            "junk.yaml:2:8: $: character U+0000 is not allowed in YAML"
            " (save the file as UTF-8 text; a NUL character means a binary file or one saved as UTF-16)\n",
        ),
    ],
    ids=["binary", "alias bomb", "list", "two documents", "NUL character"],
)
def test_bad_input_never_gives_a_traceback(specs: Path, content: bytes, expected: str) -> None:
    (specs / "junk.yaml").write_bytes(content)
    result = orderspec("junk.yaml", cwd=specs)
    assert (result.returncode, result.stdout) == (1, expected)
    assert "Traceback" not in result.stderr


def test_oversized_file(specs: Path) -> None:
    (specs / "big.yaml").write_bytes(b"kind: Order\nx: '" + b"a" * (1 << 20) + b"'\n")
    result = orderspec("big.yaml", cwd=specs)
    assert result.returncode == 1
    assert result.stdout.startswith("big.yaml:1:1: $: the file is larger than 1024 KiB")


def test_usage_errors_exit_2(specs: Path) -> None:
    missing = orderspec("nowhere.yaml", cwd=specs)
    assert (missing.returncode, missing.stdout, missing.stderr) == (2, "", "error: nowhere.yaml does not exist\n")
    no_args = orderspec(cwd=specs)
    assert no_args.returncode == 2 and "Missing argument" in no_args.stderr
    bad_format = orderspec("--format", "xml", ".", cwd=specs)
    assert bad_format.returncode == 2 and "'xml' is not one of 'text', 'json'" in bad_format.stderr


def test_an_empty_folder_is_reported(specs: Path) -> None:
    result = orderspec(".", cwd=specs)
    assert (result.returncode, result.stderr) == (2, "error: . holds no YAML files (specs are *.yaml or *.yml files with kind: Order)\n")


def test_validating_every_example_with_its_profiles_loads_no_sandbox(specs: Path) -> None:
    """The to.photo default profile's SKU list comes from its sandbox: validate never needs it."""
    examples = Path(__file__).resolve().parents[2] / "specs" / "examples"
    result = orderspec(str(examples), cwd=specs, python_options=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:") and "|" in line}
    assert not {name for name in imported if name.split(".")[0] in {"httpx", "starlette", "uvicorn", "jinja2"} or name.startswith("orderspec.sandbox")}


def test_validate_imports_stay_small(specs: Path) -> None:
    """Validating a valid spec loads neither httpx, vcrpy, Jinja2, the engine nor python-jsonschema."""
    (specs / "a.yaml").write_text(VALID.format(name="a"))
    result = orderspec("a.yaml", cwd=specs, python_options=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:") and "|" in line
    }
    assert "orderspec.spec" in imported
    heavy = {
        name
        for name in imported
        if name.split(".")[0] in {"httpx", "vcr", "jinja2", "jsonschema", "starlette", "uvicorn"}
        or name.startswith("orderspec.engine")
    }
    assert heavy == set()


def test_invalid_spec_still_avoids_the_network_stack(specs: Path) -> None:
    (specs / "a.yaml").write_text(VALID.format(name="a").replace("PLA", "7").replace("material: 7", "material: 7\n    unit: cm"))
    result = orderspec("a.yaml", cwd=specs, python_options=("-X", "importtime"))
    assert result.returncode == 1
    imported = {
        line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:") and "|" in line
    }
    assert "jsonschema" in imported  # loaded only to explain the problems
    assert not {name for name in imported if name.split(".")[0] in {"httpx", "vcr", "jinja2"}}


def test_pre_commit_hook_skips_other_yaml_named_explicitly(specs: Path) -> None:
    (specs / "a.yaml").write_text(VALID.format(name="a"))
    (specs / "ci.yml").write_text("on: push\n")
    plain = orderspec("a.yaml", "ci.yml", cwd=specs)
    assert plain.returncode == 1 and plain.stdout.startswith("ci.yml:1:1: $: missing required key")
    hook = orderspec("--skip-non-orders", "a.yaml", "ci.yml", cwd=specs)
    assert (hook.returncode, hook.stdout, hook.stderr) == (0, "", "1 spec: 1 valid, 1 YAML file skipped (not kind: Order)\n")


def test_pre_commit_hooks_file() -> None:
    import yaml

    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["orderspec-validate"]["entry"] == "orderspec validate --skip-non-orders"
    assert hooks["orderspec-validate-all"]["pass_filenames"] is False
