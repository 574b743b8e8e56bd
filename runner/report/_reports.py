"""Reports of a finished (or failed) flow run: JSON for machines, JUnit XML for CI."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from orderspec.engine import FlowResult, Masker


def json_report(result: FlowResult, mask: Masker | None = None) -> str:
    """The run as a JSON document: ok, outputs, error, and one entry per step."""
    data: dict[str, Any] = {
        "flow": result.name,
        "ok": result.ok,
        "elapsed": round(result.elapsed, 6),
        "outputs": result.outputs,
        "stopped_before": result.stopped_before,
        "error": result.error,
        "steps": [
            {
                "path": step.path,
                "effect": step.effect,
                "outcome": step.outcome,
                "method": step.method or None,
                "url": step.url or None,
                "status": step.status,
                "elapsed": round(step.elapsed, 6),
                "attempts": step.attempts,
                "polls": step.polls,
                "pages": step.pages,
                "message": step.message or None,
            }
            for step in result.steps
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return mask(text) if mask else text


def junit_xml(result: FlowResult, mask: Masker | None = None) -> str:
    """One ``testsuite`` per flow, one ``testcase`` per step (failed and skipped marked)."""
    failures = sum(step.outcome == "failed" for step in result.steps)
    skipped = sum(step.outcome == "skipped" for step in result.steps)
    errors = 1 if not result.ok and not failures else 0
    suite = ElementTree.Element(
        "testsuite",
        name=result.name,
        tests=str(len(result.steps) + errors),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{result.elapsed:.3f}",
    )
    for step in result.steps:
        case = ElementTree.SubElement(suite, "testcase", classname=result.name, name=step.path, time=f"{step.elapsed:.3f}")
        if step.outcome == "failed":
            failure = ElementTree.SubElement(case, "failure", message=step.message.splitlines()[0] if step.message else "failed")
            failure.text = step.message
        elif step.outcome == "skipped":
            ElementTree.SubElement(case, "skipped", message=step.message)
    if errors:
        case = ElementTree.SubElement(suite, "testcase", classname=result.name, name="(flow)", time="0.000")
        error = ElementTree.SubElement(case, "error", message=(result.error or "failed").splitlines()[0])
        error.text = result.error
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    text = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
    return mask(text) if mask else text
