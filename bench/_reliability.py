"""The row type of ``bench/reliability.py``: a count that must be zero or a share that must be 100 %."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One reliability figure: ``failures`` out of ``cases`` tried.

    ``want_zero`` rows print the count of failures (must be 0); the others print the
    share of cases that held (must be 100 %).
    """

    name: str
    cases: int
    failures: int
    want_zero: bool = True
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.failures == 0

    @property
    def figure(self) -> str:
        if self.want_zero:
            return str(self.failures)
        held = 100.0 if self.cases == 0 else 100.0 * (self.cases - self.failures) / self.cases
        return f"{held:.1f} %"
