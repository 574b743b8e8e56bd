"""``orderspec plan`` and ``orderspec apply``: thin commands over ``orderspec.orders``.

Both compare each spec with the state (``--state``, ``ORDERSPEC_STATE``, or
``.orderspec/state.db`` beside the nearest ``orderspec.yaml``); ``--sandbox`` keeps a state
in memory only, since its sandboxes end with the command.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from orderspec.cli._cassettes import CassetteOptions, cassette_options, order_cassettes
from orderspec.cli.state import state_option

if TYPE_CHECKING:
    from orderspec.orders import FailedOrder, Ledger, Plan
    from orderspec.state import Record

_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
_sandbox = click.option("--sandbox", is_flag=True, help="Start the system's local sandbox in-process and order there (no account needed; no state is kept).")
_profile = click.option("--profile", help="Profile to use for every spec, instead of each spec's target.profile.")
_profiles = click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Profiles file to use instead of the nearest orderspec.yaml above each spec.",
)
_format = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
_junit = click.option(
    "--junit",
    "junit_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write a JUnit XML report to FILE: one test case per spec.",
)


@click.command()
@_paths
@_sandbox
@click.option("--quote", is_flag=True, help="Price a real draft (created, then deleted) where the target can delete drafts.")
@_profile
@_profiles
@_format
@state_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when a spec is to create or resume or to look at (drift, orphan, uncertain), 1 on errors.",
)
@_junit
@cassette_options
def plan(
    paths: tuple[Path, ...],
    sandbox: bool,
    quote: bool,
    profile: str | None,
    profiles_file: Path | None,
    output_format: str,
    state_location: str | None,
    detailed_exitcode: bool,
    junit_file: Path | None,
    cassettes: CassetteOptions,
) -> None:
    """Show what apply would do with each spec in PATHS, with every name resolved.

    Each spec is compared with the state: create, resume (stopped part-way), unchanged
    (placed; nothing is sent for it), drift (placed, then the spec or a file changed),
    uncertain (settle with orderspec resolve); records of specs no longer in a folder
    given are orphans. Only read requests are sent, unless --quote asks the target to
    price a draft that is deleted again. Nothing is placed. Exit 1 when a spec cannot be
    planned (an unknown name, a quote over the budget).
    """
    from orderspec.orders import TO_DO, PlanFailed, load_orders, plan_all, pool_for
    from orderspec.orders._junit import plan_cases, write_junit
    from orderspec.orders._render import plan_json, plan_text, to_json

    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    with (
        order_cassettes(cassettes, "plan", profiles_file=profiles_file, specs=len(orders)) as tape,
        _ledger(state_location, sandbox=sandbox, create=False, offline=tape.offline) as ledger,
        pool_for(sandbox, tape.sandboxes(sandbox)) as pool,
    ):
        failures: list[FailedOrder] = []
        code = 1
        try:
            planned = plan_all(orders, tape.runtime(state=ledger), quote=quote, profile=profile, profiles_file=profiles_file, sandboxes=pool)
        except PlanFailed as exc:
            planned, failures, code = exc.planned, list(exc.failures), exc.exit_code
        tape.planned(planned)
        failures += _over_budget(planned)
        orphans = _orphans(ledger, paths, planned, failures)
    if junit_file is not None:
        write_junit(junit_file, "orderspec plan", plan_cases(planned, failures, orphans))
    if output_format == "json":
        click.echo(to_json(plan_json(planned, failures, orphans)))
    else:
        click.echo(plan_text(planned, orphans, failed=len(failures)))
    if failures:
        raise PlanFailed(failures, planned, code)
    if detailed_exitcode and (orphans or any(entry.action in TO_DO for entry in planned)):
        raise click.exceptions.Exit(2)


@click.command()
@_paths
@_sandbox
@click.option("--yes", "-y", is_flag=True, help="Place without asking; required when standard input is not a terminal (CI).")
@_profile
@_profiles
@_format
@state_option
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Wait up to SECONDS for a spec another apply is working on, instead of skipping it.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    metavar="N",
    help="Apply up to N specs at a time, each still placed exactly once.",
)
@_junit
@cassette_options
def apply(
    paths: tuple[Path, ...],
    sandbox: bool,
    yes: bool,
    profile: str | None,
    profiles_file: Path | None,
    output_format: str,
    state_location: str | None,
    wait: float | None,
    parallel: int,
    junit_file: Path | None,
    cassettes: CassetteOptions,
) -> None:
    """Place the order of each spec in PATHS once, and print the order numbers.

    Every spec is planned first (names resolved, nothing changed); the plan is shown and
    confirmed when standard input is a terminal (without one, --yes is required), and
    exactly that plan is carried out. The state records every
    step, so a spec already placed is left alone (unchanged, or drift if it changed since),
    and a run stopped anywhere resumes without placing twice. Progress goes to stderr; the
    orders, or the JSON report with --format json, to stdout. Exit 0 when every spec is
    placed, 1 when one failed or another apply held it, 2 for a wrong command line, 3 when
    one is uncertain (orderspec resolve), 130 when interrupted.
    """
    from orderspec.orders import ApplyFailed, PlanFailed, apply_all, load_orders, plan_all, pool_for
    from orderspec.orders._junit import apply_cases, write_junit
    from orderspec.orders._render import ApplyProgress, ParallelProgress, apply_json, apply_summary, orphan_line, placed_text, to_json

    json_mode = output_format == "json"
    orders = load_orders(paths, profiles_file=profiles_file, profile=profile)
    # One pool for the plan shown and the orders placed: both talk to the same sandboxes.
    with (
        order_cassettes(cassettes, "apply", profiles_file=profiles_file, specs=len(orders)) as tape,
        _ledger(state_location, sandbox=sandbox, create=True, wait=wait, offline=tape.offline) as ledger,
        pool_for(sandbox, tape.sandboxes(sandbox)) as pool,
    ):
        on_placed = tape.on_placed(None if json_mode else (lambda placed: click.echo(placed_text(placed))))
        try:
            plans = plan_all(orders, tape.runtime(state=ledger), profile=profile, profiles_file=profiles_file, sandboxes=pool)
            unplanned: list[FailedOrder] = []
            code = 1
        except PlanFailed as exc:
            plans, unplanned, code = exc.planned, list(exc.failures), exc.exit_code
        orphans = _orphans(ledger, paths, plans, unplanned)
        if any(entry.action in ("create", "resume") for entry in plans) and not (yes or tape.offline):
            _confirm(plans, orphans, sandbox=sandbox)
        progress = ApplyProgress(sys.stderr, live=sys.stderr.isatty()) if parallel == 1 else ParallelProgress(sys.stderr)
        runtime = tape.runtime(events=progress, state=ledger)
        try:
            placed = apply_all(plans, runtime, on_placed=on_placed, parallel=parallel)
            failures, stopped = list(unplanned), None
        except ApplyFailed as exc:
            placed, failures, code = exc.placed, [*unplanned, *exc.failures], max(code, exc.exit_code)
            stopped = None if exc.failures else exc  # Ctrl-C after an order was placed: placed, and still a stop
    if junit_file is not None:
        write_junit(junit_file, "orderspec apply", apply_cases(placed, failures, orphans))
    if json_mode:
        click.echo(to_json(apply_json(placed, failures, orphans)))
    else:
        for record in orphans:
            click.echo(orphan_line(record))
        click.echo(tape.summary(placed, len(failures)) or apply_summary(placed, orphans, len(failures)))
    if failures:
        raise ApplyFailed(failures, placed, code)
    if stopped is not None:
        raise stopped


def _ledger(state_location: str | None, *, sandbox: bool, create: bool, wait: float | None = None, offline: bool = False) -> Ledger:
    """The state plan and apply use: in memory with ``--sandbox`` or ``--replay`` (a test, not an order), else the one ``--state`` names."""
    from orderspec.cli.state import open_cli_store, state_root
    from orderspec.errors import UsageError
    from orderspec.orders import Ledger, Secrets, memory_ledger

    root = state_root(Path.cwd())
    if offline:
        if state_location:
            raise UsageError("--replay keeps no state (a replay places nothing), so --state has nothing to do", hint="leave out --state")
        return memory_ledger(root, wait=wait)
    if sandbox:
        if state_location:
            raise UsageError("--sandbox keeps no state (its sandboxes end with the command), so --state has nothing to do", hint="leave out --state")
        return memory_ledger(root, wait=wait)
    secrets = Secrets()
    store = open_cli_store(state_location, create=create, redact=secrets)
    return Ledger(store, root, secrets, wait=wait)


def _over_budget(planned: Sequence[Plan]) -> list[FailedOrder]:
    """A spec whose quote is already over its budget cannot be applied: plan says so as a failure."""
    from orderspec.orders import FailedOrder

    found = []
    for entry in planned:
        if entry.over_budget is not None and entry.budget is not None and entry.quote is not None:
            message = (
                f"{entry.spec}: the quoted total {entry.quote.total:.2f} {entry.budget.currency} exceeds the budget of "
                f"{entry.budget.max_total:.2f} {entry.budget.currency} by {entry.over_budget:.2f} {entry.budget.currency}"
            )
            found.append(FailedOrder(entry.spec, entry.name, message, None))
    return found


def _orphans(ledger: Ledger, paths: Sequence[Path], planned: Sequence[Plan], failures: Sequence[FailedOrder]) -> list[Record]:
    """Records of specs that were in a folder given and are gone (only folders: a file list says nothing of absent specs)."""
    from orderspec.orders import find_orphans

    folders = [path for path in paths if path.is_dir()]
    return find_orphans(ledger, folders, [(entry.name, entry.profile) for entry in planned], [failure.name for failure in failures])


def _confirm(plans: list[Plan], orphans: Sequence[Record], *, sandbox: bool) -> None:
    """Show the plan, then ask: a person confirms the orders they have seen, and exactly those are placed.

    Asked whenever standard input is a terminal, even when the output goes to a pipe or
    a file (the plan and the question then go to stderr, where the person sees them).
    Without a terminal nobody can answer: apply refuses unless --yes says to go ahead.
    """
    from orderspec.errors import UsageError
    from orderspec.orders._render import plan_text

    if not sys.stdin.isatty():
        raise UsageError(
            "apply places orders only when confirmed, and standard input is not a terminal to confirm on",
            hint="pass --yes to place them without asking (as in CI); orderspec plan shows what would be placed",
        )
    screen = not sys.stdout.isatty()
    click.echo(plan_text(plans, orphans), err=screen)
    where = "the local sandboxes" if sandbox else "the targets of their profiles"
    count = sum(entry.action in ("create", "resume") for entry in plans)
    click.confirm(f"\nPlace {'this order' if count == 1 else f'these {count} orders'} on {where}?", abort=True, err=screen)
