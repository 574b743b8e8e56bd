"""``orderspec validate PATH...``: check specs against the schema and the targets' rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from orderspec.spec import ValidationReport


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per problem; json: one document for machines.",
)
@click.option(
    "--skip-non-orders",
    is_flag=True,
    help="Skip files named on the command line that have no top-level `kind: Order` line, as in folders.",
)
@click.option("--profile", help="Check every spec with this profile instead of its target.profile.")
@click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profiles file to check against instead of the nearest orderspec.yaml above each spec.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
def validate(paths: tuple[str, ...], output_format: str, skip_non_orders: bool, profile: str | None, profiles_file: Path | None, quiet: bool) -> None:
    """Validate order specs (files, or folders searched for *.yaml and *.yml).

    Exits 0 when every spec is valid, 1 when any is invalid, 2 on usage errors.
    YAML files in folders without a top-level `kind: Order` line are skipped.
    Also checked, without sending anything: the orderspec.yaml each spec runs with, the
    profile it names, and a custom flow (target.flow) against the flow schema and contract.
    """
    from orderspec.validation import validate as validate_offline

    report = validate_offline(paths, skip_non_orders=skip_non_orders, profiles_file=profiles_file, profile=profile)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_text(report, quiet)
    raise click.exceptions.Exit(0 if report.ok else 1)


def _print_text(report: ValidationReport, quiet: bool) -> None:
    for problem in report.problems:
        click.echo(str(problem))
    if quiet:
        return
    summary = report.to_dict()["summary"]
    parts = [f"{summary['valid']} valid"]
    if summary["invalid"]:
        parts.append(f"{summary['invalid']} invalid ({summary['problems']} problem{'s' if summary['problems'] != 1 else ''})")
    if summary["skipped"]:
        parts.append(f"{summary['skipped']} YAML file{'s' if summary['skipped'] != 1 else ''} skipped (not kind: Order)")
    noun = "spec" if summary["specs"] == 1 else "specs"
    click.echo(f"{summary['specs']} {noun}: " + ", ".join(parts), err=True)
