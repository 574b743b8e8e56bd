"""The soak rows of ``bench/reliability.py``: apply under faults and kills, re-run until done.

Specs copied from ``specs/examples`` (same content, each its own ``metadata.name``) go to
the four systems' sandboxes, each served by ``orderspec sandbox serve`` in a process of its
own that answers 10 % of all requests with 503, drops 5 % of connections before they reach
the app, and loses 2 % of the answers of requests that create something (the request is
carried out, the answer never arrives). ``orderspec apply --parallel`` runs again and
again; some runs are killed (SIGKILL) at a random moment. A spec left ``uncertain`` is
settled as an operator would: by looking for its order at the sandbox (the flows send the
spec's name as the order's reference), then ``orderspec resolve``. When a run ends with
every spec placed, each spec must have exactly one placed order at its target, and every
report and the state must name that order.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from _harness import ROOT, SANDBOX_AUTH, SANDBOX_ENV, orderspec_argv
from _reliability import Check

from orderspec.state import Phase, open_store

EXAMPLES = ROOT / "specs" / "examples"
SEED = 20240611
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

SYSTEMS = {
    # system: (example spec, sandbox app, short name)
    "ctq": ("ctq-bracket.yaml", "ctq", "ctq"),
    "3yourmind-service-panel": ("3yourmind-service-panel.yaml", "3yourmind", "3yd-sp"),
    "3yourmind-user-panel": ("3yourmind-user-panel.yaml", "3yourmind", "3yd-up"),
    "tophoto": ("tophoto-mug.yaml", "tophoto", "tophoto"),
}
CREATING = {
    "ctq": ("POST /get-signed-urls", "POST /orders/*/place-order"),
    "3yourmind-service-panel": (
        "POST /api/v2.0/service-panel/services/*/baskets/",
        "POST /api/v2.0/service-panel/services/*/baskets/*/lines/",
        "POST /api/v2.0/service-panel/services/*/internal-ordering/orders/",
    ),
    "3yourmind-user-panel": (
        "POST /api/v2.0/user-panel/baskets/",
        "POST /api/v2.0/user-panel/baskets/*/lines/",
        "POST /api/v2.0/user-panel/requests-for-quote/",
        "POST /api/v2.0/user-panel/orders/",
    ),
    "tophoto": ("POST /v1/orders", "POST /v1/orders/*/data"),
}
"""The requests of the creating steps (effect create or place), as ``/_sandbox/requests`` names them."""
ORDER_IDS = ("order_number", "number", "orderId", "order_id", "id")
"""Where each sandbox's orders keep their identifiers; the first one present is the order number."""


@dataclass(frozen=True)
class Settings:
    """How hard one soak pushes."""

    specs: int
    parallel: int
    max_kills: int
    kill_chance: float
    max_runs: int
    latency_ms: float = 10.0
    error_rate: float = 0.10
    drop_rate: float = 0.05
    lost_response_rate: float = 0.02
    run_timeout: float = 300.0


FULL = Settings(specs=50, parallel=8, max_kills=20, kill_chance=0.6, max_runs=80)
QUICK = Settings(specs=8, parallel=8, max_kills=3, kill_chance=0.5, max_runs=40)


@dataclass
class Tally:
    """What happened over the runs."""

    runs: int = 0
    kills: int = 0
    killed_inside: int = 0
    """Specs whose create or place request was in flight when a run was killed, summed over the kills."""
    crashes: list[str] = field(default_factory=list)
    uncertain: dict[str, list[str]] = field(default_factory=dict)
    """Spec name -> the step it was uncertain at, once per time it went uncertain."""
    settled: Counter[str] = field(default_factory=Counter)
    reported: list[tuple[int, str, str]] = field(default_factory=list)
    """(run, spec, order number) for every order a run reported placed."""
    final: dict[str, Any] | None = None
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    wall: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """Per spec: the placed orders its target holds for it, and what was reported."""

    orders: Mapping[str, list[dict[str, Any]]]
    stray: list[str]
    misreported: Mapping[str, str]


def soak_checks(quick: bool) -> list[Check]:
    """The soak's rows, with the state on SQLite; the full run soaks again with the state on PostgreSQL."""
    settings = QUICK if quick else FULL
    rows = _rows("soak", settings, lambda folder: nullcontext(f"sqlite://{folder}/state/state.db"))
    if not quick:
        reachable = _postgres_unreachable()
        if reachable is None:
            rows += _rows("soak on PostgreSQL", settings, lambda folder: _postgres_database())
        else:
            rows[0] = dataclasses.replace(rows[0], note=f"{rows[0].note}; the soak on PostgreSQL was left out: {reachable}")
    return rows


