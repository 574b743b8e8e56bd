"""apply --parallel: 200 specs against a sandbox answering every request 20 ms late.

The figure is the wall time of ``apply_all`` with 16 specs at a time; the baseline is the
same 200 plans applied one after the other, in the same run (aim: at least 10x faster).
Plans are made first and not timed, as ``apply`` carries out plans made beforehand.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml
from _harness import ROOT, Row

from orderspec.orders import Runtime, SandboxPool, apply_all, load_orders, plan_all
from orderspec.sandbox import FaultConfig, SandboxConfig, create_app, serve_in_thread

SPECS = 200
LATENCY_MS = 20.0


def _specs(folder: Path, base_url: str) -> list[Path]:
    shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
    source = yaml.safe_load((ROOT / "specs" / "examples" / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    source.pop("budget", None)
    paths = []
    for index in range(SPECS):
        spec = dict(source, metadata={"name": f"bracket-{index:03d}"})
        path = folder / f"bracket-{index:03d}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        paths.append(path)
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": {"ctq": {"system": "ctq", "base_url": base_url}}}), encoding="utf-8")
    return paths


def _timed_apply(paths: list[Path], parallel: int, runtime: Runtime) -> float:
    plans = plan_all(load_orders(paths), runtime)
    started = time.perf_counter()
    placed = apply_all(plans, runtime, parallel=parallel)
    took = time.perf_counter() - started
    assert len(placed) == SPECS and len({p.order_number for p in placed}) == SPECS
    return took


def rows() -> Iterator[Row]:
    config = SandboxConfig(faults=FaultConfig(latency_ms=LATENCY_MS))
    runtime = Runtime()
    with tempfile.TemporaryDirectory() as temp, serve_in_thread(create_app("ctq", config)) as sandbox, SandboxPool():
        os.environ.setdefault("CTQ_ORGANIZATION_ID", "sandbox-org")
        paths = _specs(Path(temp), sandbox.base_url)
        serial = _timed_apply(paths, 1, runtime)
        parallel = _timed_apply(paths, 16, runtime)
    yield Row(
        f"apply {SPECS} specs, {LATENCY_MS:g} ms latency, --parallel 16",
        parallel,
        "s",
        "--parallel 1",
        serial,
        aim=0.1,
        note=f"{serial / parallel:.1f}x faster",
    )
