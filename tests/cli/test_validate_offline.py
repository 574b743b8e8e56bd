"""``orderspec validate`` checks what a spec depends on too: its profiles file, its profile, its custom flow."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from orderspec.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _copy_example(folder: Path, name: str = "ctq-bracket.yaml") -> Path:
    shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
    spec = folder / name
    shutil.copy(ROOT / "specs" / "examples" / name, spec)
    return spec


def _validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.output


def test_a_profile_the_spec_names_must_exist(tmp_path: Path) -> None:
    spec = _copy_example(tmp_path)
    spec.write_text(spec.read_text().replace("  system: ctq\n", "  system: ctq\n  profile: ctq-prod\n"))
    (tmp_path / "orderspec.yaml").write_text("profiles:\n  ctq-production:\n    system: ctq\n")
    code, output = _validate(str(spec))
    assert code == 1
    line = next(number for number, text in enumerate(spec.read_text().splitlines(), 1) if "profile: ctq-prod" in text)
    assert f"{spec}:{line}:12: $.target.profile: no profile 'ctq-prod' in {tmp_path / 'orderspec.yaml'} (did you mean 'ctq-production'?)" in output


def test_problems_of_the_profiles_file_are_located_there(tmp_path: Path) -> None:
    spec = _copy_example(tmp_path)
    (tmp_path / "orderspec.yaml").write_text("profiles:\n  ctq:\n    system: ctq\n    auth: {kind: header, env: ORG, heder: x}\n")
    code, output = _validate(str(spec))
    assert code == 1
    assert f"{tmp_path / 'orderspec.yaml'}:4:36: $.profiles.ctq.auth.heder: profile 'ctq': unknown auth key 'heder' (did you mean 'header'?)" in output


def test_a_custom_flow_is_loaded_and_its_problems_located(tmp_path: Path) -> None:
    spec = _copy_example(tmp_path)
    text = spec.read_text().replace("  system: ctq\n  options:\n", "  flow: vendor.yaml\n  options:\n    base_url: http://127.0.0.1:9\n")
    spec.write_text(text)
    (tmp_path / "vendor.yaml").write_text("apiVersion: orderspec/v1\nkind: Flow\nname: vendor\nsteps:\n  - name: list\n    request: {method: GET, url: /things}\n    capture: {things: 'response.body[0'}\n")
    code, output = _validate(str(spec))
    assert code == 1
    assert f"{tmp_path / 'vendor.yaml'}:7:23: $.target.flow: expression syntax: unexpected end of template" in output


def test_the_examples_and_the_repository_profiles_are_valid() -> None:
    code, output = _validate(str(ROOT / "specs" / "examples"), "--profiles", str(ROOT / "orderspec.yaml"), "--profile", "ctq-production")
    # the named profile fits only the CTQ spec: the others are told which system it is for
    assert code == 1
    assert "profile 'ctq-production'" in output and "is for ctq, but the spec targets tophoto" in output
    code, output = _validate(str(ROOT / "specs" / "examples"))
    assert code == 0, output
