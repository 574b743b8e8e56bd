"""Run every benchmark in bench/ and print one table.

    python bench/run.py            # all of them
    python bench/run.py engine     # only modules whose name contains "engine"

Figures are medians; each row's baseline is measured in the same run.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Row


def _load_modules(selection: list[str]) -> Iterator[tuple[str, ModuleType]]:
    """The ``bench_*`` modules whose name holds one of ``selection`` (all when it is empty)."""
    for path in sorted(Path(__file__).resolve().parent.glob("bench_*.py")):
        if selection and not any(word in path.stem for word in selection):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield path.stem, module


def _format(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def main(argv: list[str]) -> int:
    rows: list[Row] = []
    for name, module in _load_modules(argv):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.rows())
    headers = ("benchmark", "figure", "baseline", "baseline figure", "ratio", "aim", "ok")
    table = [headers]
    for row in rows:
        aim = "-" if row.aim is None else ("≥ " if row.higher_is_better else "≤ ") + f"{row.aim:g}x"
        ok = {None: "-", True: "yes", False: "NO"}[row.meets_aim]
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        table.append((row.name, _format(row.value, row.unit), row.baseline_name, _format(row.baseline, row.unit), ratio, aim, ok))
    widths = [max(len(str(line[i])) for line in table) for i in range(len(headers))]
    for index, line in enumerate(table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for row in rows:
        if row.note:
            print(f"* {row.name}: {row.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
