"""``orderspec apply`` killed (SIGKILL) at every step boundary and inside every creating request, re-run until done.

The sandbox runs as ``orderspec sandbox serve`` in a process of its own, every request
delayed, so a request is still in flight when its step's intent appears in the state.
Each run of the chain is killed at the first thing it reaches beyond the previous run: a
checkpoint (a step boundary) or the intent of a create or place request (inside that
request). The next run resumes from there. A spec left ``uncertain`` (a create request
whose outcome the flow cannot read back) is settled as a person would: by looking at the
sandbox's placed orders, then ``orderspec resolve``. In the end the sandbox holds exactly
one order per spec, with the spec's content.
"""

from __future__ import annotations

import hashlib
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from orderspec.state import StateStore, open_store

from .conftest import APPS, EXAMPLES, NAMES, SPECS, Repo, Served, make_repo, pg_database

LATENCY_MS = 120


@dataclass
class Chain:
    """What happened: where each run was killed, and how it ended."""

    kills: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    last: str = ""


def _now(store: StateStore, name: str, profile: str) -> tuple[int, str | None]:
    record = store.get(name, profile)
    return (0, None) if record is None else (len(record.done), record.intent)


def kill_chain(repo: Repo, system: str, store: StateStore, *, runs: int = 60) -> Chain:
    """Apply the spec again and again, killing each run at the first boundary or creating request beyond the last run's."""
    name, profile = NAMES[system], system
    chain = Chain()
    for _ in range(runs):
        done, intent = _now(store, name, profile)
        # --wait: a killed holder's PostgreSQL session may take a moment to end and free the lock
        process = repo.process("apply", "--yes", "--wait", "30", f"specs/{SPECS[system]}")
        killed = None
        while process.poll() is None:
            count, now = _now(store, name, profile)
            # the first point this run reaches that no run was killed at before
            if now is not None and now != intent and f"inside {now!r}" not in chain.kills:
                killed = f"inside {now!r}"
            elif count > done and f"after step {count}" not in chain.kills:
                killed = f"after step {count}"
            if killed is not None:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.003)
        out, err = process.communicate(timeout=120)
        if killed is not None and process.returncode == -signal.SIGKILL:
            chain.kills.append(killed)
            continue
        chain.last = out + err
        if process.returncode == 0:
            return chain
        assert process.returncode == 3, out + err  # uncertain: a person looks at the target, then settles it
        assert "is uncertain: step " in err and "orderspec resolve" in err
        placed = _placed(repo, system)
        if placed:
            number = str(placed[0].get("order_number") or placed[0].get("number") or placed[0].get("orderId"))
            assert repo.orderspec("resolve", name, "--placed", number).code == 0
        else:
            assert repo.orderspec("resolve", name, "--not-placed").code == 0
        chain.resolved.append(err.split("is uncertain: ", 1)[1].split(" was sent", 1)[0])
    raise AssertionError(f"apply did not finish in {runs} runs: {chain}")


def _placed(repo: Repo, system: str) -> list[dict[str, Any]]:
    orders = repo.orders(system)
    if system == "tophoto":
        return [order for order in orders if order["status"] not in ("Temporary", "Canceled")]
    return orders


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_the_one_order(repo: Repo, system: str) -> None:
    """Exactly one placed order, with the spec's content."""
    [order] = _placed(repo, system)
    if system == "ctq":
        items = [(i["model"]["filename"], i["quantity"], i["material_name"], i["postproduction_name"], i["model"]["bytes"]) for i in order["items"]]
        sizes = [(EXAMPLES / "models" / n).stat().st_size for n in ("bracket.stl", "cube.stl")]
        assert items == [("bracket.stl", 2, "PA12", "Dyeing", sizes[0]), ("cube.stl", 1, "PA12", None, sizes[1])]
        assert order["customer"]["city"] == "Berlin" and order["shipping_option_name"] == "Express delivery"
    elif system == "tophoto":
        projects = [(p["processor"]["metadata"]["sku"], p["count"]) for p in order["projects"]]
        assert projects == [("14631000", 1), ("10150000", 2)]
        assert order["status"] == "Enqueued" and len(order["zipEntries"]) == 3
    elif system == "3yourmind-service-panel":
        [line] = order["lines"]
        assert (line["materialName"], line["quantity"], line["file"]["sha256"]) == ("PA12 White", 3, _sha256(EXAMPLES / "models" / "bracket.stl"))
        assert order["additionalInformation"] == {"reference": "PO-2024-0042"}
    else:
        lines = [(line["materialName"], line["quantity"], line["file"]["sha256"]) for line in order["lines"]]
        assert lines == [("PLA", 4, _sha256(EXAMPLES / "models" / "cube.stl")), ("PA12 Black", 10, _sha256(EXAMPLES / "models" / "spacer-inch.stl"))]


