"""``--sandbox``: start the right local sandbox in-process and point the profile at it.

Each sandbox app is started once per invocation, on 127.0.0.1 on a free port (both
3YOURMIND panels share one app, as on a real instance), and stopped at the end. The
profile keeps its variants (CTQ's auth header name and API are passed on to the
sandbox) and runs with the sandbox's credentials, so no account or variable is needed.
Options that describe the target's own catalogue (to.photo's SKU list) are replaced by
the sandbox's, so a profile's production list cannot make a sandbox order fail.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any

from orderspec.profiles import Profile
from orderspec.targets import SandboxReplaced, TargetSystem, get


def sandbox_secrets(system: TargetSystem, credentials: dict[str, str] | None = None) -> dict[str, str]:
    """The credentials ``system``'s sandbox accepts (its defaults unless configured otherwise)."""
    return system.sandbox.secrets(credentials or {})


OFFLINE_URL = "http://127.0.0.1"
"""Where an offline pool's sandboxes are said to be: a cassette keeps a loopback URL without its port."""

OFFLINE_SECRET = "offline-placeholder"
"""What stands in for every credential of an offline run (a replay): nothing is sent, and a
scrubbed value in a cassette matches whatever the request holds there."""


def placeholders(profile: Profile) -> dict[str, str]:
    """Stand-ins for the credentials ``profile`` names, for a run that sends nothing."""
    if profile.auth.kind == "none":
        return {}
    secrets = {"secret": OFFLINE_SECRET}
    if profile.auth.kind == "basic":
        secrets["username"] = "offline"
    return secrets


@dataclass
class SandboxPool:
    """Sandboxes started for one ``plan``/``apply`` run; use as a context manager.

    ``offline`` starts nothing (a replay of a run recorded against the sandboxes: nothing is
    sent); ``isolated`` starts a sandbox for every spec (a recording: a spec's cassette then
    does not depend on which specs were ordered before it on a shared sandbox).
    """

    _running: dict[tuple[str, str], Any] = field(default_factory=dict)
    offline: bool = False
    isolated: bool = False

    def attach(self, profile: Profile) -> tuple[Profile, dict[str, str]]:
        """``profile`` pointed at a running sandbox of its system, and the sandbox's credentials."""
        if profile.system is None:
            raise ValueError("a custom vendor has no sandbox")
        system = get(profile.system)
        link = system.sandbox
        options = link.options(asdict(profile.auth), profile.options)
        key = (link.app, repr(sorted(options.items())) + (f"#{len(self._running)}" if self.isolated else ""))
        running = self._running.get(key)
        if running is None and not self.offline:
            running = self._running[key] = _start(link.app, options)
        defaults = system.default_profile.options() if link.replaced else {}
        replaced = {name: defaults[name] for name in link.replaced if name in defaults}
        notice = link.notice(profile.name, profile.source, profile.options, defaults)
        if notice is not None:
            warnings.warn(notice, SandboxReplaced, stacklevel=2)
        if running is None:  # offline: nothing is sent, no sandbox is needed for its credentials
            return profile.with_sandbox(OFFLINE_URL, replaced), placeholders(profile)
        return profile.with_sandbox(running.base_url, replaced), sandbox_secrets(system)

    def apps(self) -> list[Any]:
        """The running sandboxes (``base_url``, ``app``), for inspection in tests."""
        return list(self._running.values())

    def close(self) -> None:
        running, self._running = list(self._running.values()), {}
        for sandbox in running:
            sandbox.stop()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


@contextmanager
def pool_for(sandbox: bool, given: SandboxPool | None, *, offline: bool = False) -> Iterator[SandboxPool | None]:
    """The caller's pool, or one started (and stopped afterwards) when ``sandbox`` asks for it
    (an ``offline`` one for a replay)."""
    if given is not None or not sandbox:
        yield given
        return
    with SandboxPool(offline=offline) as pool:
        yield pool


def _start(app: str, options: dict[str, object]) -> Any:
    from orderspec.sandbox import SandboxConfig, create_app, serve_in_thread

    return serve_in_thread(create_app(app, SandboxConfig(options=options)))
