"""Cassettes in ``plan`` and ``apply``: one per spec, recorded or replayed for a whole command.

``OrderCassettes`` builds the ``Runtime`` of a command that records (``--record``) or
replays (``--replay``): its transport records each spec's requests to the spec's cassette,
or answers them from it; a replay runs on an instant clock, offline (no credentials, no
sandbox started, no state kept). It also keeps the outcome of each spec in its cassette
when recording, and compares it when replaying.

    with OrderCassettes("replay", strict=True) as cassettes:
        runtime = cassettes.runtime()
        placed = apply_all(plan_all(orders, runtime, sandboxes=cassettes.sandboxes(sandbox)), runtime,
                           on_placed=cassettes.on_placed(None))
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import httpx

from orderspec.cassettes import CassetteMismatch, Sessions, cassette_path, scrub_options
from orderspec.testing._outcome import KEY, Outcome, OutcomeChanged, check, placed_outcome, planned_outcome

if TYPE_CHECKING:
    from orderspec.orders import PlacedOrder, Plan, Prepared, Runtime, SandboxPool

Mode = Literal["record", "replay"]


@dataclass(frozen=True)
class CassettePlace:
    """Where each spec's cassette is: one ``file`` (a single spec), a ``folder`` of
    ``<metadata.name>.yaml`` files, or by default ``cassettes/<metadata.name>.yaml`` under the
    folder that holds the spec's ``orderspec.yaml`` (``profiles_file``'s folder, if given),
    else under ``cwd``."""

    file: Path | None = None
    folder: Path | None = None
    profiles_file: Path | None = None
    cwd: Path | None = None

    def path(self, spec: Path, name: str) -> Path:
        """The cassette of the spec at ``spec`` whose ``metadata.name`` is ``name``."""
        if self.file is not None:
            return self.file
        if self.folder is not None:
            return self.folder / f"{name}.yaml"
        return cassette_path(self.root(spec), name)

    def root(self, spec: Path) -> Path:
        """The folder whose ``cassettes/`` holds the cassette of ``spec`` by default."""
        from orderspec.profiles import find_profiles_file

        found = self.profiles_file or find_profiles_file(spec.parent)
        return found.parent if found is not None else (self.cwd or Path.cwd())


class OrderCassettes:
    """The cassettes of one ``plan``/``apply`` command, kept open until ``close()``.

    ``mode`` ``record`` sends every request to the target (or sandbox) and writes each
    spec's session, with its outcome, when the command ends, unless that spec failed;
    ``replay`` answers every request from the cassette and, at the end, fails when a spec
    ended differently than recorded (``OutcomeChanged``) or, with ``strict``, sent fewer
    requests than were recorded (``CassetteMismatch``).
    """

    def __init__(self, mode: Mode, *, place: CassettePlace | None = None, strict: bool = False) -> None:
        if mode not in ("record", "replay"):
            raise ValueError("mode must be 'record' or 'replay'")
        self.mode: Mode = mode
        self.place = place or CassettePlace()
        self._sessions = Sessions(mode, strict=strict)
        self._paths: dict[str, Path] = {}
        self._used: list[Path] = []
        self._failed: set[Path] = set()
        self._changed: list[OutcomeChanged] = []
        self._pool: SandboxPool | None = None
        self._lock = threading.Lock()
        self.written: tuple[Path, ...] = ()
        """The cassettes written when a recording was closed."""

    @property
    def strict(self) -> bool:
        """Whether a replay must send every recorded request (checked when the command ends)."""
        return self._sessions.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self._sessions.strict = value

    @property
    def offline(self) -> bool:
        """A replay reaches no target: no credentials, no sandbox, no state."""
        return self.mode == "replay"

    def path(self, prepared: Prepared) -> Path:
        """The cassette of a prepared spec."""
        return self.place.path(prepared.order.path, prepared.order.name)

    def runtime(self, **fields: Any) -> Runtime:
        """A ``Runtime`` whose transport is this command's cassettes (``fields``: events, journal, ...).

        A replay runs on an instant clock (poll and retry waits return at once) and is
        ``offline``.
        """
        from orderspec.engine import InstantClock
        from orderspec.orders import Runtime

        if self.offline:
            fields.setdefault("clock", InstantClock())
        return Runtime(transport=self.transport, offline=self.offline, **fields)

    def transport(self, prepared: Prepared) -> AbstractContextManager[httpx.BaseTransport]:
        """The runtime's transport factory: the recording or replay of ``prepared``'s cassette."""
        path = self.path(prepared)
        with self._lock:
            known = self._paths.setdefault(prepared.order.name, path)
            if known != path:
                raise CassetteMismatch(
                    f"{path}: two specs would share this cassette ({prepared.order.name} and another)",
                    path=str(path),
                    hint="--cassette names the cassette of a single spec; use --cassettes DIR for several",
                )
            if path not in self._used:
                self._used.append(path)
        if self.mode == "replay":
            return self._track(path, self._sessions.open(path))
        from orderspec.orders import live

        auth = prepared.profile.auth
        scrub = scrub_options(prepared.secrets, auth_header=auth.header or None, auth_param=auth.param)
        return self._track(path, self._sessions.open(path, inner=lambda: live(prepared), **scrub))

    @contextmanager
    def _track(self, path: Path, opened: AbstractContextManager[httpx.BaseTransport]) -> Iterator[httpx.BaseTransport]:
        try:
            with opened as transport:
                yield transport
        except BaseException:
            with self._lock:
                self._failed.add(path)
            raise

    def sandboxes(self, sandbox: bool) -> SandboxPool | None:
        """The sandbox pool for ``--sandbox`` (None without it), closed with this object.

        A recording gives each spec a sandbox of its own, so its cassette does not depend on
        the specs recorded with it; a replay starts none (nothing is sent).
        """
        if not sandbox:
            return None
        if self._pool is None:
            from orderspec.orders import SandboxPool

            self._pool = SandboxPool(offline=self.offline, isolated=not self.offline)
        return self._pool

    # -- outcomes -------------------------------------------------------------------------------

    def recorded(self, name: str) -> Outcome | None:
        """The outcome kept in the cassette of spec ``name`` (replay), None if it has none."""
        path = self._paths.get(name)
        return None if path is None else self.recorded_at(path)

    def recorded_at(self, path: Path) -> Outcome | None:
        """The outcome kept in the cassette at ``path`` (replay; the cassette is loaded once for the command)."""
        if self.mode != "replay":
            return None
        metadata = self._sessions.metadata(path)
        if metadata is None:
            self._sessions.open(path)  # loads it (CassetteNotFound without a file); the runs reuse it
            metadata = self._sessions.metadata(path) or {}
        return Outcome.from_data(metadata[KEY], path=str(path)) if KEY in metadata else None

    def planned(self, plans: list[Plan]) -> None:
        """Keep (record) or compare (replay) the outcome of each spec's plan."""
        for plan in plans:
            self._outcome(plan.name, planned_outcome(plan))

    def placed(self, placed: PlacedOrder) -> None:
        """Keep (record) or compare (replay) the outcome of a placed order."""
        self._outcome(placed.name, placed_outcome(placed))

    def on_placed(self, then: Callable[[PlacedOrder], None] | None) -> Callable[[PlacedOrder], None]:
        """An ``apply_all`` callback: ``placed``, then ``then``."""

        def callback(order: PlacedOrder) -> None:
            self.placed(order)
            if then is not None:
                then(order)

        return callback

    def _outcome(self, name: str, outcome: Outcome) -> None:
        path = self._paths.get(name)
        if path is None:
            return
        if self.mode == "record":
            metadata = self._sessions.metadata(path)
            if metadata is not None:
                metadata[KEY] = outcome.to_data()
            return
        try:
            check(self.recorded(name), outcome, path=str(path))
        except OutcomeChanged as exc:
            self._changed.append(exc)

    # -- the end ----------------------------------------------------------------------------------

    def close(self, error: BaseException | None = None) -> None:
        """Write the recordings (of the specs that did not fail) or check the replays; release everything.

        ``error`` is what ended the command: after ``OrdersFailed`` (some specs failed, the
        others were done) the other specs' recordings are still written; after any other
        error nothing is written and nothing more is checked.
        """
        from orderspec.orders import OrdersFailed

        partial = error is None or isinstance(error, OrdersFailed)
        try:
            if self.mode == "record":
                self._sessions.close(save=partial)
                self.written = tuple(path for path in self._used if partial and path not in self._failed)
            else:
                self._sessions.close(save=error is None)
                if error is None and self._changed:
                    raise _combined(self._changed)
        finally:
            if self._pool is not None:
                self._pool.close()

    def __enter__(self) -> OrderCassettes:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close(error)


def _combined(changed: list[OutcomeChanged]) -> OutcomeChanged:
    if len(changed) == 1:
        return changed[0]
    message = f"{len(changed)} replays end differently than recorded:\n" + "\n".join(f"  {exc.message}" for exc in changed)
    return OutcomeChanged(message, path=changed[0].path, differences=tuple(line for exc in changed for line in exc.differences))
