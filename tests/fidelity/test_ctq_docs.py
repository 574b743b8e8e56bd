"""``docs/targets/ctq.md`` lists every request both CTQ flows send and every answer field they read,
and its tables of documented fields are the ones the sandbox cuts its answers with."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from orderspec.sandbox.ctq._documented import documented_fields

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "targets" / "ctq.md").read_text(encoding="utf-8")
FLOWS = ("ctq", "ctq-2021-04-27")


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


def _as_documented(url: str) -> str:
    """A flow's URL template as the docs write it: ``/orders/{order_id}``, ``<signed_url>``."""
    if "signed_url" in url:
        return "<signed_url>"
    url = re.sub(r"\{\{\s*order\.discount_code[^}]*\}\}", "{code}", url)
    return re.sub(r"\{\{\s*vars\.(\w+)\s*\}\}", r"{\1}", url)


@pytest.mark.parametrize("name", FLOWS)
def test_every_request_of_the_flow_is_listed(name: str) -> None:
    flow = yaml.safe_load((ROOT / "runner" / "flows" / f"{name}.yaml").read_text(encoding="utf-8"))
    requests = [*_requests(flow["steps"]), (flow["discard"]["request"]["method"], flow["discard"]["request"]["url"])]
    listed = _section("Requests the flows send")
    assert len(requests) >= 8
    for method, url in requests:
        assert f"`{method} {_as_documented(url)}" in listed, (method, url)


@pytest.mark.parametrize("name", FLOWS)
def test_every_answer_field_the_flow_reads_is_listed_with_its_source(name: str) -> None:
    text = (ROOT / "runner" / "flows" / f"{name}.yaml").read_text(encoding="utf-8")
    read = sorted({match.group(1) for match in re.finditer(r"response\.body\.(\w+(?:\.\w+)*)", text)})
    assert {"order_id", "order_number", "subtotal_inc_vat", "min_order_surcharge"} <= set(read)
    listed = _section("Response fields the flows read")
    for path in read:
        assert f"`{path}" in listed or f"`{path.split('.')[0]}[]" in listed or f".{path}`" in listed, path


@pytest.mark.parametrize("api", ["2021-02-19", "2021-04-27"])
def test_the_tables_of_documented_fields_are_the_sandboxs(api: str) -> None:
    match = re.search(rf"<!-- documented-fields {api} -->\n(.*?)<!-- /documented-fields -->", DOC, re.S)
    assert match is not None
    assert match.group(1) == documented_fields(api).markdown(), "regenerate with: python -m orderspec.sandbox.ctq._documented"


@pytest.mark.parametrize("title", ["Requests the flows send", "Response fields the flows read"])
def test_every_row_names_its_source_or_says_inferred(title: str) -> None:
    rows = [line for line in _section(title).splitlines() if line.startswith("| ") and not line.startswith(("| step", "| field", "| ---"))]
    assert len(rows) > 10
    unsourced = [row for row in rows if not any(word in row for word in ("Swagger", "*inferred*", "User flow", "Targets", "NOT DOCUMENTED"))]
    assert unsourced == []
