"""``docs/targets/tophoto.md`` lists every request the to.photo flow sends and every answer field it reads,
and its table of documented fields is the one the sandbox cuts its answers with."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from orderspec.sandbox.tophoto._documented import documented_fields

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "targets" / "tophoto.md").read_text(encoding="utf-8")
FLOW = ROOT / "runner" / "flows" / "tophoto.yaml"


def _section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end > 0 else None]


def _requests(steps: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for step in steps:
        if "request" in step:
            found.append((step["request"]["method"], step["request"]["url"]))
        found += _requests(step.get("steps") or [])
    return found


def test_every_request_of_the_flow_is_listed() -> None:
    flow = yaml.safe_load(FLOW.read_text(encoding="utf-8"))
    requests = [*_requests(flow["steps"]), (flow["discard"]["request"]["method"], flow["discard"]["request"]["url"])]
    listed = _section("Requests the flow sends")
    assert len(requests) == 5
    for method, url in requests:
        path = re.sub(r"\{\{\s*vars\.order_id\s*\}\}", "{orderId}", url)
        assert f"`{method} {path}" in listed, (method, url)


def test_every_answer_field_the_flow_reads_is_listed() -> None:
    read = sorted({match.group(1) for match in re.finditer(r"response\.body\.(\w+)", FLOW.read_text(encoding="utf-8"))})
    assert read == ["cart", "orderId", "status"]
    listed = _section("Response fields the flow reads")
    assert "`cart.subcarts[].producerOrderUniqueIdentifier`" in listed
    for field in read:
        assert f"`{field}" in listed, field


def test_the_table_of_documented_fields_is_the_sandboxs() -> None:
    match = re.search(r"<!-- documented-fields to\.photo -->\n(.*?)<!-- /documented-fields -->", DOC, re.S)
    assert match is not None
    assert match.group(1) == documented_fields().markdown(), "regenerate with: python -m orderspec.sandbox.tophoto._documented"


def test_the_table_keeps_documented_fields_and_drops_the_rest() -> None:
    table = documented_fields()
    answer = {
        "orderId": 1230,
        "internalNote": "no document shows this",
        "statusHistory": [{"status": "New", "date": 1, "acknowledged": True, "metadata": {"tracking": "X1"}, "by": "worker-3"}],
        "projects": [{"identifier": "item1", "processor": {"identifier": "p", "metadata": {"sku": "1", "passthrough": "kept"}}}],
    }
    assert table.prune("GET /v1/orders/{orderId}", answer) == {
        "orderId": 1230,
        "statusHistory": [{"status": "New", "date": 1, "acknowledged": True, "metadata": {"tracking": "X1"}}],
        "projects": [{"identifier": "item1", "processor": {"identifier": "p", "metadata": {"sku": "1", "passthrough": "kept"}}}],
    }
    assert table.prune("GET /v1/portals/{portalId}/orders/unacknowledged", [answer])[0]["orderId"] == 1230
    assert "internalNote" not in table.prune("GET /v1/portals/{portalId}/orders/unacknowledged", [answer])[0]


def test_every_row_names_its_source_or_says_inferred() -> None:
    for title in ("Requests the flow sends", "Response fields the flow reads"):
        rows = [line for line in _section(title).splitlines() if line.startswith("| ") and not line.startswith(("| step", "| field", "| ---"))]
        assert len(rows) >= 5, title
        assert [row for row in rows if not any(word in row for word in ("Seed", "TP-docs", "*inferred*"))] == [], title
