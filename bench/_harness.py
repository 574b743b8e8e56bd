"""Shared pieces of the benchmarks: the row type and timing helpers.

Each ``bench/bench_*.py`` module defines ``rows() -> Iterable[Row]``; ``bench/run.py``
collects them and prints one table. A row always carries its baseline measured in the
same run, so the ratio is comparable across machines.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


SANDBOX_AUTH = {
    "ctq": {"kind": "api-key-header", "header": "x-api-key", "env": "BENCH_CTQ_ORG"},
    "3yourmind-service-panel": {"kind": "token", "env": "BENCH_3YD_TOKEN"},
    "3yourmind-user-panel": {"kind": "token", "env": "BENCH_3YD_TOKEN"},
    "tophoto": {"kind": "basic", "username_env": "BENCH_TP_USER", "env": "BENCH_TP_PASSWORD"},
}
"""The ``auth`` of a profile per system for a sandbox, reading ``SANDBOX_ENV``."""
SANDBOX_ENV = {"BENCH_CTQ_ORG": "sandbox-org", "BENCH_3YD_TOKEN": "sandbox-token", "BENCH_TP_USER": "sandbox", "BENCH_TP_PASSWORD": "sandbox-secret"}
"""The sandboxes' default credentials, as environment variables."""

@dataclass(frozen=True)
class Row:
    """One measured figure and the baseline it is compared with.

    ``higher_is_better`` decides how the aim reads: for times the figure should stay
    below ``aim`` x baseline, for rates above it. ``aim`` may be None when the issue
    names no ratio (the absolute ``value`` is what counts then).
    """

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    aim: float | None = None
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def meets_aim(self) -> bool | None:
        if self.aim is None or self.ratio is None:
            return None
        return self.ratio >= self.aim if self.higher_is_better else self.ratio <= self.aim


def median_seconds(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``action`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def process_seconds(argv: Sequence[str], repeat: int = 11, cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    """Median wall time of running ``argv`` as a whole process (start-up included)."""

    def run() -> None:
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return median_seconds(run, repeat=repeat)


def orderspec_argv(*args: str) -> list[str]:
    """Command line of the installed ``orderspec`` console script."""
    script = BIN / "orderspec"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "orderspec", *args]