def _rows(title: str, settings: Settings, state: Callable[[Path], AbstractContextManager[str]]) -> list[Check]:
    """One soak's rows: one order per spec, no spec misreported, uncertain specs settled right, no crash."""
    try:
        tally, specs, verdict = soak(settings, state)
    except (OSError, RuntimeError, httpx.HTTPError, subprocess.SubprocessError) as exc:
        return [Check(f"{title}: specs with exactly one order", settings.specs, settings.specs, want_zero=False, note=f"the soak could not run: {exc}")]
    names = sorted(specs)
    not_once = {name: verdict.orders[name] for name in names if len(verdict.orders[name]) != 1}
    went_uncertain = sorted(tally.uncertain)
    wrong_after_settling = [name for name in went_uncertain if name in not_once or name in verdict.misreported]
    once_note = (
        f"{tally.runs} runs ({tally.kills} killed, {_specs(tally.killed_inside)} inside a creating request), {tally.wall:.0f} s wall; faults met: "
        f"{tally.faults['error']} x 503, {tally.faults['drop']} dropped, {tally.faults['lost_response']} lost answers "
        f"in {tally.requests:,} requests carried out; {_specs(len(went_uncertain))} went uncertain"
    )
    if not_once:
        once_note += "; " + _list(f"{name}: {_orders_text(orders)}" for name, orders in not_once.items())
    if verdict.stray:
        once_note += "; orders of no spec: " + _list(verdict.stray)
    settled = ", ".join(f"{count} {what}" for what, count in sorted(tally.settled.items())) or "none"
    times = sum(map(len, tally.uncertain.values()))
    uncertain_note = (
        f"{len(went_uncertain)} of {len(names)} specs went uncertain, {times} time{'' if times == 1 else 's'}"
        + (" (" + _list(f"{name} at {_counted(steps)}" for name, steps in sorted(tally.uncertain.items())) + ")" if times else "")
        + f"; settled by looking at the sandbox: {settled}"
    )
    if wrong_after_settling:
        uncertain_note += "; wrong after settling: " + _list(wrong_after_settling)
    return [
        Check(f"{title}: specs with exactly one order", len(names), len(not_once) + len(verdict.stray), want_zero=False, note=once_note),
        Check(
            f"{title}: specs misreported",
            len(names),
            len(verdict.misreported),
            note=_list(f"{name}: {why}" for name, why in sorted(verdict.misreported.items())),
        ),
        Check(f"{title}: uncertain specs not placed once after settling", len(went_uncertain), len(wrong_after_settling), note=uncertain_note),
        Check(f"{title}: runs or sandboxes that crashed or hung", tally.runs, len(tally.crashes), note=_list(tally.crashes)),
    ]


def _specs(count: int) -> str:
    return f"{count} spec{'' if count == 1 else 's'}"


def _counted(steps: list[str]) -> str:
    return ", ".join(step if count == 1 else f"{step} x{count}" for step, count in Counter(steps).items())


def _postgres_unreachable() -> str | None:
    """Why the PostgreSQL server at 127.0.0.1:5432 cannot hold a soak's state; None when it can."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL server reachable at 127.0.0.1:5432 as user postgres ({str(exc).strip().splitlines()[0]})"
    return None


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A database of the soak's own on the local server, dropped afterwards; its URL."""
    import psycopg
    from psycopg import sql

    name = f"orderspec_soak_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def soak(settings: Settings, state_in: Callable[[Path], AbstractContextManager[str]]) -> tuple[Tally, dict[str, str], Verdict]:
    """Apply ``settings.specs`` specs under faults and kills until every one is placed; what happened.

    ``state_in(folder)`` gives the state URL for the soak (and removes the state afterwards).
    """
    tally = Tally()
    started = time.perf_counter()
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="orderspec-soak-") as temp, ExitStack() as stack:
        folder = Path(temp)
        base_urls = {
            system: stack.enter_context(_sandbox(folder, system, _faults(settings, system, SEED + number)))
            for number, system in enumerate(SYSTEMS)
        }
        specs = _write_repo(folder / "repo", base_urls, settings.specs)
        state = stack.enter_context(state_in(folder))
        env = {**os.environ, **SANDBOX_ENV, "ORDERSPEC_STATE": state, "NO_COLOR": "1"}
        _run_until_done(folder / "repo", env, state, settings, rng, specs, base_urls, tally)
        verdict = _verdict(specs, base_urls, state, folder / "repo", tally)
        for system, url in base_urls.items():
            tally.faults.update(httpx.get(f"{url}/_sandbox/faults", timeout=10).json())
            tally.requests += sum(httpx.get(f"{url}/_sandbox/requests", timeout=10).json().values())
            logged = (folder / f"sandbox-{system}.log").read_text(encoding="utf-8", errors="replace")
            if "Traceback" in logged:  # a sandbox bug met under the soak, which would make its answers suspect
                tally.crashes.append(f"the {system} sandbox failed: {_tail(logged)}")
    tally.wall = time.perf_counter() - started
    return tally, specs, verdict


