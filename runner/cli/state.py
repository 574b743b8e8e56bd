"""``orderspec state list | show | forget``: inspect and repair what apply remembers.

As ``terraform state``: ``list`` and ``show`` only read; ``forget`` removes a spec's record
so the next apply orders it again (the order already placed at the target stays there).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from orderspec.state import Record, Redact, StateStore

F = TypeVar("F", bound=Callable[..., Any])

state_option: Callable[[F], F] = click.option(
    "--state",
    "state_location",
    metavar="URL",
    help="Where the state lives: a file path, sqlite:PATH or postgresql://USER@HOST/DB. "
    "Default: $ORDERSPEC_STATE, else .orderspec/state.db beside the nearest orderspec.yaml.",
)
profile_option: Callable[[F], F] = click.option("--profile", help="The profile the spec was applied with (needed when NAME is recorded under several).")
_format = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)


def state_root(start: Path) -> Path:
    """The folder whose ``.orderspec/state.db`` is the default: the nearest ``orderspec.yaml``'s, else ``start``."""
    from orderspec.profiles import find_profiles_file

    found = find_profiles_file(start)
    return found.parent if found is not None else start


def open_cli_store(state_location: str | None, *, create: bool = True, redact: Redact | None = None) -> StateStore:
    """The store a command uses: ``--state``, else ``ORDERSPEC_STATE``, else the SQLite default.

    With ``create`` False a SQLite file that does not exist yet is not created: it reads as
    an empty state (the inspecting commands leave no file behind where there was none).
    ``redact`` masks secrets in what is written (``plan`` and ``apply`` pass their credentials').
    """
    from orderspec.state import MemoryStore, default_state_path, open_store, sqlite_path, state_url

    url = state_url(state_location)
    root = Path.cwd() if url else state_root(Path.cwd())
    if not create:
        path = default_state_path(root) if url is None else sqlite_path(url)
        if path is not None and not path.exists():
            empty = MemoryStore(redact=redact)
            empty.description = f"SQLite file {path} (none yet)"
            return empty
    return open_store(url, root=root, redact=redact)


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def title(record: Record) -> str:
    return f"{record.name} (profile {record.profile})"


@click.group()
def state() -> None:
    """Inspect and repair the state: what apply remembers about each spec."""


@state.command("list")
@state_option
@_format
def list_records(state_location: str | None, output_format: str) -> None:
    """One line per recorded spec: name, profile, phase, order number, last update."""
    with open_cli_store(state_location, create=False) as store:
        records = store.list()
        where = store.description
    if output_format == "json":
        click.echo(json.dumps([record.as_json() for record in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo(f"No specs recorded in {where}.", err=True)
        return
    rows = [("NAME", "PROFILE", "PHASE", "ORDER", "UPDATED")]
    rows += [(r.name, r.profile, r.phase.value, r.order_number or "-", when(r.updated_at)) for r in records]
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@state.command()
@click.argument("name")
@profile_option
@state_option
@_format
def show(name: str, profile: str | None, state_location: str | None, output_format: str) -> None:
    """Everything recorded for spec NAME, and its history."""
    from orderspec.state import show_record

    with open_cli_store(state_location, create=False) as store:
        record = show_record(store, name, profile)
    if output_format == "json":
        click.echo(json.dumps(record.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(show_text(record))


def show_text(record: Record) -> str:
    """``state show``'s text: the fields, the captured variables, the history."""
    from orderspec.state import Phase

    fields = [
        ("phase", record.phase.value),
        ("order number", record.order_number or "-"),
        ("system", record.system),
        ("spec", record.spec or "-"),
        ("digest", record.digest),
        ("created", when(record.created_at)),
        ("updated", when(record.updated_at)),
        ("intent", record.intent or "-"),
        ("done", ", ".join(record.done) or "-"),
        ("remote ids", ", ".join(f"{key}={value}" for key, value in record.remote_ids.items()) or "-"),
    ]
    lines = [title(record)]
    lines += [f"  {label:<13} {value}" for label, value in fields]
    if record.vars:
        lines.append("  vars")
        for key, value in record.vars.items():
            text = json.dumps(value, ensure_ascii=False)
            lines.append(f"    {key} = {text if len(text) <= 100 else text[:97] + '...'}")
    if record.phase is Phase.UNCERTAIN:
        lines.append(
            f"\n  The {record.intent or 'last creating'} request was sent and its outcome is unknown. Check the target, then run\n"
            f"  'orderspec resolve {record.name} --profile {record.profile} --placed ORDER_ID' or '... --not-placed'."
        )
    lines.append("history")
    lines += [f"  {when(entry.at)}  {entry.action}" + (f"  {entry.detail}" if entry.detail else "") for entry in record.history] or ["  -"]
    return "\n".join(lines)


@state.command()
@click.argument("name")
@profile_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask (required when stdin is not a terminal).")
@state_option
def forget(name: str, profile: str | None, yes: bool, state_location: str | None) -> None:
    """Remove spec NAME's record, so the next apply orders it again.

    An order already placed at the target stays there: forgetting only makes orderspec
    forget it. The history keeps a "forgotten" entry.
    """
    from orderspec.errors import UsageError
    from orderspec.state import Phase, find_record, forget_record

    with open_cli_store(state_location, create=False) as store:
        record = find_record(store, name, profile)
        placed = f", placed as order {record.order_number}" if record.phase is Phase.PLACED else ""
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError(f"not forgetting {title(record)} without --yes: there is no terminal to ask", hint="run again with --yes")
            click.confirm(f"Forget {title(record)} ({record.phase.value}{placed})? The next apply will order it again", abort=True)
        forgotten = forget_record(store, record.name, record.profile)
    click.echo(f"Forgot {title(forgotten)}; the next apply will order it again.")
    if forgotten.phase is Phase.PLACED:
        click.echo(f"Order {forgotten.order_number} stays placed at the target.", err=True)
