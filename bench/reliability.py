"""Reliability: fuzzing and hostile servers (safety) and the soak of apply under faults and kills.

    python bench/reliability.py            # the full run
    python bench/reliability.py --quick    # a run under a minute

Every row is a count that must be zero or a share that must be 100 %; the exit code is 1
when any row misses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _reliability import Check


def checks(quick: bool) -> list[Check]:
    """Every row of the table, in the order printed."""
    from _fuzz import fuzz_checks
    from _soak import soak_checks

    rows: list[Check] = []
    rows += fuzz_checks(quick)
    rows += soak_checks(quick)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases: a run under a minute")
    quick = parser.parse_args(argv).quick
    rows = checks(quick)
    table = [("check", "cases", "figure", "must be", "ok")]
    table += [(row.name, f"{row.cases:,}", row.figure, "0" if row.want_zero else "100 %", "yes" if row.ok else "NO") for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for row in rows:
        if row.note:
            print(f"* {row.name}: {row.note}")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
