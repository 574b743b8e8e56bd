"""The pytest plugin of orderspec (entry point ``pytest11``): specs with cassettes as test items.

    pytest --orderspec specs/                      # replay every spec that has a cassette
    pytest --orderspec specs/ --orderspec-record --orderspec-sandbox   # record them again

Each spec under the paths given with ``--orderspec`` whose cassette exists becomes one
item: its cassette is replayed (plan, then apply; offline, on an instant clock, no
credentials) and the run must send every recorded request and end as recorded: order
number, quote and the flow's outputs. With ``--orderspec-record`` every spec found is
recorded instead (against its sandbox with ``--orderspec-sandbox``, else against its
profile's target with credentials from the environment), and the end of the run shows,
per cassette, a unified diff of what changed against the one there was before.

Fixtures: ``orderspec_sandbox`` starts sandboxes on loopback (``orderspec_sandbox("ctq")``)
and stops them after the test; ``orderspec_replay`` replays a spec's cassette from a test
(``orderspec_replay("specs/x.yaml")``) or gives the replay transport of any cassette
(``orderspec_replay.transport(path)``).

Everything else is imported when a test needs it: loading this plugin costs a pytest run
nothing when ``--orderspec`` is not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from orderspec.sandbox.testing import SandboxFactory
    from orderspec.testing import Recorded, Replayed

MARKER = "orderspec"
_RECORDED = pytest.StashKey[list["Recorded"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orderspec", "orderspec: order specs replayed from their cassettes")
    group.addoption(
        "--orderspec",
        action="append",
        default=[],
        metavar="PATH",
        dest="orderspec_paths",
        help="Spec files or folders: every spec with a cassette becomes a test that replays it (repeatable).",
    )
    group.addoption(
        "--orderspec-record",
        action="store_true",
        dest="orderspec_record",
        help="Record the specs' cassettes again instead of replaying them, and show what changed.",
    )
    group.addoption(
        "--orderspec-sandbox",
        action="store_true",
        dest="orderspec_sandbox",
        help="With --orderspec-record: record against each system's sandbox, started in the test process.",
    )
    group.addoption(
        "--orderspec-profile",
        metavar="NAME",
        dest="orderspec_profile",
        help="With --orderspec-record: record against this profile (credentials from the environment).",
    )
    group.addoption(
        "--orderspec-cassettes",
        metavar="DIR",
        dest="orderspec_cassettes",
        help="The folder of the cassettes (<metadata.name>.yaml); default: cassettes/ beside the specs' orderspec.yaml.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a spec replayed from (or recorded to) its cassette by the orderspec plugin")
    paths = config.getoption("orderspec_paths", default=None) or []
    if paths:
        # the specs are collected like test files named on the command line
        config.args.extend(str(path) for path in paths if str(path) not in config.args)
    config.stash[_RECORDED] = []


def _roots(config: pytest.Config) -> list[Path]:
    base = config.invocation_params.dir
    return [(base / path).resolve() for path in config.getoption("orderspec_paths", default=None) or []]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> SpecFile | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    roots = _roots(parent.config)
    if not roots:
        return None
    resolved = file_path.resolve()
    if not any(resolved == root or root in resolved.parents for root in roots):
        return None
    name = _spec_name(file_path)
    if name is None:
        return None
    spec_file: SpecFile = SpecFile.from_parent(parent, path=file_path)
    spec_file.spec_name = name
    return spec_file


def _spec_name(path: Path) -> str | None:
    """The ``metadata.name`` of an order spec (its file name if it has none); None for other YAML."""
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or data.get("kind") != "Order":
        return None
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) and name else path.stem


def _cassette(config: pytest.Config, spec: Path, name: str) -> Path:
    from orderspec.testing import CassettePlace

    folder = config.getoption("orderspec_cassettes", default=None)
    place = CassettePlace(folder=(config.invocation_params.dir / folder) if folder else None, cwd=config.invocation_params.dir)
    return place.path(spec, name)


class SpecFile(pytest.File):
    """An order spec; its one item replays (or records) its cassette."""

    spec_name: str = ""

    def collect(self) -> Iterator[SpecItem]:
        cassette = _cassette(self.config, self.path, self.spec_name)
        recording = bool(self.config.getoption("orderspec_record", default=False))
        # a spec named itself in --orderspec is tested even without a cassette (and fails saying so)
        if cassette.is_file() or recording or self.path.resolve() in _roots(self.config):
            item: SpecItem = SpecItem.from_parent(self, name=self.spec_name)
            item.cassette = cassette
            item.recording = recording
            item.add_marker(MARKER)
            yield item


class SpecItem(pytest.Item):
    """Replays one spec's cassette (plan, then apply) and checks that it ends as recorded."""

    cassette: Path
    recording: bool = False

    def runtest(self) -> None:
        from orderspec.testing import record_spec, recorded_outcome, replay_spec

        spec = self.path
        if not self.recording:
            self.user_properties.append(("replayed", str(replay_spec(spec, cassette=self.cassette).outcome.to_data())))
            return
        config = self.config
        previous = recorded_outcome(self.cassette) if self.cassette.is_file() else None
        recorded = record_spec(
            spec,
            cassette=self.cassette,
            sandbox=bool(config.getoption("orderspec_sandbox", default=False)),
            profile=config.getoption("orderspec_profile", default=None),
            command=previous.command if previous is not None and previous.command == "plan" else "apply",
        )
        config.stash[_RECORDED].append(recorded)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        from orderspec.errors import OrderspecError

        if isinstance(excinfo.value, OrderspecError):
            action = "recording" if self.recording else "replaying"
            return f"{action} {self.cassette} for {self.path.name}:\n{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        verb = "record" if self.recording else "replay"
        return self.path, 0, f"{verb} {self.name} ({_relative(self.cassette, self.config)})"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    recorded = config.stash.get(_RECORDED, [])
    if not recorded:
        return
    terminalreporter.section("orderspec cassettes recorded")
    for entry in recorded:
        where = _relative(entry.cassette, config)
        if entry.before is None:
            terminalreporter.write_line(f"{where}: new cassette")
        elif not entry.changed:
            terminalreporter.write_line(f"{where}: unchanged")
        else:
            terminalreporter.write_line(f"{where}: changed")
            terminalreporter.write(entry.diff)


