"""``orderspec plan`` and ``orderspec apply``: thin commands over ``orderspec.orders``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from orderspec.orders import Plan

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

    Only read requests are sent (catalogues, addresses, methods), unless --quote
    asks the target to price a draft that is deleted again. Nothing is placed.
    """
    from orderspec.orders import PlanFailed, Runtime, load_orders, plan_all, pool_for
    from orderspec.orders._render import plan_json, plan_text, to_json

    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    with pool_for(sandbox, None) as pool:
        try:
            planned = plan_all(orders, Runtime(), quote=quote, profile=profile, profiles_file=profiles_file, sandboxes=pool)
        except PlanFailed as exc:
            if output_format == "json":
                click.echo(to_json(plan_json(exc.planned, exc.failures)))
            else:
                click.echo(plan_text(exc.planned))
            raise
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

    Every spec is planned first (names resolved, nothing changed); on a terminal the plan
    is shown and confirmed, and exactly that plan is carried out. Progress goes to stderr;
    the placed orders, or the JSON report with --format json, to stdout. Exit 0 when every
    order was placed, 1 when any failed, 2 for a wrong command line.
    """
    from orderspec.orders import ApplyFailed, PlanFailed, Runtime, apply_all, load_orders, plan_all, pool_for
    from orderspec.orders._render import ApplyProgress, apply_json, placed_text, to_json

    json_mode = output_format == "json"
    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    runtime = Runtime(events=ApplyProgress(sys.stderr, live=sys.stderr.isatty()))
    on_placed = None if json_mode else (lambda placed: click.echo(placed_text(placed)))
    # One pool for the plan shown and the orders placed: both talk to the same sandboxes.
    with pool_for(sandbox, None) as pool:
        try:
            plans = plan_all(orders, Runtime(), profile=profile, profiles_file=profiles_file, sandboxes=pool)
            unplanned = []
        except PlanFailed as exc:
            plans, unplanned = exc.planned, exc.failures
        if plans and not yes and sys.stdin.isatty() and sys.stdout.isatty():
            _confirm(plans, sandbox=sandbox)
        try:
            placed = apply_all(plans, runtime, on_placed=on_placed)
        except ApplyFailed as exc:
            error = ApplyFailed([*unplanned, *exc.failures], exc.placed, exc.exit_code)
            if json_mode:
                click.echo(to_json(apply_json(error.placed, error.failures)))
            raise error from None
        if unplanned:
            if json_mode:
                click.echo(to_json(apply_json(placed, unplanned)))
            raise ApplyFailed(unplanned, placed)
    if json_mode:
        click.echo(to_json(apply_json(placed)))
    else:
        click.echo(f"{len(placed)} order{'s' if len(placed) != 1 else ''} placed.")


def _confirm(plans: list[Plan], *, sandbox: bool) -> None:
    """Show the plan, then ask: a person confirms the orders they have seen, and exactly those are placed."""
    from orderspec.orders._render import plan_text

    click.echo(plan_text(plans))
    where = "the local sandboxes" if sandbox else "the targets of their profiles"
    count = len(plans)
    click.confirm(f"\nPlace {'this order' if count == 1 else f'these {count} orders'} on {where}?", abort=True)
