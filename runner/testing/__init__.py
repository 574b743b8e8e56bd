"""Specs as regression tests: record a spec's session once, replay it offline and check how it ends.

    from orderspec.testing import record_spec, replay_spec

    record_spec("specs/examples/ctq-bracket.yaml", sandbox=True)   # cassettes/ctq-bracket.yaml
    replayed = replay_spec("specs/examples/ctq-bracket.yaml")      # no network, no credentials
    assert replayed.outcome.order_number == "10001"

``OrderCassettes`` is what ``plan``/``apply --record``/``--replay`` run on: a ``Runtime``
whose transport records or replays one cassette per spec, keeping each spec's outcome
(order number, quote, outputs) in its cassette. The pytest plugin (``orderspec.testing.plugin``,
registered as ``pytest11``) turns every spec with a cassette into a test item. This module
imports its parts on first use, so loading the plugin costs a pytest run nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderspec.testing._orders import CassettePlace, OrderCassettes
    from orderspec.testing._outcome import KEY as OUTCOME_KEY
    from orderspec.testing._outcome import Outcome, OutcomeChanged, differences, placed_outcome, planned_outcome, run_outcome
    from orderspec.testing._outcome import check as check_outcome
    from orderspec.testing._spec import Recorded, Replayed, record_spec, recorded_outcome, replay_spec

_WHERE = {
    "OUTCOME_KEY": "_outcome:KEY",
    "check_outcome": "_outcome:check",
    "CassettePlace": "_orders",
    "OrderCassettes": "_orders",
    "Outcome": "_outcome",
    "OutcomeChanged": "_outcome",
    "differences": "_outcome",
    "placed_outcome": "_outcome",
    "planned_outcome": "_outcome",
    "run_outcome": "_outcome",
    "Recorded": "_spec",
    "Replayed": "_spec",
    "record_spec": "_spec",
    "recorded_outcome": "_spec",
    "replay_spec": "_spec",
}

__all__ = [
    "OUTCOME_KEY",
    "CassettePlace",
    "OrderCassettes",
    "Outcome",
    "OutcomeChanged",
    "Recorded",
    "Replayed",
    "check_outcome",
    "differences",
    "placed_outcome",
    "planned_outcome",
    "record_spec",
    "recorded_outcome",
    "replay_spec",
    "run_outcome",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), attribute or name)
