"""``orderspec cassette check PATH...``: lint recorded HTTP sessions before they are committed."""

from __future__ import annotations

import os
from pathlib import Path

import click

from orderspec.errors import UsageError


@click.group()
def cassette() -> None:
    """Work with recorded HTTP sessions (cassettes)."""


@cassette.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--secret-env",
    "secret_envs",
    multiple=True,
    metavar="NAME",
    help="An environment variable whose value must not appear in any encoding (repeatable).",
)
@click.option(
    "--profiles",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Profiles file whose hosts a cassette may talk to (default: the orderspec.yaml nearest each cassette).",
)
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST", help="A further host a cassette may talk to (repeatable).")
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=64 * 1024,
    show_default=True,
    help="A stored request body longer than this counts as upload bytes.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
def check(paths: tuple[str, ...], secret_envs: tuple[str, ...], profiles: Path | None, allow_hosts: tuple[str, ...], max_body_bytes: int, quiet: bool) -> None:
    """Check cassettes (files, or folders searched for *.yaml and *.yml) for credentials,
    upload bytes and hosts no profile names.

    Exits 0 when every cassette is clean, 1 when any problem is found, 2 on usage errors.
    YAML files in folders that are not cassettes are skipped.
    """
    from orderspec.cassettes import check_cassettes

    secrets: dict[str, str] = {}
    for name in secret_envs:
        value = os.environ.get(name)
        if not value:
            raise UsageError(f"--secret-env {name}: the environment variable {name} is not set", hint="export it, or leave the option out")
        secrets[name] = value
    if profiles is not None and not profiles.is_file():
        raise UsageError(f"--profiles {profiles}: no such file")
    report = check_cassettes(paths, secrets=secrets, profiles=profiles, allow_hosts=allow_hosts, max_body=max_body_bytes)
    for finding in report.findings:
        click.echo(str(finding))
    if not quiet:
        count = len(report.files)
        noun = "cassette" if count == 1 else "cassettes"
        problems = len(report.findings)
        status = "clean" if not problems else f"{problems} problem{'s' if problems != 1 else ''}"
        click.echo(f"{count} {noun} checked: {status}", err=True)
    raise click.exceptions.Exit(0 if report.ok else 1)
