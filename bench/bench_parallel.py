"""apply --parallel: 200 specs against a sandbox answering every request 20 ms late.

The figure is the wall time of ``apply_all`` with 16 specs at a time; the baseline is the
same 200 plans applied one after the other, in the same run (aim: at least 10x faster).
Plans are made first and not timed, as ``apply`` carries out plans made beforehand. The
sandboxes run in processes of their own, as targets do (in-process they would compete with
the client for the interpreter), without their Swagger self-checks, which are their own cost.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml
from _harness import ROOT, Row, orderspec_argv

from orderspec.orders import Runtime, apply_all, load_orders, plan_all

SPECS = 200
LATENCY_MS = 20.0
SANDBOXES = 4
"""Targets are servers that scale: the specs go to four sandbox processes, so one
sandbox's own work (slicing models) does not become what is measured."""


def _specs(folder: Path, base_urls: list[str]) -> list[Path]:
    shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
    source = yaml.safe_load((ROOT / "specs" / "examples" / "ctq-bracket.yaml").read_text(encoding="utf-8"))
    source.pop("budget", None)
    paths = []
    for index in range(SPECS):
        target = {"system": "ctq", "profile": f"ctq-{index % len(base_urls)}"}
        spec = dict(source, metadata={"name": f"bracket-{index:03d}"}, target=target)
        path = folder / f"bracket-{index:03d}.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        paths.append(path)
    profiles = {f"ctq-{number}": {"system": "ctq", "base_url": url} for number, url in enumerate(base_urls)}
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}), encoding="utf-8")
    return paths


def _timed_apply(paths: list[Path], parallel: int, runtime: Runtime) -> float:
    plans = plan_all(load_orders(paths), runtime)
    started = time.perf_counter()
    placed = apply_all(plans, runtime, parallel=parallel)
    took = time.perf_counter() - started
    assert len(placed) == SPECS and len({(p.profile, p.order_number) for p in placed}) == SPECS
    return took


@contextmanager
def _sandbox(folder: Path) -> Iterator[str]:
    """``orderspec sandbox serve ctq`` in its own process; its base URL."""
    config = folder / "sandbox.yaml"
    config.write_text(yaml.safe_dump({"strict": False, "faults": {"latency_ms": LATENCY_MS}}), encoding="utf-8")
    process = subprocess.Popen(
        orderspec_argv("sandbox", "serve", "ctq", "--port", "0", "--config", str(config)), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        yield first.split(" listening on ")[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def rows() -> Iterator[Row]:
    runtime = Runtime()
    with tempfile.TemporaryDirectory() as temp, ExitStack() as stack:
        base_urls = [stack.enter_context(_sandbox(Path(temp))) for _ in range(SANDBOXES)]
        os.environ.setdefault("CTQ_ORGANIZATION_ID", "sandbox-org")
        paths = _specs(Path(temp), base_urls)
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