def _relative(path: Path, config: pytest.Config) -> str:
    try:
        return str(path.resolve().relative_to(config.invocation_params.dir.resolve()))
    except ValueError:
        return str(path)


# -- fixtures ---------------------------------------------------------------------------------------


class Replayer:
    """The ``orderspec_replay`` fixture: replay a spec's cassette, or get the replay transport of any cassette."""

    def __call__(self, spec: str | Path, *, cassette: str | Path | None = None, profiles_file: Path | None = None) -> Replayed:
        """Replay the spec's cassette (plan, then apply; offline) and check it ends as recorded."""
        from orderspec.testing import replay_spec

        return replay_spec(spec, cassette=cassette, profiles_file=profiles_file)

    def transport(self, cassette: str | Path, *, strict: bool = True) -> AbstractContextManager[httpx.BaseTransport]:
        """A transport answering from ``cassette`` (for ``run_flow(..., transport=...)`` with an ``InstantClock``)."""
        from orderspec.cassettes import replay

        return replay(cassette, strict=strict)


@pytest.fixture
def orderspec_replay() -> Replayer:
    """Replay a spec's cassette from a test: ``orderspec_replay("specs/ctq-bracket.yaml").outcome.order_number``."""
    return Replayer()


@pytest.fixture
def orderspec_sandbox() -> Iterator[SandboxFactory]:
    """Start sandboxes on 127.0.0.1 for the test: ``orderspec_sandbox("ctq").base_url``; all are stopped after it."""
    from orderspec.sandbox.testing import SandboxFactory

    factory = SandboxFactory()
    try:
        yield factory
    finally:
        factory.close()
