"""``orderspec status [NAME...]``: what the state holds for each order, beside its live status."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from orderspec.cli.state import open_cli_store, state_option


@click.command()
@click.argument("names", nargs=-1)
@state_option
@click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profiles file to use instead of the nearest orderspec.yaml above the current folder.",
)
@click.option("--ack", is_flag=True, help="Acknowledge the statuses the target asks a client to acknowledge (to.photo: Produced, Shipped, Failed).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(names: tuple[str, ...], state_location: str | None, profiles_file: Path | None, ack: bool, output_format: str) -> None:
    """Show each order in the state (or those named) with its status on the target.

    Reads the state and sends read requests only; with --ack it also acknowledges what
    the target asks to be acknowledged. Exit 0, or 1 when a named spec has no record.
    """
    from orderspec.errors import OrderspecError
    from orderspec.orders import order_statuses

    with open_cli_store(state_location, create=False) as store:
        records = store.list()
    if names:
        missing = sorted(set(names) - {record.name for record in records})
        if missing:
            raise OrderspecError(f"no state for {', '.join(repr(name) for name in missing)}", hint="orderspec state list shows what the state holds")
        records = [record for record in records if record.name in names]
    statuses = order_statuses(records, start=Path.cwd(), profiles_file=profiles_file, ack=ack)
    if output_format == "json":
        click.echo(json.dumps({"orders": [asdict(entry) for entry in statuses]}, indent=2, ensure_ascii=False))
        return
    if not statuses:
        click.echo("the state holds no orders")
        return
    for entry in statuses:
        number = entry.order_number or "-"
        live = entry.live if entry.live is not None else f"({entry.note})"
        line = f"{entry.name:<28} {entry.profile:<24} {entry.phase:<12} {number:<14} {live}"
        click.echo(line.rstrip())
        if entry.to_acknowledge and not entry.acknowledged:
            click.echo(f"  to acknowledge: {', '.join(entry.to_acknowledge)} (run with --ack)")
        if entry.acknowledged:
            click.echo(f"  acknowledged: {', '.join(entry.acknowledged)}")
