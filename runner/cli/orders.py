"""``orderspec plan`` and ``orderspec apply``: thin commands over ``orderspec.orders``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from orderspec.orders import SandboxPool

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
_sandbox = click.option("--sandbox", is_flag=True, help="Start the system's local sandbox in-process and order there (no account needed).")
_profile = click.option("--profile", help="Profile to use for every spec, instead of each spec's target.profile.")
_profiles = click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profiles file to use instead of the nearest orderspec.yaml above each spec.",
)
_format = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)


@click.command()
@_paths
@_sandbox
@click.option("--quote", is_flag=True, help="Price a real draft (created, then deleted) where the target can delete drafts.")
@_profile
@_profiles
@_format
def plan(paths: tuple[Path, ...], sandbox: bool, quote: bool, profile: str | None, profiles_file: Path | None, output_format: str) -> None:
    """Show the order each spec in PATHS would place, with every name resolved.

    Only read-only requests are sent (catalogues, addresses, methods), unless --quote
    asks the target to price a draft that is deleted again. Nothing is placed.
    """
    from orderspec.orders import plan as plan_orders
    from orderspec.orders._render import plan_json, plan_text, to_json

    planned = plan_orders(paths, sandbox=sandbox, quote=quote, profile=profile, profiles_file=profiles_file)
    click.echo(to_json(plan_json(planned)) if output_format == "json" else plan_text(planned))


@click.command()
@_paths
@_sandbox
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@_profile
@_profiles
@_format
def apply(paths: tuple[Path, ...], sandbox: bool, yes: bool, profile: str | None, profiles_file: Path | None, output_format: str) -> None:
    """Place the order of each spec in PATHS and print the order numbers.

    Progress (each step, bytes uploaded, waiting for analysis) goes to stderr; the
    placed orders, or the JSON report with --format json, to stdout. Exit 0 when every
    order was placed, 1 when any failed, 2 for a wrong command line.
    """
    from orderspec.orders import ApplyFailed
    from orderspec.orders import apply as apply_orders
    from orderspec.orders._render import ApplyProgress, apply_json, placed_text, to_json
    from orderspec.orders._sandboxes import pool_for

    json_mode = output_format == "json"
    progress = ApplyProgress(sys.stderr, live=sys.stderr.isatty())
    on_placed = None if json_mode else (lambda placed: click.echo(placed_text(placed)))
    # One pool for the plan shown and the orders placed: both talk to the same sandboxes.
    with pool_for(sandbox, None) as pool:
        if not yes and sys.stdin.isatty() and sys.stdout.isatty():
            _confirm(paths, sandbox=sandbox, profile=profile, profiles_file=profiles_file, sandboxes=pool)
        try:
            placed = apply_orders(paths, profile=profile, profiles_file=profiles_file, sandboxes=pool, on_event=progress, on_placed=on_placed)
        except ApplyFailed as exc:
            if json_mode:
                click.echo(to_json(apply_json(exc.placed, exc.failures)))
            raise
    if json_mode:
        click.echo(to_json(apply_json(placed)))
    else:
        click.echo(f"{len(placed)} order{'s' if len(placed) != 1 else ''} placed.")


def _confirm(paths: tuple[Path, ...], *, sandbox: bool, profile: str | None, profiles_file: Path | None, sandboxes: SandboxPool | None) -> None:
    """Show what ``plan`` shows, then ask: a person confirms the orders they have seen."""
    from orderspec.orders import plan as plan_orders
    from orderspec.orders._render import plan_text

    planned = plan_orders(paths, profile=profile, profiles_file=profiles_file, sandboxes=sandboxes)
    click.echo(plan_text(planned))
    where = "the local sandboxes" if sandbox else "the targets of their profiles"
    count = len(planned)
    click.confirm(f"\nPlace {'this order' if count == 1 else f'these {count} orders'} on {where}?", abort=True)
