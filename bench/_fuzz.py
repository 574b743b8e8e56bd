"""The fuzzing rows of ``bench/reliability.py``: the properties of ``tests/fuzz`` at bench sizes.

Hypothesis generates the cases (a fresh seed each run, printed in the notes; set
``FUZZ_SEED`` to repeat one); every case is counted by its verdict instead of failing,
so a row reports how many broke, not the first. The full run tries over 10,000
mutated sources; ``--quick`` a few hundred of each kind, in well under 30 s.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _reliability import Check

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzz import properties as prop  # noqa: E402 - the tests' folder is put on the path just above
from fuzz import strategies as strat  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SIZES = {
    # name: (full, quick)
    "spec": (3200, 240),
    "flow": (2600, 150),
    "profiles": (1800, 120),
    "http": (2600, 150),
    "templates": (1500, 60),
    "spec data": (150, 10),
    "secrets": (400, 25),
    "uploads": (1000, 60),
    "oversized": (60, 8),
}
TEMPLATE_BUDGET = 0.5
"""Seconds a template may take in the bench (5 s in a real run): payloads that run to the limit cost little."""


@dataclass
class Tally:
    """Verdicts of one kind of case, with the first few failures for the notes."""

    verdicts: Counter[prop.Verdict] = field(default_factory=Counter)
    figure: int = 0
    worst: int = 0
    seconds: float = 0.0
    examples: list[tuple[prop.Verdict, str]] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.verdicts.values())

    def add(self, outcome: prop.Outcome, label: str) -> None:
        self.verdicts[outcome.verdict] += 1
        self.figure += outcome.figure
        self.worst = max(self.worst, outcome.figure)
        if not outcome.ok and len(self.examples) < 3:
            self.examples.append((outcome.verdict, f"{label}: {outcome.verdict.value}: {outcome.detail[:160]}"))


def _drive(strategy: st.SearchStrategy[Any], count: int, run: Callable[[Any], None], fuzz_seed: int) -> None:
    """Run ``run`` on ``count`` cases of ``strategy``, generated only (no shrinking: nothing fails here)."""

    @seed(fuzz_seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=strategy)
    def each(case: Any) -> None:
        run(case)

    each()


def fuzz_checks(quick: bool) -> list[Check]:
    """The rows: tracebacks, unlocated errors, escaped or hung payloads, leaked secrets, files read outside, memory above the cap."""
    from orderspec.engine import _template
    from orderspec.sandbox.hostile import start_hostile

    fuzz_seed = int(os.environ.get("FUZZ_SEED") or random.randrange(1 << 32))
    size = {name: sizes[1] if quick else sizes[0] for name, sizes in SIZES.items()}
    tallies: dict[str, Tally] = {name: Tally() for name in SIZES}
    server = start_hostile()
    server.server.handle_error = lambda request, address: None  # a client that hangs up on an endless answer is expected here
    warnings.filterwarnings("ignore", category=SyntaxWarning)  # Python's remarks on code Jinja generates from payloads like ``1[0]``
    before = _template.TEMPLATE_SECONDS
    _template.TEMPLATE_SECONDS = TEMPLATE_BUDGET
    try:
        with tempfile.TemporaryDirectory(prefix="orderspec-fuzz-") as temporary, prop.hostile_apart() as apart:
            work = Path(temporary)

            def timed(name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], prop.Outcome], label: Callable[[Any], str]) -> None:
                tally = tallies[name]
                started = time.perf_counter()
                _drive(strategy, size[name], lambda case: tally.add(check(case), label(case)), fuzz_seed)
                tally.seconds = time.perf_counter() - started

            for kind in ("spec", "flow", "profiles", "http"):
                check = prop.SOURCE_CHECKS[kind]
                folder = work / kind
                timed(
                    kind,
                    strat.mutated(kind),
                    lambda case, check=check, folder=folder: check(case[1], folder),
                    lambda case, kind=kind: f"{kind} from {case[0]}",
                )
            timed(
                "templates",
                st.tuples(strat.template_payloads(), st.sampled_from(prop.PLACES)),
                lambda case: prop.check_flow_template(case[0], case[1], work / "templates", server.base_url, TEMPLATE_BUDGET),
                lambda case: f"{case[1]} {case[0][:60]!r}",
            )
            timed(
                "spec data",
                st.tuples(
                    st.one_of(st.sampled_from(strat.TEMPLATE_PAYLOADS[:24]), strat.template_payloads()),
                    st.sampled_from(("notes", "reference", "customer.name")),
                ),
                lambda case: prop.check_spec_data(case[0], case[1], work / "spec-data", server.base_url, server.seen),
                lambda case: f"{case[1]} {case[0][:60]!r}",
            )
            timed(
                "secrets",
                strat.hostile_orders(server.base_url),
                lambda fields: prop.check_secret_run(prop.Order(**fields), work / "secrets", server.base_url, server.seen),
                lambda fields: f"{fields['auth']} read {fields['read']} create {fields['create']} place {fields['place']}",
            )
            timed(
                "uploads",
                st.tuples(strat.upload_paths(), st.sampled_from(prop.UPLOAD_KINDS)),
                lambda case: prop.check_upload(case[0], case[1], work / "uploads", server.base_url, server.seen),
                lambda case: f"{case[1]} {case[0]!r}",
            )
            timed(
                "oversized",
                st.tuples(
                    st.sampled_from(strat.OVERSIZED),
                    st.sampled_from([1 << 16, 1 << 18, 1 << 20, 4 << 20, 16 << 20]),
                    st.sampled_from([20 << 20, 64 << 20, 256 << 20]),
                ),
                lambda case: prop.check_oversized(case[0].format(size=case[2], depth=case[2] // 1000), case[1], work / "oversized", apart),
                lambda case: f"{case[0]} cap {case[1]}",
            )
            server.seen.clear()
    finally:
        _template.TEMPLATE_SECONDS = before
        server.stop()
    return _rows(tallies, fuzz_seed)


def _rows(tallies: dict[str, Tally], fuzz_seed: int) -> list[Check]:
    sources = [tallies[kind] for kind in ("spec", "flow", "profiles", "http")]
    everything = list(tallies.values())
    source_cases = sum(tally.cases for tally in sources)
    all_cases = sum(tally.cases for tally in everything)

    def count(group: list[Tally], *verdicts: prop.Verdict) -> int:
        return sum(tally.verdicts[verdict] for tally in group for verdict in verdicts)

    def examples(group: list[Tally], *verdicts: prop.Verdict) -> str:
        found = [text for tally in group for verdict, text in tally.examples if verdict in verdicts]
        return "; ".join(found[:2])

    seconds = {name: f"{tally.seconds:.0f} s" for name, tally in tallies.items()}
    per_kind = ", ".join(f"{kind} {tallies[kind].cases:,}" for kind in ("spec", "flow", "profiles", "http"))
    templates, spec_data = tallies["templates"], tallies["spec data"]
    hung = templates.verdicts[prop.Verdict.HUNG]
    escaped = templates.verdicts[prop.Verdict.ESCAPED] + spec_data.verdicts[prop.Verdict.ESCAPED]
    template_other = count([templates, spec_data], prop.Verdict.UNLOCATED, prop.Verdict.TRACEBACK)
    oversized = tallies["oversized"]
    return [
        Check(
            "fuzz: tracebacks (every fuzzed case)",
            all_cases,
            count(everything, prop.Verdict.TRACEBACK),
            note=f"hypothesis seed {fuzz_seed} (FUZZ_SEED repeats it); mutated sources: {per_kind} ({source_cases:,} in "
            f"{sum(tally.seconds for tally in sources):.0f} s) " + examples(everything, prop.Verdict.TRACEBACK),
        ),
        Check(
            "fuzz: unlocated errors (mutated specs, flows, profiles, .http)",
            source_cases,
            count(sources, prop.Verdict.UNLOCATED),
            note="each refusal names file:line:column (an .http file: the file, and each warning a line within it); "
            "a flow import-http wrote must load. " + examples(sources, prop.Verdict.UNLOCATED),
        ),
        Check(
            "templates: injection and resource payloads that escaped or hung",
            templates.cases + spec_data.cases,
            escaped + hung + template_other,
            note=f"{templates.cases:,} payloads in flow templates ({seconds['templates']}, evaluation budget {TEMPLATE_BUDGET:g} s; "
            f"hung = over budget + 2 s), {spec_data.cases} in spec values sent through apply ({seconds['spec data']}); "
            f"escaped {escaped}, hung {hung}, unlocated or crashed {template_other}. "
            + examples([templates, spec_data], prop.Verdict.ESCAPED, prop.Verdict.HUNG, prop.Verdict.UNLOCATED, prop.Verdict.TRACEBACK),
        ),
        Check(
            "secrets: values found in stdout, stderr, reports, state, cassettes",
            tallies["secrets"].cases,
            tallies["secrets"].figure + count([tallies["secrets"]], prop.Verdict.TRACEBACK),
            note=f"apply --record with JSON and JUnit reports and SQLite state, random credentials of 5 auth kinds against echoing, "
            f"redirecting, oversized answers ({seconds['secrets']}); plain, base64 (user:password too), JSON-escaped, URL-encoded. "
            + examples([tallies["secrets"]], prop.Verdict.LEAKED, prop.Verdict.TRACEBACK),
        ),
        Check(
            "files: bytes read outside the spec root",
            tallies["uploads"].cases,
            tallies["uploads"].figure,
            note=f"absolute, ../, symbolic links out, a FIFO, /dev/zero, /proc as content, multipart and ZIP entries ({seconds['uploads']}); "
            "a canary outside the root never reached the server. " + examples([tallies["uploads"]], prop.Verdict.OUTSIDE, prop.Verdict.HUNG),
        ),
        Check(
            "memory: bytes above the cap for oversized answers (worst case)",
            oversized.cases,
            oversized.worst,
            note=f"huge, endless, gzip-bomb and deeply nested answers, caps 64 KiB to 16 MiB ({seconds['oversized']}); traced peak over a small "
            f"answer's, less the cap and {prop.IO_ALLOWANCE >> 10} KiB of read buffers. "
            + examples([oversized], prop.Verdict.OVER_CAP, prop.Verdict.UNLOCATED, prop.Verdict.TRACEBACK),
        ),
    ]
