"""What every command shares: -q, -v, --no-color and NO_COLOR, one table of exit codes, shell completion."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from clirun import orderspec

from orderspec.cli import COMMANDS, EXIT_CODES, cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
ANSI = "\x1b["


def _leaf_commands() -> list[tuple[str, ...]]:
    ctx = click.Context(cli)
    found: list[tuple[str, ...]] = []
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [(name, sub) for sub in command.list_commands(ctx)]
        else:
            found.append((name,))
    return found


def test_every_command_takes_the_common_options() -> None:
    commands = _leaf_commands()
    assert ("catalogue",) in commands and ("state", "list") in commands and ("sandbox", "serve") in commands
    for path in commands:
        ran = orderspec(*path, "--help")
        assert ran.code == 0, path
        for option in ("-q, --quiet", "-v, --verbose", "--no-color"):
            assert option in ran.stdout, (path, option)


def test_the_common_options_are_accepted_before_the_command_too(tmp_path: Path) -> None:
    ran = orderspec("--no-color", "-q", "init", str(tmp_path), "--ci", "none")
    assert ran.code == 0 and ran.stderr == "" and ANSI not in ran.stdout


def test_quiet_leaves_results_and_errors_only() -> None:
    loud = orderspec("apply", "--sandbox", "--yes", str(EXAMPLES / "tophoto-mug.yaml"))
    assert loud.code == 0 and "apply tophoto-mug" in loud.stderr  # progress
    quiet = orderspec("apply", "-q", "--sandbox", "--yes", str(EXAMPLES / "tophoto-mug.yaml"))
    assert quiet.code == 0, quiet.stderr
    assert quiet.stderr == ""
    assert quiet.stdout.startswith("placed tophoto-mug: order 1230")
    valid = orderspec("validate", "-q", str(EXAMPLES))
    assert (valid.code, valid.stdout, valid.stderr) == (0, "", "")
    failing = orderspec("catalogue", "-q", "no-such-system")
    assert failing.code == 2 and failing.stderr.startswith("error: 'no-such-system' is neither")


def test_verbose_shows_more(tmp_path: Path) -> None:
    plain = orderspec("catalogue", "3yourmind-user-panel", "--sandbox")
    detailed = orderspec("catalogue", "-v", "3yourmind-user-panel", "--sandbox")
    assert "[id 61]" not in plain.stdout and "  Invoice      invoice  [id 61]" in detailed.stdout
    assert "ok    payment methods  GET " in detailed.stderr  # every request it sent
    assert orderspec("init", str(tmp_path), "--ci", "none").code == 0
    again = orderspec("init", "-v", str(tmp_path), "--ci", "none")
    assert "unchanged " in again.stdout


def test_colour_on_a_terminal_unless_no_color_or_NO_COLOR(tmp_path: Path) -> None:
    coloured = orderspec("init", str(tmp_path / "a"), "--ci", "none", color=True)
    assert ANSI in coloured.stdout
    flag = orderspec("init", str(tmp_path / "b"), "--ci", "none", "--no-color", color=True)
    assert ANSI not in flag.stdout and "wrote" in flag.stdout
    env = orderspec("init", str(tmp_path / "c"), "--ci", "none", color=True, env={"NO_COLOR": "1"})
    assert ANSI not in env.stdout and "wrote" in env.stdout
    error = orderspec("catalogue", "nothing", color=True)
    assert error.stderr.startswith(f"{ANSI}31m{ANSI}1merror:")
    plain_error = orderspec("catalogue", "nothing", color=True, env={"NO_COLOR": "1"})
    assert plain_error.stderr.startswith("error: 'nothing'")
    not_a_terminal = orderspec("init", str(tmp_path / "d"), "--ci", "none")
    assert ANSI not in not_a_terminal.stdout


# -- exit codes -------------------------------------------------------------------------


def test_the_exit_code_table_in_the_docs_is_the_one_the_cli_uses() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", text, flags=re.MULTILINE))
    assert {int(code) for code in rows} == set(EXIT_CODES)


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "missing.yaml"),
        ("plan", "missing.yaml"),
        ("apply", "--yes", "missing.yaml"),
        ("run", "missing.yaml"),
        ("import-http", "missing.http"),
        ("cassette", "check", "missing.yaml"),
        ("catalogue", "missing.yaml"),
        ("sandbox", "serve", "ctq", "--config", "missing.yaml"),
        ("plan", "--profiles", "missing.yaml", "specs"),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_missing_file_is_a_usage_error_everywhere(tmp_path: Path, args: tuple[str, ...]) -> None:
    ran = orderspec(*args, cwd=tmp_path)
    assert ran.code == 2, ran.stderr
    assert "missing" in ran.stderr and "Traceback" not in ran.stderr


def test_invalid_input_is_1_and_a_wrong_option_is_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: orderspec/v1\nkind: Order\nmetadata: {name: Bad_Name}\ntarget: {system: ctq}\nitems: []\n", encoding="utf-8")
    assert orderspec("validate", str(bad)).code == 1
    assert orderspec("validate", "--format", "xml", str(bad)).code == 2


@click.command()
@click.option("--fail", type=click.Choice(["bug", "no"]))
def _probe(fail: str) -> None:
    if fail == "bug":
        raise RuntimeError("a bug")
    click.confirm("Place it?", abort=True)


def test_an_internal_error_is_70_and_a_declined_confirmation_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COMMANDS, "probe", f"{__name__}:_probe")
    bug = orderspec("probe", "--fail", "bug")
    assert bug.code == 70
    assert bug.stderr.startswith("internal error: RuntimeError: a bug\nThis is a bug in orderspec; run again with -vv")
    assert "Traceback" not in bug.stderr
    traced = orderspec("probe", "-vv", "--fail", "bug")
    assert traced.code == 70 and "Traceback (most recent call last)" in traced.stderr
    declined = orderspec("probe", "--fail", "no", input="n\n")
    assert declined.code == 130 and declined.stderr.endswith("aborted\n")


def test_shell_completion() -> None:
    script = orderspec(env={"_ORDERSPEC_COMPLETE": "bash_source"})
    assert script.code == 0 and "_orderspec_completion" in script.stdout
    words = orderspec(env={"_ORDERSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "orderspec cat", "COMP_CWORD": "1"})
    assert "plain,catalogue" in words.stdout.splitlines()
    options = orderspec(env={"_ORDERSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "orderspec plan --no", "COMP_CWORD": "2"})
    assert "plain,--no-color" in options.stdout.splitlines()


def test_the_sandbox_docs_name_every_option_sandbox_replaces() -> None:
    from orderspec.targets import systems

    text = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
    for system in systems().values():
        for option in system.sandbox.replaced:
            assert f"`options.{option}`" in text, (system.name, option)
