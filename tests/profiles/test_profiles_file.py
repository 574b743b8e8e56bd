"""``orderspec.yaml``: custom vendors need no system, and every mistake is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderspec.profiles import ProfilesInvalid, check_profiles, load_profiles, select_profile


def _write(folder: Path, text: str) -> Path:
    path = folder / "orderspec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_custom_vendor_profile_needs_no_system(tmp_path: Path) -> None:
    path = _write(tmp_path, "profiles:\n  printshop:\n    base_url: https://api.printshop.example/v2/\n    auth: {kind: bearer, env: PRINTSHOP_TOKEN}\n    options: {region: eu}\n")
    profile = load_profiles(path)["printshop"]
    assert profile.system is None
    assert profile.base_url == "https://api.printshop.example/v2"
    assert (profile.auth.kind, profile.auth.env) == ("bearer", "PRINTSHOP_TOKEN")
    assert profile.options == {"region": "eu"}
    assert select_profile(None, "printshop", tmp_path / "spec.yaml") == profile


def test_every_problem_is_reported_located_with_did_you_mean(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "profiles:\n"
        "  a:\n    system: ctqq\n"
        "  b:\n    base_url: https://x.example\n    auth: {kind: bearr, env: X}\n"
        "  c:\n    base_url: https://x.example\n    auth: {kind: query, env: X}\n"
        "  d:\n    auth: {kind: none}\n"
        "  e:\n    base_url: https://user:pw@x.example\n"
        "  f:\n    system: ctq\n    optoins: {}\n",
    )
    problems = check_profiles(path)
    lines = [f"{p.location.line}:{p.location.column} {p.message} ({p.hint})" for p in problems]
    assert lines == [
        "3:13 profile 'a': unknown system 'ctqq'; built-in systems: ctq, 3yourmind-service-panel, 3yourmind-user-panel, tophoto (did you mean 'ctq'?)",
        "6:18 profile 'b': auth kind must be one of none, token, bearer, basic, header, query (did you mean 'bearer'?)",
        "9:5 profile 'c': auth kind query needs 'param': the query parameter's name (None)",
        "10:3 profile 'd': a profile without a built-in system needs base_url (e.g. base_url: https://api.vendor.example/v1)",
        "13:15 profile 'e': base_url must not hold a user name or password (put the credential in an environment variable named by auth.env)",
        "16:5 profile 'f': unknown key 'optoins' (did you mean 'options'?)",
    ]
    with pytest.raises(ProfilesInvalid) as caught:
        load_profiles(path)
    assert len(caught.value.problems) == 6
    assert "pw@" not in str(caught.value)


def test_a_key_another_kind_uses_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "profiles:\n  v:\n    base_url: https://x.example\n    auth: {kind: bearer, env: X, param: key}\n")
    [problem] = check_profiles(path)
    assert problem.message == "profile 'v': auth kind bearer does not use 'param'"
    assert problem.hint == "kind bearer takes env"


def test_the_old_name_api_key_header_still_reads(tmp_path: Path) -> None:
    path = _write(tmp_path, "profiles:\n  c:\n    system: ctq\n    auth: {kind: api-key-header, header: organization_id, env: ORG}\n")
    auth = load_profiles(path)["c"].auth
    assert (auth.kind, auth.header, auth.env) == ("header", "organization_id", "ORG")
