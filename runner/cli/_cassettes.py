"""``--record`` / ``--replay`` for ``plan``, ``apply`` and ``run``: the options, and the cassettes they open.

The commands stay as they are: ``cassette_options`` adds the options and hands the command
one ``CassetteOptions`` value; ``order_cassettes`` turns it into what ``plan``/``apply`` run
on (``orderspec.testing.OrderCassettes``, or the plain live runtime without the options), and
``flow_cassette`` into the transport and clock of ``orderspec run``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

import click

from orderspec.errors import UsageError

if TYPE_CHECKING:
    import httpx

    from orderspec.engine import Flow, FlowResult
    from orderspec.orders import PlacedOrder, Plan, Runtime, SandboxPool

Mode = Literal["record", "replay"]

REPLAY_SECRET = "offline-placeholder"
"""What every ``--secret`` of ``run --replay`` is: nothing is sent, and a scrubbed value matches any."""


@dataclass(frozen=True)
class CassetteOptions:
    """What the command line says about cassettes: a mode (or none), and where they are."""

    mode: Mode | None = None
    file: Path | None = None
    """``--cassette PATH``: the one cassette (a single spec, or ``run``)."""
    folder: Path | None = None
    """``--cassettes DIR``: ``<DIR>/<metadata.name>.yaml`` for each spec."""


_OPTIONS = (
    click.option("--record", is_flag=True, help="Record every request and answer to the cassette (credentials scrubbed); with --sandbox, against the sandbox."),
    click.option("--replay", is_flag=True, help="Answer every request from the cassette: nothing is sent, no credentials, no waiting, no state kept."),
    click.option(
        "--cassette",
        "cassette_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The cassette file (one spec only). Default: cassettes/<metadata.name>.yaml beside orderspec.yaml, or in the current folder.",
    ),
    click.option(
        "--cassettes",
        "cassette_folder",
        type=click.Path(file_okay=False, path_type=Path),
        help="The folder of the cassettes, <metadata.name>.yaml each (the flow's name for run).",
    ),
)


def cassette_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--record``, ``--replay``, ``--cassette`` and ``--cassettes``; the command gets ``cassettes: CassetteOptions``."""

    @functools.wraps(command)
    def wrapper(*args: Any, record: bool, replay: bool, cassette_file: Path | None, cassette_folder: Path | None, **kwargs: Any) -> Any:
        if record and replay:
            raise UsageError("--record and --replay exclude each other", hint="record once, then replay")
        mode: Mode | None = "record" if record else "replay" if replay else None
        if mode is None and (cassette_file or cassette_folder):
            raise UsageError(f"{'--cassette' if cassette_file else '--cassettes'} needs --record or --replay")
        if cassette_file and cassette_folder:
            raise UsageError("--cassette and --cassettes exclude each other", hint="--cassette names one file, --cassettes a folder of them")
        return command(*args, cassettes=CassetteOptions(mode, cassette_file, cassette_folder), **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


# -- plan and apply ---------------------------------------------------------------------------------


class Tape(Protocol):
    """What ``plan`` and ``apply`` run on: live, recorded or replayed."""

    offline: bool

    def runtime(self, **fields: Any) -> Runtime: ...

    def sandboxes(self, sandbox: bool) -> SandboxPool | None: ...

    def planned(self, plans: list[Plan]) -> None: ...

    def on_placed(self, then: Callable[[PlacedOrder], None] | None) -> Callable[[PlacedOrder], None] | None: ...

    def summary(self, placed: list[PlacedOrder], failed: int) -> str | None: ...


class _Live:
    """No cassette: the runtime as the command builds it anyway."""

    offline = False

    def runtime(self, **fields: Any) -> Runtime:
        from orderspec.orders import Runtime

        return Runtime(**fields)

    def sandboxes(self, sandbox: bool) -> SandboxPool | None:
        return None

    def planned(self, plans: list[Plan]) -> None:
        return None

    def on_placed(self, then: Callable[[PlacedOrder], None] | None) -> Callable[[PlacedOrder], None] | None:
        return then

    def summary(self, placed: list[PlacedOrder], failed: int) -> str | None:
        return None


class _Cassettes:
    """``--record`` or ``--replay``: the command's ``OrderCassettes`` and what it says about them."""

    def __init__(self, options: CassetteOptions, command: str, profiles_file: Path | None) -> None:
        from orderspec.testing import CassettePlace, OrderCassettes

        assert options.mode is not None
        place = CassettePlace(file=options.file, folder=options.folder, profiles_file=profiles_file)
        self.cassettes = OrderCassettes(options.mode, place=place, strict=options.mode == "replay" and command == "apply")
        self.offline = self.cassettes.offline

    def runtime(self, **fields: Any) -> Runtime:
        return self.cassettes.runtime(**fields)

    def sandboxes(self, sandbox: bool) -> SandboxPool | None:
        return self.cassettes.sandboxes(sandbox)

    def planned(self, plans: list[Plan]) -> None:
        self.cassettes.planned(plans)

    def on_placed(self, then: Callable[[PlacedOrder], None] | None) -> Callable[[PlacedOrder], None] | None:
        if not self.offline or then is None:
            return self.cassettes.on_placed(then)
        # a replayed order was not placed anywhere: say so instead of "placed"
        return self.cassettes.on_placed(self._replayed)

    def _replayed(self, placed: PlacedOrder) -> None:
        price = f" for {placed.quote}" if placed.quote is not None else ""
        path = self.cassettes.place.path(Path(placed.spec), placed.name)
        click.echo(f"replayed {placed.name}: order {placed.order_number}{price} from {_shown(path)} (nothing was sent)")

    def summary(self, placed: list[PlacedOrder], failed: int) -> str | None:
        """The last line of ``apply --replay`` (None: the command's own)."""
        if not self.offline:
            return None
        count = len(placed)
        failures = f", {failed} failed" if failed else ""
        return f"{count} order{'s' if count != 1 else ''} replayed{failures}; nothing was placed."

    def close(self, error: BaseException | None) -> None:
        self.cassettes.close(error)
        for path in self.cassettes.written:
            click.echo(f"recorded {_shown(path)}", err=True)


@contextmanager
def order_cassettes(options: CassetteOptions, command: str, *, profiles_file: Path | None = None, specs: int = 1) -> Iterator[Tape]:
    """What ``plan``/``apply`` run on for ``options``; recordings are written when the block ends.

    After ``OrdersFailed`` the cassettes of the specs that succeeded are written all the same.
    """
    if options.mode is None:
        yield _Live()
        return
    if options.file is not None and specs > 1:
        raise UsageError(f"--cassette {options.file} is the cassette of one spec, and {specs} specs were given", hint="use --cassettes DIR for several")
    tape = _Cassettes(options, command, profiles_file)
    try:
        yield tape
    except BaseException as exc:
        tape.close(exc)
        raise
    tape.close(None)


# -- run --------------------------------------------------------------------------------------------


class FlowTape:
    """``orderspec run`` with a cassette: the transport and clock to run on, and the outcome to keep or check."""

    def __init__(self, options: CassetteOptions, flow: Flow, flow_file: Path, secrets: dict[str, str], *, strict: bool) -> None:
        from orderspec.cassettes import Sessions

        assert options.mode is not None
        self.mode = options.mode
        self.name = flow.name
        self.path = flow_cassette_path(options, flow, flow_file)
        self._sessions = Sessions(options.mode, strict=strict)
        self._secrets = secrets

    @contextmanager
    def engine(self) -> Iterator[dict[str, Any]]:
        """Keyword arguments of ``run_flow``: the cassette's transport (and an instant clock for a replay)."""
        if self.mode == "replay":
            from orderspec.engine import InstantClock

            with self._sessions.open(self.path) as transport:
                yield {"transport": transport, "clock": InstantClock()}
            return
        import httpx

        def inner() -> Any:
            return _closing(httpx.HTTPTransport())

        with self._sessions.open(self.path, inner=inner, secrets=list(self._secrets.values())) as transport:
            yield {"transport": transport}

    def finished(self, result: FlowResult) -> FlowResult:
        """Keep the flow's outcome (recording), or check it against the recorded one (replay); ``result`` again."""
        from orderspec.testing import OUTCOME_KEY, Outcome, check_outcome, run_outcome

        metadata = self._sessions.metadata(self.path)
        if metadata is None:
            return result
        outcome = run_outcome(self.name, result)
        if self.mode == "record":
            metadata[OUTCOME_KEY] = outcome.to_data()
        elif OUTCOME_KEY in metadata:
            check_outcome(Outcome.from_data(metadata[OUTCOME_KEY], path=str(self.path)), outcome, path=str(self.path))
        return result

    def close(self, error: BaseException | None) -> None:
        self._sessions.close(save=error is None)
        if error is None and self.mode == "record":
            click.echo(f"recorded {_shown(self.path)}", err=True)

    def __enter__(self) -> FlowTape:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close(error)


def flow_cassette_path(options: CassetteOptions, flow: Flow, flow_file: Path) -> Path:
    """``--cassette``, else ``<DIR>/<flow name>.yaml`` with ``--cassettes``, else ``cassettes/<flow name>.yaml``
    beside the ``orderspec.yaml`` above the flow file, or in the current folder."""
    from orderspec.profiles import find_profiles_file

    if options.file is not None:
        return options.file
    name = re.sub(r"[^a-z0-9._-]+", "-", flow.name.lower()).strip("-.") or "flow"
    if options.folder is not None:
        return options.folder / f"{name}.yaml"
    found = find_profiles_file(flow_file.parent)
    return (found.parent if found is not None else Path.cwd()) / "cassettes" / f"{name}.yaml"


@contextmanager
def _closing(transport: httpx.HTTPTransport) -> Iterator[httpx.BaseTransport]:
    with transport:
        yield transport


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
