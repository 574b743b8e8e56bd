"""One cassette per spec for a whole command, however often the spec's flow runs in it.

``orderspec apply`` runs a spec's flow more than once (the plan's reads, then the rest),
and each run opens its transport anew. ``Sessions`` hands every run of the same spec the
same recording (or replay), and writes each recording once, at the end, if no run of
its spec failed. A runtime's transport factory then is one line:

    with Sessions("record") as sessions:
        runtime = Runtime(transport=lambda prepared: sessions.open(path_of(prepared), inner=lambda: live(prepared), **scrub))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

from orderspec.cassettes._scrub import Scrubber
from orderspec.cassettes._transport import RecordingTransport, ReplayTransport

Mode = Literal["record", "replay"]


class Sessions:
    """Recordings or replays keyed by cassette path, kept open until ``close()``.

    ``open(path, ...)`` returns a context manager giving the transport of ``path``,
    the same one each time. A recording whose block ever raised is not written. With
    ``strict`` replay, ``close()`` also checks that every recorded request was sent.
    """

    def __init__(self, mode: Mode, *, strict: bool = False) -> None:
        if mode not in ("record", "replay"):
            raise ValueError("mode must be 'record' or 'replay'")
        self.mode = mode
        self.strict = strict
        self._stack = ExitStack()
        self._transports: dict[Path, RecordingTransport | ReplayTransport] = {}
        self._failed: set[Path] = set()

    def open(
        self,
        path: str | PathLike[str],
        *,
        inner: Callable[[], AbstractContextManager[httpx.BaseTransport]] | None = None,
        secrets: Iterable[str] = (),
        pairs: Iterable[tuple[str, str]] = (),
        secret_headers: Iterable[str] = (),
        secret_params: Iterable[str] = (),
    ) -> AbstractContextManager[httpx.BaseTransport]:
        """The transport of the cassette at ``path``; ``inner`` opens the real one (recording only), once."""
        key = Path(path).resolve()
        transport = self._transports.get(key)
        if transport is None:
            scrubber = Scrubber(secrets, pairs=pairs, headers=secret_headers, params=secret_params)
            if self.mode == "record":
                if inner is None:
                    raise ValueError("recording needs inner: the transport the requests really go through")
                transport = RecordingTransport(path, self._stack.enter_context(inner()), scrubber)
            else:
                transport = ReplayTransport(path, scrubber)
            self._transports[key] = transport
        return self._use(key, transport)

    def metadata(self, path: str | PathLike[str]) -> dict[str, Any] | None:
        """The metadata of the cassette opened at ``path``, None if it was not opened.

        A recording writes what this dict holds when it is saved (set it before ``close()``);
        a replay's holds what the recording kept.
        """
        transport = self._transports.get(Path(path).resolve())
        return None if transport is None else transport.metadata

    @contextmanager
    def _use(self, key: Path, transport: httpx.BaseTransport) -> Iterator[httpx.BaseTransport]:
        try:
            yield transport
        except BaseException:
            self._failed.add(key)
            raise

    def close(self, *, save: bool = True) -> None:
        """Write every recording none of whose runs failed (unless ``save`` is false); release the real transports."""
        transports, self._transports = self._transports, {}
        try:
            for key, transport in transports.items():
                if not save or key in self._failed:
                    continue
                if isinstance(transport, RecordingTransport):
                    transport.save()
                elif self.strict:
                    transport.check_all_played()
        finally:
            with contextlib.suppress(Exception):
                self._stack.close()

    def __enter__(self) -> Sessions:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close(save=kind is None)
