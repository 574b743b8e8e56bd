"""The pytest plugin, run by pytest itself (``pytester``): specs with cassettes as test items, fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
COMMITTED = ROOT / "cassettes"


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """A project with the CTQ example spec and its committed cassette (``cassettes/`` under the current folder)."""
    specs = pytester.path / "specs"
    specs.mkdir()
    shutil.copy(EXAMPLES / "ctq-bracket.yaml", specs)
    shutil.copytree(EXAMPLES / "models", specs / "models")
    (pytester.path / "cassettes").mkdir()
    shutil.copy(COMMITTED / "ctq-bracket.yaml", pytester.path / "cassettes")
    return pytester.path


def edit_spec(project: Path, change: dict[str, object]) -> None:
    path = project / "specs" / "ctq-bracket.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"][0].update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_spec_with_a_cassette_becomes_an_item_that_replays_it(pytester: pytest.Pytester, project: Path) -> None:
    (project / "specs" / "no-cassette.yaml").write_text(
        (project / "specs" / "ctq-bracket.yaml").read_text(encoding="utf-8").replace("name: ctq-bracket", "name: no-cassette"), encoding="utf-8"
    )
    result = pytester.runpytest("--orderspec", "specs", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["specs/ctq-bracket.yaml::ctq-bracket PASSED*"])
    assert "no-cassette" not in result.stdout.str()


def test_without_the_option_specs_are_not_collected(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_changed_spec_fails_with_the_recorded_request_it_no_longer_matches(pytester: pytest.Pytester, project: Path) -> None:
    edit_spec(project, {"quantity": 3})
    result = pytester.runpytest("--orderspec", "specs", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "replaying " in text and "cassettes/ctq-bracket.yaml" in text
    assert "no recorded request matches" in text
    assert "recorded 2, this request 3" in text
    assert "Traceback" not in text


def test_an_outcome_that_changed_fails_with_each_difference(pytester: pytest.Pytester, project: Path) -> None:
    cassette = project / "cassettes" / "ctq-bracket.yaml"
    cassette.write_text(cassette.read_text(encoding="utf-8").replace("order_number: '10001'", "order_number: '10002'"), encoding="utf-8")
    result = pytester.runpytest("--orderspec", "specs", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ends differently than recorded*", '*order number: recorded "10002", replayed "10001"*', '*outputs.order_number: recorded "10002", replayed "10001"*']
    )


def test_a_spec_named_without_a_cassette_fails_saying_how_to_record_one(pytester: pytest.Pytester, project: Path) -> None:
    (project / "cassettes" / "ctq-bracket.yaml").unlink()
    result = pytester.runpytest("--orderspec", "specs/ctq-bracket.yaml", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no cassette at *cassettes/ctq-bracket.yaml*--record*"])


def test_record_again_against_the_sandbox_shows_no_change_then_the_diff_of_a_change(pytester: pytest.Pytester, project: Path) -> None:
    committed = (project / "cassettes" / "ctq-bracket.yaml").read_bytes()
    result = pytester.runpytest("--orderspec", "specs", "--orderspec-record", "--orderspec-sandbox", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*orderspec cassettes recorded*", "cassettes/ctq-bracket.yaml: unchanged"])
    assert (project / "cassettes" / "ctq-bracket.yaml").read_bytes() == committed

    edit_spec(project, {"quantity": 3})
    result = pytester.runpytest("--orderspec", "specs", "--orderspec-record", "--orderspec-sandbox", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    text = result.stdout.str()
    assert "cassettes/ctq-bracket.yaml: changed" in text
    assert '\n-            "quantity": 2\n+            "quantity": 3\n' in text
    assert "-      total: '54.26'\n+      total: '65.51'" in text
    # and the new cassette replays
    pytester.runpytest("--orderspec", "specs", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_record_a_new_cassette(pytester: pytest.Pytester, project: Path) -> None:
    shutil.rmtree(project / "cassettes")
    result = pytester.runpytest("--orderspec", "specs", "--orderspec-record", "--orderspec-sandbox", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["cassettes/ctq-bracket.yaml: new cassette"])
    assert (project / "cassettes" / "ctq-bracket.yaml").read_bytes() == (COMMITTED / "ctq-bracket.yaml").read_bytes()


def test_record_without_a_sandbox_needs_the_profiles_target(pytester: pytest.Pytester, project: Path) -> None:
    (project / "orderspec.yaml").write_text(
        "profiles:\n  ctq:\n    system: ctq\n    base_url: http://127.0.0.1:9\n    auth: {kind: header, header: x-api-key, env: ORDERSPEC_TEST_UNSET_VARIABLE}\n",
        encoding="utf-8",
    )
    shutil.move(project / "cassettes", project / "kept")
    result = pytester.runpytest("--orderspec", "specs", "--orderspec-record", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["recording *cassettes/ctq-bracket.yaml for ctq-bracket.yaml:", "*ORDERSPEC_TEST_UNSET_VARIABLE*"])
    assert not (project / "cassettes").exists()


def test_the_fixtures_start_a_sandbox_and_replay_a_spec(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_fixtures="""
        import httpx
        from orderspec.engine import InstantClock, load_flow, run_flow

        def test_sandbox(orderspec_sandbox):
            running = orderspec_sandbox("ctq")
            assert httpx.get(running.base_url + "/info", headers={"x-api-key": "sandbox-org", "language": "en"}).json()["currency"]["code"] == "EUR"

        def test_replay(orderspec_replay):
            replayed = orderspec_replay("specs/ctq-bracket.yaml")
            assert replayed.outcome.order_number == "10001"
            assert replayed.outcome == replayed.recorded
            assert replayed.cassette.name == "ctq-bracket.yaml"

        def test_replay_transport(orderspec_replay):
            with orderspec_replay.transport("cassettes/ctq-bracket.yaml", strict=False) as transport:
                answer = httpx.Client(transport=transport).get("http://127.0.0.1/info")
            assert answer.json()["currency"]["code"] == "EUR"
        """
    )
    result = pytester.runpytest("test_fixtures.py", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
