"""``orderspec state list|show|forget`` and ``orderspec resolve`` as a user runs them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from orderspec.cli import main
from orderspec.state import Phase, Record, open_store

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


class _Main(click.Command):
    """Runs ``orderspec.cli.main``, so errors become messages and exit codes as for a user."""

    def main(
        self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        main(list(args or ()))


def orderspec(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(_Main("orderspec"), list(args), input=input, env={"ORDERSPEC_STATE": None, **(env or {})})


def record(name: str, profile: str, phase: Phase = Phase.PLACED, **changes: Any) -> Record:
    values: dict[str, Any] = {
        "system": "ctq",
        "digest": "abc123",
        "order_number": "CTQ-1001" if phase is Phase.PLACED else None,
        "spec": f"specs/{name}.yaml",
        "done": ("login", "upload[0]"),
        "vars": {"draft_id": 17},
        "remote_ids": {"draft": "17"},
        "created_at": T0,
        "updated_at": T0 + timedelta(minutes=5),
    }
    values.update(changes)
    return Record(name, profile, phase=phase, **values)


@pytest.fixture
def seeded(url: str, tmp_path: Path) -> str:
    """A state with a placed, an uncertain and a two-profile spec."""
    with open_store(url, root=tmp_path) as store:
        store.save(record("bracket", "ctq-prod"), "placed", "order CTQ-1001")
        store.save(record("mug", "tophoto", Phase.UNCERTAIN, system="tophoto", intent="place"), "uncertain", "the place request timed out")
        store.save(record("cube", "ctq-prod", Phase.IN_PROGRESS))
        store.save(record("cube", "ctq-staging", Phase.FAILED))
    return url


def test_list_prints_one_line_per_record(seeded: str) -> None:
    result = orderspec("state", "list", "--state", seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "NAME     PROFILE      PHASE        ORDER     UPDATED",
        "bracket  ctq-prod     placed       CTQ-1001  2024-05-01 12:05:00Z",
        "cube     ctq-prod     in_progress  -         2024-05-01 12:05:00Z",
        "cube     ctq-staging  failed       -         2024-05-01 12:05:00Z",
        "mug      tophoto      uncertain    -         2024-05-01 12:05:00Z",
    ]


def test_list_as_json(seeded: str) -> None:
    result = orderspec("state", "list", "--state", seeded, "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(item["name"], item["profile"], item["phase"], item["order_number"]) for item in listed] == [
        ("bracket", "ctq-prod", "placed", "CTQ-1001"),
        ("cube", "ctq-prod", "in_progress", None),
        ("cube", "ctq-staging", "failed", None),
        ("mug", "tophoto", "uncertain", None),
    ]
    assert listed[0]["done"] == ["login", "upload[0]"] and listed[0]["vars"] == {"draft_id": 17}


def test_list_of_an_empty_state_says_so_on_stderr(sqlite_url: str, tmp_path: Path) -> None:
    open_store(sqlite_url, root=tmp_path).close()
    result = orderspec("state", "list", "--state", sqlite_url)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("No specs recorded in SQLite file ")
    assert json.loads(orderspec("state", "list", "--state", sqlite_url, "--format", "json").stdout) == []


def test_show_prints_the_record_and_its_history(seeded: str) -> None:
    result = orderspec("state", "show", "bracket", "--state", seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "bracket (profile ctq-prod)\n"
        "  phase         placed\n"
        "  order number  CTQ-1001\n"
        "  system        ctq\n"
        "  spec          specs/bracket.yaml\n"
        "  digest        abc123\n"
        "  created       2024-05-01 12:00:00Z\n"
        "  updated       2024-05-01 12:05:00Z\n"
        "  intent        -\n"
        "  done          login, upload[0]\n"
        "  remote ids    draft=17\n"
        "  vars\n"
        "    draft_id = 17\n"
        "history\n"
        "  2024-05-01 12:05:00Z  placed  order CTQ-1001\n"
    )


def test_show_of_an_uncertain_record_says_how_to_settle_it(seeded: str) -> None:
    result = orderspec("state", "show", "mug", "--state", seeded)
    assert result.exit_code == 0
    assert "The place request was sent and its outcome is unknown" in result.stdout
    assert "'orderspec resolve mug --profile tophoto --placed ORDER_ID' or '... --not-placed'" in result.stdout


def test_show_as_json(seeded: str) -> None:
    shown = json.loads(orderspec("state", "show", "cube", "--profile", "ctq-staging", "--state", seeded, "--format", "json").stdout)
    assert (shown["name"], shown["profile"], shown["phase"], shown["history"]) == ("cube", "ctq-staging", "failed", [])
    assert shown["created_at"] == "2024-05-01T12:00:00+00:00"


def test_an_ambiguous_name_lists_its_profiles(seeded: str) -> None:
    for command in (("state", "show", "cube"), ("state", "forget", "cube", "--yes"), ("resolve", "cube", "--not-placed")):
        result = orderspec(*command, "--state", seeded)
        assert result.exit_code == 2, command
        assert result.stderr == "error: cube is recorded under 2 profiles: ctq-prod, ctq-staging (choose one with --profile)\n"


def test_an_unknown_name_is_an_error(seeded: str) -> None:
    result = orderspec("state", "show", "nothing", "--state", seeded)
    assert result.exit_code == 1
    assert result.stderr == "error: no state recorded for nothing ('orderspec state list' shows what is recorded)\n"
    assert orderspec("state", "show", "bracket", "--profile", "other", "--state", seeded).exit_code == 1


def test_forget_with_yes_removes_the_record(seeded: str, tmp_path: Path) -> None:
    result = orderspec("state", "forget", "bracket", "--yes", "--state", seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Forgot bracket (profile ctq-prod); the next apply will order it again.\n"
    assert result.stderr == "Order CTQ-1001 stays placed at the target.\n"
    with open_store(seeded, root=tmp_path) as store:
        assert store.get("bracket", "ctq-prod") is None
        assert [entry.action for entry in store.history("bracket", "ctq-prod")] == ["placed", "forgotten"]


def test_forget_without_yes_and_without_a_terminal_refuses(seeded: str, tmp_path: Path) -> None:
    result = orderspec("state", "forget", "bracket", "--state", seeded, input="y\n")
    assert result.exit_code == 2
    assert result.stderr == "error: not forgetting bracket (profile ctq-prod) without --yes: there is no terminal to ask (run again with --yes)\n"
    with open_store(seeded, root=tmp_path) as store:
        assert store.get("bracket", "ctq-prod") is not None


def _on_a_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run orderspec with a pseudo-terminal as stdin and stdout; type ``answer`` at the prompt."""
    controller, terminal = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "ORDERSPEC_STATE"}
    process = subprocess.Popen([sys.executable, "-m", "orderspec", *args], stdin=terminal, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if not answered and b"[y/N]" in output:
            os.write(controller, answer.encode())
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(controller)
    return process.wait(timeout=10), output.decode(errors="replace")


def test_forget_asks_on_a_terminal(seeded: str, tmp_path: Path) -> None:
    code, output = _on_a_terminal(["state", "forget", "bracket", "--state", seeded], "n\n")
    assert "Forget bracket (profile ctq-prod) (placed, placed as order CTQ-1001)? The next apply will order it again [y/N]" in output
    assert code == 130 and "aborted" in output
    with open_store(seeded, root=tmp_path) as store:
        assert store.get("bracket", "ctq-prod") is not None

    code, output = _on_a_terminal(["state", "forget", "bracket", "--state", seeded], "y\n")
    assert code == 0 and "Forgot bracket (profile ctq-prod)" in output
    with open_store(seeded, root=tmp_path) as store:
        assert store.get("bracket", "ctq-prod") is None


def test_resolve_placed_records_the_order(seeded: str, tmp_path: Path) -> None:
    result = orderspec("resolve", "mug", "--placed", "TP-77", "--state", seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == "mug (profile tophoto) is placed as order TP-77; apply leaves it alone.\n"
    with open_store(seeded, root=tmp_path) as store:
        settled = store.get("mug", "tophoto")
        assert settled is not None
        assert (settled.phase, settled.order_number, settled.intent, settled.done) == (Phase.PLACED, "TP-77", None, ("login", "upload[0]"))
        assert store.history("mug", "tophoto")[-1].action == "resolved"
        assert store.history("mug", "tophoto")[-1].detail == "placed as order TP-77 (was uncertain)"


def test_resolve_not_placed_starts_the_spec_over(seeded: str, tmp_path: Path) -> None:
    result = orderspec("resolve", "mug", "--not-placed", "--state", seeded)
    assert result.exit_code == 0, result.output
    assert result.stdout == "mug (profile tophoto) is pending again; the next apply orders it from the start.\n"
    with open_store(seeded, root=tmp_path) as store:
        settled = store.get("mug", "tophoto")
        assert settled is not None
        assert (settled.phase, settled.order_number, settled.intent, settled.done, dict(settled.vars), dict(settled.remote_ids)) == (
            Phase.PENDING,
            None,
            None,
            (),
            {},
            {},
        )
        assert store.history("mug", "tophoto")[-1].detail == "not placed (was uncertain); the next apply starts over; dropped draft=17"


def test_resolve_refuses_a_record_that_is_not_uncertain_unless_forced(seeded: str, tmp_path: Path) -> None:
    result = orderspec("resolve", "bracket", "--not-placed", "--state", seeded)
    assert result.exit_code == 1
    assert result.stderr == "error: bracket (profile ctq-prod) is placed, not uncertain: there is nothing to settle (use --force to overwrite it anyway)\n"
    forced = orderspec("resolve", "cube", "--profile", "ctq-staging", "--placed", "CTQ-9", "--force", "--state", seeded)
    assert forced.exit_code == 0, forced.output
    with open_store(seeded, root=tmp_path) as store:
        placed = store.get("bracket", "ctq-prod")
        assert placed is not None and placed.phase is Phase.PLACED
        forced_record = store.get("cube", "ctq-staging")
        assert forced_record is not None and (forced_record.phase, forced_record.order_number) == (Phase.PLACED, "CTQ-9")


@pytest.mark.parametrize("options", [(), ("--placed", "X", "--not-placed"), ("--placed", " ")])
def test_resolve_needs_exactly_one_outcome(options: tuple[str, ...], seeded: str) -> None:
    result = orderspec("resolve", "mug", *options, "--state", seeded)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_forget_and_resolve_wait_for_no_one_while_an_apply_holds_the_spec(seeded: str, tmp_path: Path) -> None:
    with open_store(seeded, root=tmp_path) as store, store.lock("mug", "tophoto", owner="orderspec apply"):
        for command in (("resolve", "mug", "--not-placed"), ("state", "forget", "mug", "--yes")):
            result = orderspec(*command, "--state", seeded)
            assert result.exit_code == 1
            assert result.stderr.startswith("error: mug (profile tophoto) is being worked on by orderspec apply (pid ")
    assert orderspec("resolve", "mug", "--not-placed", "--state", seeded).exit_code == 0


def test_the_state_comes_from_orderspec_state_without_the_option(seeded: str) -> None:
    result = orderspec("state", "list", env={"ORDERSPEC_STATE": seeded})
    assert result.exit_code == 0 and "bracket" in result.stdout


def test_the_default_state_sits_beside_the_nearest_orderspec_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "specs" / "deep").mkdir(parents=True)
    (project / "orderspec.yaml").write_text("profiles: {}\n")
    with open_store(None, root=project) as store:
        store.save(record("bracket", "ctq-prod"))
    monkeypatch.chdir(project / "specs" / "deep")
    result = orderspec("state", "list")
    assert result.exit_code == 0, result.output
    assert "bracket" in result.stdout
    assert not (project / "specs" / "deep" / ".orderspec").exists()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = orderspec("state", "list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"No specs recorded in SQLite file {elsewhere / '.orderspec' / 'state.db'} (none yet).\n"
    assert orderspec("state", "show", "bracket").stderr == "error: no state recorded for bracket ('orderspec state list' shows what is recorded)\n"
    assert orderspec("resolve", "bracket", "--not-placed").exit_code == 1
    assert not (elsewhere / ".orderspec").exists()  # looking leaves no state file behind


def test_messages_never_show_the_password(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for args in (("state", "list"), ("state", "show", "x"), ("resolve", "x", "--not-placed")):
        result = orderspec(*args, "--state", f"postgresql://ci:hunter2@127.0.0.1:{port}/orders")
        assert result.exit_code == 1
        assert f"cannot reach the PostgreSQL state database at 127.0.0.1:{port}" in result.stderr
        assert "hunter2" not in result.output
    result = orderspec("state", "list", "--state", "mysql://ci:hunter2@db/orders")
    assert result.exit_code == 2 and "mysql://ci:***@db/orders" in result.stderr and "hunter2" not in result.output


def test_a_state_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_text("not a database " * 100)
    result = orderspec("state", "list", "--state", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path} is not a SQLite database (point --state or ORDERSPEC_STATE at")
