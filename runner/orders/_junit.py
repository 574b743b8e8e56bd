"""``--junit FILE`` of ``plan`` and ``apply``: one test case per spec, for a CI's test report.

A spec that needs nobody's attention passes: planned to create or resume, placed now, or
unchanged (its system-out says which). A spec that failed, or that a person must look at
(drift, uncertain, orphan, locked by another apply), is a ``failure`` whose message says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from orderspec.orders._apply import PlacedOrder
from orderspec.orders._batch import FailedOrder
from orderspec.orders._plan import Plan

if TYPE_CHECKING:
    from orderspec.state import Record


@dataclass(frozen=True)
class Case:
    """One spec's test case: ``failure`` None when it passed."""

    name: str
    classname: str
    out: str = ""
    failure: str | None = None
    kind: str = ""
    time: float = 0.0


def plan_cases(planned: Iterable[Plan], failures: Iterable[FailedOrder] = (), orphans: Sequence[Record] = ()) -> list[Case]:
    cases = []
    for entry in planned:
        record = entry.standing.record
        classname = f"plan.{entry.system}"
        if entry.action in ("drift", "uncertain"):
            number = f" (order {record.order_number})" if record is not None and record.order_number else ""
            why = entry.standing.reason or ("the spec changed after it was placed" if entry.action == "drift" else "its outcome is unknown")
            cases.append(Case(entry.name, classname, failure=f"{entry.action}{number}: {why}", kind=entry.action))
        elif entry.over_budget is not None and entry.budget is not None:
            cases.append(Case(entry.name, classname, failure=f"the quote exceeds the budget by {entry.over_budget:.2f} {entry.budget.currency}", kind="budget"))
        else:
            cases.append(Case(entry.name, classname, out=f"{entry.action} {entry.spec}"))
    cases.extend(_failed(failures, "plan"))
    cases.extend(_orphans(orphans, "plan"))
    return cases


def apply_cases(placed: Iterable[PlacedOrder], failures: Iterable[FailedOrder] = (), orphans: Sequence[Record] = ()) -> list[Case]:
    cases = []
    for entry in placed:
        classname = f"apply.{entry.system}"
        if entry.action == "drift":
            cases.append(Case(entry.name, classname, failure=f"drift: order {entry.order_number} was placed from an earlier version of the spec", kind="drift"))
        else:
            cases.append(Case(entry.name, classname, out=f"{entry.action}: order {entry.order_number}", time=entry.elapsed))
    cases.extend(_failed(failures, "apply"))
    cases.extend(_orphans(orphans, "apply"))
    return cases


def _failed(failures: Iterable[FailedOrder], stage: str) -> list[Case]:
    kinds = {3: "uncertain", 130: "interrupted"}
    return [Case(failure.name, f"{stage}.spec", failure=failure.message, kind=kinds.get(failure.exit_code, "failed")) for failure in failures]


def _orphans(orphans: Sequence[Record], stage: str) -> list[Case]:
    return [
        Case(record.name, f"{stage}.{record.system}", failure=f"orphan: state recorded for {record.spec}, which is no longer there", kind="orphan")
        for record in orphans
    ]


def junit_text(suite: str, cases: Sequence[Case]) -> str:
    """A JUnit XML document with one ``testsuite`` named ``suite``."""
    failures = sum(case.failure is not None for case in cases)
    element = ElementTree.Element(
        "testsuite", name=suite, tests=str(len(cases)), failures=str(failures), errors="0", skipped="0", time=f"{sum(c.time for c in cases):.3f}"
    )
    for case in cases:
        node = ElementTree.SubElement(element, "testcase", classname=case.classname, name=case.name, time=f"{case.time:.3f}")
        if case.failure is not None:
            failure = ElementTree.SubElement(node, "failure", message=case.failure.splitlines()[0], type=case.kind)
            failure.text = case.failure
        if case.out:
            ElementTree.SubElement(node, "system-out").text = case.out
    root = ElementTree.Element("testsuites")
    root.append(element)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def write_junit(path: Path, suite: str, cases: Sequence[Case]) -> None:
    """Write the report; a file that cannot be written is an error naming it."""
    from orderspec.errors import OrderspecError

    try:
        path.write_text(junit_text(suite, cases), encoding="utf-8")
    except OSError as exc:
        raise OrderspecError(f"cannot write the JUnit report {path}: {exc.strerror or exc}") from None
