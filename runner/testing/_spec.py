"""One spec's cassette as a regression test: replay it (plan, then apply) and check how it ends;
record it again and say what changed.

    replayed = replay_spec("specs/examples/ctq-bracket.yaml")     # offline, no credentials
    assert replayed.outcome.order_number == "10001"

    recorded = record_spec("specs/examples/ctq-bracket.yaml", sandbox=True)
    print(recorded.diff or "unchanged")
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderspec.cassettes import CassetteNotFound
from orderspec.testing._orders import CassettePlace, OrderCassettes
from orderspec.testing._outcome import Outcome, placed_outcome, planned_outcome

Pathish = str | os.PathLike[str]


@dataclass(frozen=True)
class Replayed:
    """A replayed spec: how it ended, and what its cassette recorded."""

    spec: Path
    cassette: Path
    outcome: Outcome
    recorded: Outcome | None
    """None for a cassette without a recorded outcome (nothing was compared)."""
    result: Any
    """The ``PlacedOrder`` (a cassette recorded by ``apply``) or the ``Plan`` (by ``plan``)."""


@dataclass(frozen=True)
class Recorded:
    """A spec recorded (again): its cassette before and after, and the difference as a unified diff."""

    spec: Path
    cassette: Path
    before: str | None
    after: str
    outcome: Outcome

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def diff(self) -> str:
        """What changed against the cassette there was before (empty: nothing; all lines: a new one)."""
        if not self.changed:
            return ""
        lines = difflib.unified_diff(
            (self.before or "").splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"{self.cassette} (before)" if self.before is not None else "/dev/null",
            tofile=f"{self.cassette} (recorded)",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _one(spec: Pathish, profiles_file: Path | None, profile: str | None) -> tuple[Path, list[tuple[str, Any]]]:
    from orderspec.errors import UsageError
    from orderspec.orders import load_orders

    path = Path(spec)
    if not path.is_file():
        raise UsageError(f"{path}: not a spec file", hint="name one spec file; a cassette holds the session of one spec")
    return path, load_orders([path], profiles_file=profiles_file, profile=profile)


def replay_spec(
    spec: Pathish,
    *,
    cassette: Pathish | None = None,
    profile: str | None = None,
    profiles_file: Path | None = None,
) -> Replayed:
    """Replay the cassette of the spec at ``spec``: offline, on an instant clock, no credentials.

    It runs what was recorded (``plan`` then ``apply``, or ``plan`` only), with the profile
    (or the sandbox) it was recorded with, and checks that every recorded request is sent
    and that the run ends as recorded. Raises ``CassetteNotFound``, ``OrdersFailed`` (a
    request the cassette does not hold is a ``CassetteMismatch`` inside it, with the
    nearest recorded request and how it differs) or ``OutcomeChanged``.
    """
    from orderspec.orders import apply_all, plan_all

    path, orders = _one(spec, profiles_file, profile)
    place = CassettePlace(file=Path(cassette) if cassette is not None else None, profiles_file=profiles_file)
    target = place.path(path, orders[0][1].name)
    with OrderCassettes("replay", place=place) as cassettes:
        recorded = cassettes.recorded_at(target)
        command = recorded.command if recorded is not None else "apply"
        cassettes.strict = command == "apply"  # a plan sends fewer requests than an apply recorded
        if profile is None and recorded is not None and recorded.profile not in (None, "none") and not recorded.sandbox:
            profile = recorded.profile
        runtime = cassettes.runtime()
        sandbox = cassettes.sandboxes(recorded is not None and recorded.sandbox)
        plans = plan_all(orders, runtime, profile=profile, profiles_file=profiles_file, sandboxes=sandbox)
        if command == "plan":
            cassettes.planned(plans)
            result: Any = plans[0]
            outcome = planned_outcome(result)
        else:
            result = apply_all(plans, runtime, on_placed=cassettes.on_placed(None))[0]
            outcome = placed_outcome(result)
    return Replayed(spec=path, cassette=target, outcome=outcome, recorded=recorded, result=result)


def record_spec(
    spec: Pathish,
    *,
    cassette: Pathish | None = None,
    sandbox: bool = False,
    profile: str | None = None,
    profiles_file: Path | None = None,
    command: str = "apply",
) -> Recorded:
    """Record the session of the spec at ``spec`` (``apply``, or ``plan`` only) to its cassette.

    ``sandbox`` records against the system's sandbox, started for this spec alone; else the
    profile's target is used, with credentials from the environment. Nothing is written if
    the run fails. The result holds the cassette before and after.
    """
    from orderspec.orders import apply_all, plan_all

    if command not in ("apply", "plan"):
        raise ValueError("command must be 'apply' or 'plan'")
    path, orders = _one(spec, profiles_file, profile)
    place = CassettePlace(file=Path(cassette) if cassette is not None else None, profiles_file=profiles_file)
    target = place.path(path, orders[0][1].name)
    before = target.read_text(encoding="utf-8") if target.is_file() else None
    with OrderCassettes("record", place=place) as cassettes:
        runtime = cassettes.runtime()
        plans = plan_all(orders, runtime, profile=profile, profiles_file=profiles_file, sandboxes=cassettes.sandboxes(sandbox))
        if command == "plan":
            cassettes.planned(plans)
            outcome = planned_outcome(plans[0])
        else:
            outcome = placed_outcome(apply_all(plans, runtime, on_placed=cassettes.on_placed(None))[0])
    return Recorded(spec=path, cassette=target, before=before, after=target.read_text(encoding="utf-8"), outcome=outcome)


def recorded_outcome(cassette: Pathish) -> Outcome | None:
    """The outcome kept in the cassette at ``cassette`` (None if it keeps none); ``CassetteNotFound`` without a file."""
    from orderspec.cassettes import ReplayTransport

    path = Path(cassette)
    if not path.is_file():
        raise CassetteNotFound(str(path))
    data = ReplayTransport(path).metadata.get("outcome")
    return None if data is None else Outcome.from_data(data, path=str(path))