def _sandbox_config(system: str) -> dict[str, Any]:
    config: dict[str, Any] = {"faults": {"latency_ms": LATENCY_MS}}
    if APPS[system] == "3yourmind":
        config["analysis_polls"] = 0
    return config


def _run_matrix(system: str, state_url: str, served: Served, tmp_path: Path) -> Chain:
    repo = make_repo(tmp_path / "repo", state_url, {system: served(APPS[system], _sandbox_config(system))})
    store = open_store(state_url, root=repo.folder)
    try:
        chain = kill_chain(repo, system, store)
        record = store.get(NAMES[system], system)
        assert record is not None and record.phase.value == "placed" and record.intent is None
    finally:
        store.close()
    _assert_the_one_order(repo, system)
    # the last run placed it, or found it placed by a run killed after recording that
    assert [line for line in chain.last.splitlines() if line.startswith(("placed ", "unchanged "))], chain.last
    # and once done, it stays done
    again = repo.orderspec("apply", "--yes", "specs")
    assert again.code == 0 and "unchanged" in again.stdout
    _assert_the_one_order(repo, system)
    return chain


CREATING = {
    "ctq": ["create order", "place order"],
    "tophoto": ["create order", "finalize"],
    "3yourmind-service-panel": ["create basket", "lines[0]/create line", "place order"],
    "3yourmind-user-panel": ["create basket", "lines[0]/create line", "lines[1]/create line", "request for quote", "place order"],
}


def _killed_inside_every_creating_request(system: str, state_url: Callable[[], AbstractContextManager[str]], served: Served, tmp_path: Path) -> list[Chain]:
    """Kill chains from scratch until, together, they were killed inside every creating request.

    Every chain must end with exactly one order. A chain's poll can miss a request's window
    when the machine is loaded; a fresh chain (new sandbox, new state) then tries again.
    """
    chains: list[Chain] = []
    inside: set[str] = set()
    for attempt in range(3):
        with state_url() as url:
            chain = _run_matrix(system, url, served, tmp_path / f"attempt-{attempt}")
        chains.append(chain)
        inside |= {kill.split("'")[1] for kill in chain.kills if kill.startswith("inside")}
        if inside == set(CREATING[system]):
            return chains
    raise AssertionError(f"not killed inside {set(CREATING[system]) - inside}: {chains}")


@pytest.mark.parametrize("system", list(SPECS))
def test_killed_anywhere_on_sqlite_places_exactly_one_order(system: str, served: Served, tmp_path: Path) -> None:
    @contextmanager
    def sqlite() -> Iterator[str]:
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        yield f"sqlite://{folder}/state.db"

    chains = _killed_inside_every_creating_request(system, sqlite, served, tmp_path)
    assert sum(kill.startswith("after") for kill in chains[0].kills) >= 4, chains  # and at the step boundaries between


@pytest.mark.parametrize("system", ["ctq", "tophoto"])
def test_killed_anywhere_on_postgresql_places_exactly_one_order(system: str, served: Served, tmp_path: Path) -> None:
    _killed_inside_every_creating_request(system, pg_database, served, tmp_path)