def _faults(settings: Settings, system: str, seed: int) -> dict[str, Any]:
    faults = {
        "seed": seed,
        "latency_ms": settings.latency_ms,
        "error_rate": settings.error_rate,
        "error_statuses": [503],
        "drop_rate": settings.drop_rate,
        "lost_response_rate": settings.lost_response_rate,
        "lost_response_paths": list(CREATING[system]),
    }
    return {"faults": faults, "analysis_polls": 0}


@contextmanager
def _sandbox(folder: Path, system: str, config: Mapping[str, Any]) -> Iterator[str]:
    """``orderspec sandbox serve`` for ``system`` in a process of its own; its base URL. Stopped on leaving."""
    path = folder / f"sandbox-{system}.yaml"
    path.write_text(yaml.safe_dump(dict(config)), encoding="utf-8")
    argv = orderspec_argv("sandbox", "serve", SYSTEMS[system][1], "--port", "0", "--config", str(path))
    log = folder / f"sandbox-{system}.log"
    with log.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if " listening on " not in first:
            raise RuntimeError(f"the {system} sandbox did not start: {first!r} {_tail(log.read_text(encoding='utf-8'))}")
        yield first.split(" listening on ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _write_repo(folder: Path, base_urls: Mapping[str, str], count: int) -> dict[str, str]:
    """``count`` specs over the systems in turn, in ``folder/specs``; spec name -> system.

    The copies drop ``reference`` and ``notes``, so each flow sends the spec's name as the
    order's reference: that is how an operator finds a spec's order at the target.
    """
    specs_folder = folder / "specs"
    specs_folder.mkdir(parents=True)
    for name in ("models", "photos"):
        shutil.copytree(EXAMPLES / name, specs_folder / name)
    systems = list(SYSTEMS)
    specs = {}
    for index in range(count):
        system = systems[index % len(systems)]
        example, _, short = SYSTEMS[system]
        data = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
        data.pop("reference", None)
        data.pop("notes", None)
        name = f"soak-{index:02d}-{short}"
        data["metadata"]["name"] = name
        (specs_folder / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        specs[name] = system
    profiles = {system: {"system": system, "base_url": url, "auth": dict(SANDBOX_AUTH[system])} for system, url in base_urls.items()}
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}, sort_keys=False), encoding="utf-8")
    return specs


def _run_until_done(
    repo: Path,
    env: Mapping[str, str],
    state: str,
    settings: Settings,
    rng: random.Random,
    specs: Mapping[str, str],
    base_urls: Mapping[str, str],
    tally: Tally,
) -> None:
    """Apply the whole folder again and again, killing some runs, settling uncertain specs, until a run places all."""
    argv = orderspec_argv("apply", "--yes", "--format", "json", "--parallel", str(settings.parallel), "--wait", "30", "specs")
    durations = [2.0]
    while tally.runs < settings.max_runs:
        tally.runs += 1
        kill_at = None
        if tally.kills < settings.max_kills and rng.random() < settings.kill_chance:
            kill_at = rng.uniform(0.15, max(0.5, statistics.median(durations)))
        code, out, err, took = _apply(argv, repo, env, kill_at, settings.run_timeout)
        if code is None:
            tally.kills += 1
            with open_store(state, root=repo) as store:  # a spec with an intent was killed inside its create or place request
                tally.killed_inside += sum(record.intent is not None for record in store.list())
            continue
        durations.append(took)
        report = _report(out)
        where = f"run {tally.runs} (exit {code})"
        if report is None or code not in (0, 1, 3) or "Traceback" in err:
            tally.crashes.append(f"{where}: {_tail(err or out)}")
        else:
            tally.reported += [(tally.runs, entry["name"], entry["order_number"]) for entry in report["placed"]]
        _settle_uncertain(repo, env, state, specs, base_urls, tally, where)
        if code == 0 and report is not None:
            tally.final = report
            return


