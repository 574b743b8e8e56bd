"""Validation speed: one spec as a whole process, and many specs in one process."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from _harness import ROOT, Row, median_seconds, orderspec_argv, process_seconds

EXAMPLE = ROOT / "specs" / "examples" / "ctq-bracket.yaml"
COUNT = 1000


def rows() -> Iterable[Row]:
    floor = process_seconds([sys.executable, "-c", "import yaml, jsonschema, click"])
    one = process_seconds(orderspec_argv("validate", str(EXAMPLE)))
    yield Row(
        "validate: 1 spec, whole process",
        one * 1000,
        "ms",
        "python -c 'import yaml, jsonschema, click'",
        floor * 1000,
        aim=1.3,
    )
    yield from _many()


def _many() -> Iterable[Row]:
    """Load + validate 1,000 distinct generated specs (YAML with positions, schema, files)."""
    sys.path.insert(0, str(ROOT))
    import yaml

    from orderspec.spec import _load, validate_paths

    folder = Path(tempfile.mkdtemp(prefix="orderspec-bench-"))
    try:
        shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
        text = EXAMPLE.read_text(encoding="utf-8")
        for index in range(COUNT):
            spec = text.replace("name: ctq-bracket", f"name: bench-{index:04d}").replace(
                "quantity: 2", f"quantity: {index % 7 + 1}"
            )
            (folder / f"spec-{index:04d}.yaml").write_text(spec, encoding="utf-8")

        def run() -> None:
            _load._parsed.clear()  # measure real work, not the unchanged-file cache
            report = validate_paths([folder])
            assert report.ok and len(report.results) == COUNT, report.problems[:3]

        def plain_load() -> None:
            for path in sorted(folder.glob("*.yaml")):
                yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

        seconds = median_seconds(run, repeat=5)
        plain = median_seconds(plain_load, repeat=5)
        start = time.perf_counter()
        validate_paths([folder])  # every file unchanged: served from the cache
        cached = time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rate = COUNT / seconds
    yield Row(
        f"validate: {COUNT:,} specs in one process",
        rate,
        "specs/s",
        "aim",
        5000.0,
        aim=1.0,
        higher_is_better=True,
        note=f"unchanged files again (cache): {COUNT / cached:,.0f} specs/s",
    )
    yield Row(
        f"validate: {COUNT:,} specs vs plain YAML loading",
        rate,
        "specs/s",
        "yaml.load(CSafeLoader), no positions or checks",
        COUNT / plain,
        higher_is_better=True,
    )
