"""``--sandbox``: start the right local sandbox in-process and point the profile at it.

Each sandbox app is started once per invocation, on 127.0.0.1 on a free port (both
3YOURMIND panels share one app, as on a real instance), and stopped at the end. The
profile keeps its variants (CTQ's auth header name is passed on to the sandbox) and
runs with the sandbox's default credentials, so no account or variable is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from orderspec.orders._profiles import Profile


def sandbox_secrets(system: str) -> dict[str, str] | None:
    """The credentials ``system``'s sandbox accepts unless configured otherwise.

    They are read from the sandbox apps themselves, so the two cannot disagree.
    """
    if system == "ctq":
        from orderspec.sandbox.ctq._app import DEFAULT_ORGANIZATION

        return {"secret": DEFAULT_ORGANIZATION}
    if system in ("3yourmind-service-panel", "3yourmind-user-panel"):
        from orderspec.sandbox.threeyourmind._http import DEFAULT_TOKEN

        return {"secret": DEFAULT_TOKEN}
    if system == "tophoto":
        from orderspec.sandbox.tophoto._auth import DEFAULT_PASSWORD, DEFAULT_USERNAME

        return {"username": DEFAULT_USERNAME, "secret": DEFAULT_PASSWORD}
    return None


@dataclass
class SandboxPool:
    """Sandboxes started for one ``plan``/``apply`` run; use as a context manager."""

    _running: dict[tuple[str, str], Any] = field(default_factory=dict)

    def attach(self, profile: Profile) -> tuple[Profile, dict[str, str]]:
        """``profile`` pointed at a running sandbox of its system, and the sandbox's credentials."""
        from orderspec.sandbox import APPS

        options: dict[str, object] = {}
        if profile.system == "ctq" and profile.auth.kind == "api-key-header":
            options["auth_header"] = profile.auth.header
        key = (APPS[profile.system], repr(sorted(options.items())))
        running = self._running.get(key)
        if running is None:
            running = self._running[key] = _start(profile.system, options)
        return profile.with_sandbox(running.base_url), sandbox_secrets(profile.system) or {}

    def apps(self) -> list[Any]:
        """The running sandboxes (``base_url``, ``app``), for inspection in tests."""
        return list(self._running.values())

    def close(self) -> None:
        running, self._running = list(self._running.values()), {}
        for sandbox in running:
            sandbox.stop()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        self.close()


@contextmanager
def pool_for(sandbox: bool, given: SandboxPool | None) -> Iterator[SandboxPool | None]:
    """The caller's pool, or one started (and stopped afterwards) when ``sandbox`` asks for it."""
    if given is not None or not sandbox:
        yield given
        return
    with SandboxPool() as pool:
        yield pool


def _start(system: str, options: dict[str, object]) -> Any:
    from orderspec.sandbox import SandboxConfig, create_app
    from orderspec.sandbox._server import serve_in_thread

    return serve_in_thread(create_app(system, SandboxConfig(options=options)))
