"""``orderspec validate``: everything that can be checked without sending a request.

Each spec against its schema and its target's rules (``orderspec.spec``), then what it
depends on: the profiles file it would run with (every problem located, with
did-you-mean), the profile it names, and a custom flow against the flow schema and its
contract. A typo anywhere shows up here, not first at ``plan``. The engine is loaded only
for specs that bring their own flow, so validating built-in specs stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from orderspec.errors import OrderspecError
from orderspec.profiles import PROFILES_FILE, ProfileError, ProfilesInvalid, check_profiles, find_profiles_file, select_profile
from orderspec.spec import Problem, SpecResult, ValidationReport, validate_paths


def validate(
    paths: Iterable[str | os.PathLike[str]],
    *,
    skip_non_orders: bool = False,
    profiles_file: Path | None = None,
    profile: str | None = None,
) -> ValidationReport:
    """Validate the specs under ``paths`` and what each depends on; never raises for bad input."""
    report = validate_paths(paths, skip_non_orders=skip_non_orders)
    checked: dict[Path, list[Problem]] = {}
    results = [_dependencies(result, profiles_file, profile, checked) for result in report.results]
    return replace(report, results=tuple(results))


def _dependencies(result: SpecResult, profiles_file: Path | None, profile: str | None, checked: dict[Path, list[Problem]]) -> SpecResult:
    order = result.order
    if order is None or result.document is None:
        return result
    problems: list[Problem] = []
    path = profiles_file or find_profiles_file(order.path)
    if path is not None and path not in checked:
        checked[path] = check_profiles(path)
        problems.extend(checked[path])  # reported once, with the first spec that runs with it
    if path is None or not checked[path]:
        named = profile or order.profile
        try:
            select_profile(order.system, named, order.path, path)
        except (ProfileError, ProfilesInvalid) as exc:
            where = result.document.locate(("target", "profile")) if named else result.document.locate(("target",), key=True)
            hint = exc.hint or (None if path else f"define it in {PROFILES_FILE}")
            problems.append(Problem(where, ("target", "profile"), exc.message, "profile.unknown", hint))
    if order.flow is not None:
        problems.extend(_flow_problems(order.flow, result))
    if not problems:
        return result
    return replace(result, problems=tuple(problems), order=None)


def _flow_problems(flow: Path, result: SpecResult) -> list[Problem]:
    from orderspec.engine import load_flow

    assert result.document is not None
    try:
        load_flow(flow)
    except OrderspecError as exc:
        where = exc.location or result.document.locate(("target", "flow"))
        return [Problem(where, ("target", "flow"), exc.message, "flow.invalid", exc.hint)]
    return []
