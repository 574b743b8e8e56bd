"""``orderspec init [DIR]``: start a repository of order specs, ready for pre-commit and CI."""

from __future__ import annotations

from pathlib import Path

import click

from orderspec.cli import output


def _systems() -> list[str]:
    from orderspec.targets import names

    return list(names())


@click.command()
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--system",
    type=click.Choice(_systems()),
    default="ctq",
    show_default=True,
    help="The built-in system of the starter spec.",
)
@click.option(
    "--ci",
    type=click.Choice(["github", "gitlab", "none"]),
    default="github",
    show_default=True,
    help="The CI workflow to write: GitHub Actions, GitLab CI, or none.",
)
@click.option("-f", "--force", is_flag=True, help="Overwrite files that exist with other content.")
def init(folder: Path, system: str, ci: str, force: bool) -> None:
    """Write a starting point for order specs into DIR (default: here).

    orderspec.yaml with a commented profile per built-in system, a starter spec for
    --system with its model or photo, the JSON Schemas (schemas/) its modelines point
    at, .pre-commit-config.yaml, .gitignore for local state (.orderspec/) and a CI
    workflow that validates and plans pull requests and applies the main branch.
    Files that exist with other content stop init before anything is written, unless
    --force; identical ones are left alone, and .gitignore only gains missing lines.
    """
    from orderspec.templates import scaffold, write_files

    settings = output()
    written = write_files(folder, scaffold(system, None if ci == "none" else ci), force=force)
    for entry in written:
        if entry.status != "unchanged" or settings.verbose:
            colour = "yellow" if entry.status == "overwrote" else "green"
            click.echo(f"{settings.style(f'{entry.status:>9}', fg=colour)} {entry.path}")
    if settings.quiet:
        return
    unchanged = sum(entry.status == "unchanged" for entry in written)
    if unchanged and not settings.verbose:
        click.echo(f"{unchanged} file{'s' if unchanged != 1 else ''} already up to date.", err=True)
    here = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    steps = [
        (f"{here}orderspec catalogue {system} --sandbox", "every name a spec can use"),
        (f"{here}orderspec plan --sandbox specs", "what would be ordered, on the local sandbox"),
        (f"{here}orderspec apply --sandbox specs", "order it there"),
    ]
    width = max(len(command) for command, _ in steps)
    lines = [f"  {command.ljust(width)}  {meaning}" for command, meaning in steps]
    click.echo("\nNext:\n" + "\n".join(lines), err=True)
    click.echo("Then uncomment your profile in orderspec.yaml and export its credential's environment variable.", err=True)
