"""``orderspec run FLOW.yaml``: execute any flow directly."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from orderspec._yaml import load_yaml
from orderspec.cli._cassettes import REPLAY_SECRET, CassetteOptions, FlowTape, cassette_options
from orderspec.engine import Effect, FlowContext, FlowError, FlowResult, Masker, load_flow, run_flow
from orderspec.errors import UsageError
from orderspec.report import Progress, json_report, junit_xml, summary


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} {value!r}: write NAME=VALUE")
        pairs[name.strip()] = rest
    return pairs


def _secrets(values: tuple[str, ...], *, offline: bool = False) -> dict[str, str]:
    """``--secret`` values from the environment; a replay (``offline``) needs none and gets placeholders."""
    secrets: dict[str, str] = {}
    for name, variable in _pairs(values, "--secret").items():
        if not variable:
            raise UsageError(f"--secret {name}=: name the environment variable that holds it")
        if offline:
            secrets[name] = REPLAY_SECRET
            continue
        if variable not in os.environ:
            raise UsageError(f"--secret {name}={variable}: the environment variable {variable} is not set")
        secrets[name] = os.environ[variable]
    return secrets


def _report(result: FlowResult, output_format: str, junit: Path | None, mask: Masker) -> None:
    if junit is not None:
        try:
            junit.write_text(junit_xml(result, mask), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write --junit {junit}: {exc.strerror or exc}") from None
    if output_format == "json":
        click.echo(json_report(result, mask))
    else:
        click.echo(summary(result, mask), err=not result.ok)


@click.command()
@click.argument("flow_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--var", "var_values", multiple=True, metavar="NAME=VALUE", help="Set vars.NAME (a string); repeatable.")
@click.option("--secret", "secret_values", multiple=True, metavar="NAME=ENV_VAR", help="Set secrets.NAME from an environment variable; repeatable.")
@click.option("--base-url", help='Set target.base_url (for flows with base_url: "{{ target.base_url }}").')
@click.option(
    "--order",
    "order_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML file passed to the flow as `order` (data, not validated).",
)
@click.option(
    "--stop-before",
    type=click.Choice(["write", "create", "place"]),
    help="Run only the steps before the first one with this effect or a stronger one.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write a JUnit XML report to this file.")
@cassette_options
def run(
    flow_file: Path,
    var_values: tuple[str, ...],
    secret_values: tuple[str, ...],
    base_url: str | None,
    order_file: Path | None,
    stop_before: Effect | None,
    output_format: str,
    junit: Path | None,
    cassettes: CassetteOptions,
) -> None:
    """Run the steps of FLOW_FILE and print what they captured.

    Progress goes to stderr (one updating line on a terminal); the summary, or the
    JSON report with --format json, to stdout. Exit 0 when the flow passed, 1 when it
    failed, 2 for a wrong command line.
    """
    variables = _pairs(var_values, "--var")
    secrets = _secrets(secret_values, offline=cassettes.mode == "replay")
    flow = load_flow(flow_file)
    order = load_yaml(order_file).data if order_file else None
    mask = Masker(secrets.values())
    context = FlowContext(
        order=order,
        target={"base_url": base_url} if base_url else {},
        secrets=secrets,
        vars=variables,
        folder=flow_file.resolve().parent,
    )
    progress = Progress(sys.stderr, live=sys.stderr.isatty(), mask=mask)
    try:
        if cassettes.mode is None:
            result = run_flow(flow, context, on_event=progress, stop_before=stop_before)
        else:
            with FlowTape(cassettes, flow, flow_file, secrets, strict=stop_before is None) as tape, tape.engine() as engine:
                result = tape.finished(run_flow(flow, context, on_event=progress, stop_before=stop_before, **engine))
    except FlowError as exc:
        if exc.result is not None:
            _report(exc.result, output_format, junit, mask)
        raise
    _report(result, output_format, junit, mask)
