"""``orderspec schema``, the profiles schema beside the loader, and modelines that work in the user's repository."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from clirun import orderspec

from orderspec.profiles import AUTH_KINDS, check_profiles
from orderspec.targets import names

ROOT = Path(__file__).resolve().parents[2]
HTTP = ROOT / "tests" / "httpfile" / "data" / "service-panel.http"
PROFILES_SCHEMA = json.loads((ROOT / "schemas" / "profiles.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "file"), [("order", "order-spec.schema.json"), ("flow", "flow.schema.json"), ("profiles", "profiles.schema.json")])
def test_schema_prints_the_shipped_schema(name: str, file: str) -> None:
    ran = orderspec("schema", name)
    assert ran.code == 0
    assert ran.stdout == (ROOT / "schemas" / file).read_text(encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(json.loads(ran.stdout))


def test_schema_writes_a_file_once_and_keeps_a_different_one(tmp_path: Path) -> None:
    target = tmp_path / "schemas" / "order-spec.schema.json"
    wrote = orderspec("schema", "order", "-o", str(target))
    assert wrote.code == 0 and wrote.stderr == f"wrote {target} (order-spec.schema.json)\n"
    assert target.read_bytes() == (ROOT / "schemas" / "order-spec.schema.json").read_bytes()
    assert orderspec("schema", "order", "-o", str(target)).stderr == f"unchanged {target} (order-spec.schema.json)\n"
    target.write_text("{}", encoding="utf-8")
    kept = orderspec("schema", "order", "-o", str(target))
    assert kept.code == 2 and "exists with other content" in kept.stderr and target.read_text() == "{}"
    forced = orderspec("schema", "order", "-o", str(target), "--force")
    assert forced.code == 0 and forced.stderr.startswith("overwrote ")


def test_an_unknown_schema_is_a_usage_error() -> None:
    ran = orderspec("schema", "spec")
    assert ran.code == 2 and "'spec' is not one of 'order', 'flow', 'profiles'" in ran.stderr


# -- the profiles schema says what the loader says ---------------------------------------


def _schema_ok(data: object) -> bool:
    return jsonschema.Draft202012Validator(PROFILES_SCHEMA).is_valid(data)


def test_the_repositorys_profiles_file_meets_the_schema() -> None:
    data = yaml.safe_load((ROOT / "orderspec.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, PROFILES_SCHEMA)


def test_the_schema_knows_every_system_and_auth_kind() -> None:
    profile = PROFILES_SCHEMA["$defs"]["profile"]
    assert profile["properties"]["system"]["enum"] == list(names())
    assert set(PROFILES_SCHEMA["$defs"]["auth"]["properties"]["kind"]["enum"]) == {*AUTH_KINDS, "api-key-header"}


ACCEPTED = [
    {"profiles": None},
    {"profiles": {"ctq-live": {"system": "ctq", "base_url": "https://widget.api.cadtoquote.com/api/v1", "auth": {"header": "organization_id"}}}},
    {"profiles": {"vendor": {"base_url": "https://api.vendor.example/v1", "auth": {"kind": "bearer", "env": "VENDOR_TOKEN"}, "options": {"x": 1}}}},
    {"profiles": {"vendor": {"base_url": "https://api.vendor.example", "auth": {"kind": "query", "env": "KEY", "param": "api_key"}}}},
    {"profiles": {"photo": {"system": "tophoto", "auth": {"kind": "basic", "username_env": "U", "env": "P"}}}},
    {"profiles": {"open": {"base_url": "http://127.0.0.1:8080"}}},
]
REFUSED = [
    {"profile": {}},  # no 'profiles' key
    {"profiles": {"x": {"system": "ctq", "colour": "red"}}},  # unknown key
    {"profiles": {"x": {"system": "makerbot"}}},  # unknown system
    {"profiles": {"x": {"auth": {"kind": "none"}}}},  # a custom vendor needs base_url
    {"profiles": {"x": {"base_url": "ftp://files.example"}}},
    {"profiles": {"x": {"base_url": "https://user:secret@api.example"}}},
    {"profiles": {"x": {"base_url": "https://api.example", "auth": {"kind": "basic", "env": "P"}}}},  # no username_env
    {"profiles": {"x": {"base_url": "https://api.example", "auth": {"kind": "token", "env": "T", "param": "key"}}}},  # not a token key
    {"profiles": {"x": {"base_url": "https://api.example", "auth": {"kind": "oauth", "env": "T"}}}},
    {"profiles": {"x": {"base_url": "https://api.example", "auth": {"kind": "header", "env": "T"}}}},  # no header name
]


@pytest.mark.parametrize("data", ACCEPTED, ids=range(len(ACCEPTED)))
def test_what_the_loader_accepts_the_schema_accepts(tmp_path: Path, data: dict[str, object]) -> None:
    path = tmp_path / "orderspec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert check_profiles(path) == []
    assert _schema_ok(data)


@pytest.mark.parametrize("data", REFUSED, ids=range(len(REFUSED)))
def test_what_the_loader_refuses_the_schema_refuses(tmp_path: Path, data: dict[str, object]) -> None:
    path = tmp_path / "orderspec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert check_profiles(path) != []
    assert not _schema_ok(data)


# -- modelines orderspec writes ----------------------------------------------------------


def test_import_http_points_at_the_projects_schema(tmp_path: Path) -> None:
    (tmp_path / "orderspec.yaml").write_text("profiles:\n", encoding="utf-8")
    assert orderspec("schema", "flow", "-o", str(tmp_path / "schemas" / "flow.schema.json")).code == 0
    (tmp_path / "flows").mkdir()
    ran = orderspec("import-http", str(HTTP), "-o", str(tmp_path / "flows" / "panel.yaml"))
    assert ran.code == 0, ran.stderr
    first = (tmp_path / "flows" / "panel.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/flow.schema.json"
    assert "flow schema" not in ran.stderr  # it was there already


def test_import_http_writes_the_schema_into_the_project_when_it_has_none(tmp_path: Path) -> None:
    (tmp_path / "orderspec.yaml").write_text("profiles:\n", encoding="utf-8")
    (tmp_path / "flows" / "vendor").mkdir(parents=True)
    ran = orderspec("import-http", str(HTTP), "-o", str(tmp_path / "flows" / "vendor" / "panel.yaml"))
    assert ran.code == 0, ran.stderr
    assert ran.stderr.splitlines()[-1] == f"wrote {tmp_path / 'schemas' / 'flow.schema.json'}, the flow schema its first line points editors at"
    first = (tmp_path / "flows" / "vendor" / "panel.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/flow.schema.json"
    assert (tmp_path / "schemas" / "flow.schema.json").read_bytes() == (ROOT / "schemas" / "flow.schema.json").read_bytes()


def test_import_http_suggests_secret_for_a_credential_it_does_not_know(tmp_path: Path) -> None:
    source = tmp_path / "orders.http"
    source.write_text("GET https://api.vendor.example/orders\nAuthorization: Bearer {{api_token}}\nX-Tenant: {{tenant}}\n", encoding="utf-8")
    ran = orderspec("import-http", str(source), "-o", str(tmp_path / "orders.yaml"))
    assert ran.code == 0, ran.stderr
    token = next(line for line in ran.stderr.splitlines() if "api_token" in line and "warning" in line)
    assert "--secret api_token=API_TOKEN" in token and "--var" not in token
    assert f"run it with: orderspec run {tmp_path / 'orders.yaml'} --secret api_token=API_TOKEN" in ran.stderr
    flow = yaml.safe_load((tmp_path / "orders.yaml").read_text(encoding="utf-8"))
    assert flow["steps"][0]["request"]["headers"] == {"Authorization": "Bearer {{ secrets.api_token }}", "X-Tenant": "{{ vars.tenant }}"}
