"""``orderspec resolve``: settle a spec left ``uncertain`` by an apply."""

from __future__ import annotations

import click

from orderspec.cli.state import open_cli_store, profile_option, state_option, title


@click.command()
@click.argument("name")
@profile_option
@click.option("--placed", "order_id", metavar="ORDER_ID", help="The order exists at the target under this number.")
@click.option("--not-placed", is_flag=True, help="Nothing was ordered: the next apply starts this spec over.")
@click.option("--force", is_flag=True, help="Settle the record even when it is not uncertain.")
@state_option
def resolve(name: str, profile: str | None, order_id: str | None, not_placed: bool, force: bool, state_location: str | None) -> None:
    """Settle spec NAME after apply could not tell whether its order was placed.

    Look the order up at the target (by the reference the spec sent), then say what you
    found: --placed ORDER_ID records it as placed; --not-placed clears the record so the
    next apply orders it from the start.
    """
    from orderspec.errors import UsageError
    from orderspec.state import resolve_record

    if (order_id is not None) == not_placed:
        raise UsageError("give either --placed ORDER_ID or --not-placed", hint="check the target first: the order may exist")
    if order_id is not None and not order_id.strip():
        raise UsageError("--placed needs the order number the target shows")
    with open_cli_store(state_location, create=False) as store:
        settled = resolve_record(store, name, profile, placed=order_id.strip() if order_id else None, force=force)
    if order_id is not None:
        click.echo(f"{title(settled)} is placed as order {settled.order_number}; apply leaves it alone.")
    else:
        click.echo(f"{title(settled)} is pending again; the next apply orders it from the start.")
