"""``orderspec catalogue SYSTEM|SPEC``: every name a spec can use on a target, read-only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from orderspec.cli import EXIT_REFUSED, output
from orderspec.errors import UsageError

if TYPE_CHECKING:
    from orderspec.orders import Prepared, SandboxPool
    from orderspec.spec import Order


@click.command()
@click.argument("target", metavar="SYSTEM|SPEC")
@click.option("--profile", help="Profile to read with, instead of the spec's target.profile or the one named like the system.")
@click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profiles file to use instead of the nearest orderspec.yaml.",
)
@click.option("--sandbox", is_flag=True, help="Read the catalogue of the system's local sandbox, started in-process.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def catalogue(target: str, profile: str | None, profiles_file: Path | None, sandbox: bool, output_format: str) -> None:
    """List every name a spec can use on a target, exactly as the spec writes it.

    SYSTEM is a built-in system (ctq, 3yourmind-service-panel, 3yourmind-user-panel,
    tophoto), read with the profile named like it in the nearest orderspec.yaml (else
    its embedded default). SPEC is an order spec: its target is read with the spec's own
    profile, and every name of the spec that the catalogue does not offer is listed at
    the end (exit 1 when there is one). Only read requests are sent.
    """
    from orderspec.catalogue import read_catalogue, source_for, source_for_system, unresolved_names
    from orderspec.orders import pool_for
    from orderspec.targets import names

    settings = output()
    on_event = None
    if not settings.quiet and (settings.verbose or sys.stderr.isatty()):
        from orderspec.report import Progress

        on_event = Progress(sys.stderr, live=sys.stderr.isatty() and not settings.verbose)
    spec_order = None
    with pool_for(sandbox, None) as pool:
        if target in names():
            source = source_for_system(target, profile=profile, profiles_file=profiles_file, sandboxes=pool)
        else:
            _, spec_order, prepared = _prepare_spec(target, profile, profiles_file, pool)
            source = source_for(prepared)
        found = read_catalogue(source, on_event=on_event)
    unresolved = unresolved_names(spec_order, found) if spec_order is not None else None
    if output_format == "json":
        document = {**found.as_json(), "spec": target if spec_order is not None else None}
        document["unresolved"] = None if unresolved is None else [entry.as_json() for entry in unresolved]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        from orderspec.catalogue import catalogue_text

        text = catalogue_text(found, unresolved, verbose=settings.verbose)
        title, _, rest = text.partition("\n")
        click.echo(settings.style(title, bold=True) + ("\n" + rest if rest else ""))
    if unresolved:
        raise click.exceptions.Exit(EXIT_REFUSED)


def _prepare_spec(target: str, profile: str | None, profiles_file: Path | None, pool: SandboxPool | None) -> tuple[str, Order, Prepared]:
    """The spec at ``target``, validated and prepared as ``plan`` would (its profile, or the sandbox)."""
    from orderspec.catalogue import NoCatalogue
    from orderspec.orders import load_orders, prepare
    from orderspec.targets import names

    path = Path(target)
    if not path.exists():
        raise UsageError(f"{target!r} is neither a built-in system nor a spec file", hint=f"systems: {', '.join(names())}")
    if path.is_dir():
        raise UsageError(f"{target} is a folder; name one spec file", hint="the catalogue is read for one target at a time")
    ((label, order),) = load_orders([path], profiles_file=profiles_file, profile=profile)
    if order.system is None:
        raise NoCatalogue(f"{label} brings its own flow ({order.flow}); a catalogue is known for the built-in systems only")
    prepared = prepare(order, label=label, profile=profile, profiles_file=profiles_file, sandboxes=pool)
    return label, order, prepared