def _apply(argv: list[str], repo: Path, env: Mapping[str, str], kill_at: float | None, limit: float) -> tuple[int | None, str, str, float]:
    """One apply process: its exit code (None when killed here), output, errors and wall time."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=repo, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        try:
            out, err = process.communicate(timeout=limit if kill_at is None else kill_at)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            if kill_at is not None:
                return None, out, err, time.perf_counter() - started
            return -1, out, f"hung: no end after {limit:g} s\n{err}", time.perf_counter() - started
        return process.returncode, out, err, time.perf_counter() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _report(out: str) -> dict[str, Any] | None:
    try:
        report = json.loads(out)
    except ValueError:
        return None
    return report if isinstance(report, dict) and "placed" in report else None


def _settle_uncertain(
    repo: Path, env: Mapping[str, str], state: str, specs: Mapping[str, str], base_urls: Mapping[str, str], tally: Tally, where: str
) -> None:
    """Every uncertain spec: look for its order at the target, then ``orderspec resolve``."""
    with open_store(state, root=repo) as store:
        uncertain = [record for record in store.list() if record.phase is Phase.UNCERTAIN]
    for record in uncertain:
        tally.uncertain.setdefault(record.name, []).append(record.intent or "?")
        found = _placed_orders(base_urls[specs[record.name]]).get(record.name, [])
        if found:
            decision = ["--placed", _number(found[0])]
            tally.settled["as placed"] += 1
        else:
            decision = ["--not-placed"]
            tally.settled["as not placed"] += 1
        argv = orderspec_argv("resolve", record.name, "--profile", record.profile, *decision)
        done = subprocess.run(argv, cwd=repo, env=dict(env), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            tally.crashes.append(f"{where}: resolve {record.name} {' '.join(decision)} exited {done.returncode}: {_tail(done.stderr)}")


def _placed_orders(base_url: str) -> dict[str, list[dict[str, Any]]]:
    """The placed orders a sandbox holds, by the spec name they carry as reference (to.photo drafts left out)."""
    orders: dict[str, list[dict[str, Any]]] = {}
    for order in httpx.get(f"{base_url}/_sandbox/orders", timeout=10).json():
        if order.get("status") in ("Temporary", "Canceled"):
            continue
        orders.setdefault(_reference(order) or "", []).append(order)
    return orders


def _reference(order: Any) -> str | None:
    """The spec name an order carries: CTQ's special_requests, 3YOURMIND's reference, to.photo's paymentOrderId."""
    if isinstance(order, dict):
        for key, value in order.items():
            if key in ("special_requests", "reference", "paymentOrderId") and isinstance(value, str) and value.startswith("soak-"):
                return value
            found = _reference(value)
            if found:
                return found
    elif isinstance(order, list):
        for value in order:
            found = _reference(value)
            if found:
                return found
    return None


def _number(order: Mapping[str, Any]) -> str:
    return next(str(order[key]) for key in ORDER_IDS if order.get(key) is not None)


def _ids(order: Mapping[str, Any]) -> set[str]:
    return {str(order[key]) for key in ORDER_IDS if order.get(key) is not None}


def _verdict(specs: Mapping[str, str], base_urls: Mapping[str, str], state: str, repo: Path, tally: Tally) -> Verdict:
    """Each spec's orders at its target, orders that belong to no spec, and specs whose report or record names something else."""
    by_system = {system: _placed_orders(url) for system, url in base_urls.items()}
    orders = {name: by_system[system].get(name, []) for name, system in specs.items()}
    stray = [
        f"{system} {_number(order)} ({reference or 'no reference'})"
        for system, found in by_system.items()
        for reference, listed in found.items()
        if specs.get(reference) != system
        for order in listed
    ]
    misreported: dict[str, str] = {}
    final = tally.final
    if final is None:
        with open_store(state, root=repo) as store:
            records = {record.name: record for record in store.list()}
        for name in specs:
            record = records.get(name)
            misreported[name] = f"not placed in {tally.runs} runs: {record.phase.value if record else 'no record'}"
        return Verdict(orders, stray, misreported)
    shown = {entry["name"]: (what, entry["order_number"]) for what in ("placed", "unchanged", "drift") for entry in final[what]}
    with open_store(state, root=repo) as store:
        records = {record.name: record for record in store.list()}
    for name in specs:
        ids = set().union(*map(_ids, orders[name])) if orders[name] else set()
        record = records.get(name)
        what, number = shown.get(name, ("not reported", None))
        if what not in ("placed", "unchanged"):
            misreported[name] = f"last run: {what}"
        elif number not in ids:
            misreported[name] = f"last run reported order {number}, the target holds {_orders_text(orders[name])}"
        elif record is None or record.phase is not Phase.PLACED or record.order_number not in ids:
            misreported[name] = f"state: {record.phase.value if record else 'no record'} {record.order_number if record else ''}".strip()
    for run, name, number in tally.reported:
        ids = set().union(*map(_ids, orders[name])) if orders[name] else set()
        if number not in ids and name not in misreported:
            misreported[name] = f"run {run} reported order {number}, the target holds {_orders_text(orders[name])}"
    return Verdict(orders, stray, misreported)


def _orders_text(orders: list[dict[str, Any]]) -> str:
    return f"{len(orders)} orders" + (f" ({', '.join(_number(order) for order in orders)})" if orders else "")


def _list(items: Any) -> str:
    return "; ".join(items)


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
