"""Reading a target's catalogue: its read-only catalogue flow, run with a profile's credentials.

The flow for a system comes from its descriptor (``TargetSystem.catalogue``). It is
refused unless every step only reads, and it also runs with ``stop_before="write"``, so
listing a catalogue can never create, change or place anything. Its outputs become a
``Catalogue`` value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from orderspec.catalogue._model import KINDS, NOTES, Catalogue, Entry, Section, kind_of
from orderspec.errors import Location, OrderspecError, UsageError
from orderspec.profiles import Profile, ProfileError, credentials, select_profile

if TYPE_CHECKING:
    from orderspec.engine import Clock, Event, Flow, Step
    from orderspec.orders import Prepared, SandboxPool


class NoCatalogue(UsageError):
    """The target has no catalogue flow (a custom vendor's flow, or a system without one)."""


class CatalogueFlowError(OrderspecError):
    """A catalogue flow would change something, or its outputs are not lists of names."""


@dataclass(frozen=True)
class Source:
    """Where a catalogue is read: a built-in system, the profile, its credentials and options."""

    system: str
    profile: Profile
    secrets: Mapping[str, str] = field(repr=False)
    options: Mapping[str, Any]


def source_for(prepared: Prepared) -> Source:
    """The catalogue source of a prepared spec: the same profile, credentials and options as its order flow."""
    options = prepared.target.get("options") or {}
    return Source(prepared.system, prepared.profile, prepared.secrets, dict(options))


def source_for_system(
    system: str,
    *,
    profile: str | None = None,
    profiles_file: Path | None = None,
    start: Path | None = None,
    sandboxes: SandboxPool | None = None,
) -> Source:
    """The source for ``system`` as a spec in ``start`` (default: the working folder) would run it.

    The profile is chosen as for a spec without ``target.profile``: ``profile``, else the
    one named like the system in the nearest ``orderspec.yaml``, else the embedded default.
    """
    from orderspec.targets import get

    descriptor = get(system)
    folder = (start or Path.cwd()).resolve()
    chosen = select_profile(system, profile, folder, profiles_file)
    if sandboxes is not None:
        chosen, secrets = sandboxes.attach(chosen)
    else:
        secrets = _credentials(chosen, descriptor.sandbox.secrets)
    return Source(system, chosen, secrets, dict(chosen.options))


def _credentials(profile: Profile, sandbox_secrets: Callable[[Mapping[str, str]], dict[str, str]]) -> dict[str, str]:
    """The profile's credentials; the embedded default (a local sandbox) falls back to the sandbox's own, as ``prepare`` does."""
    try:
        return credentials(profile)
    except ProfileError:
        if profile.source != "embedded default":
            raise
        return sandbox_secrets({})


def catalogue_flow_path(source: Source) -> Path:
    """The catalogue flow of ``source``'s system and API variant."""
    from orderspec.targets import get

    descriptor = get(source.system)
    path = descriptor.catalogue_flow(source.options)
    if path is None:
        raise NoCatalogue(f"{descriptor.title} has no catalogue flow", hint="its names are those its documents list")
    return path


def load_catalogue_flow(path: Path) -> Flow:
    """The flow at ``path``, refused unless every step only reads and nothing is discarded."""
    from orderspec.engine import load_flow

    flow = load_flow(path)
    for step, where in _walk(flow.steps):
        if step.effect != "read":
            raise CatalogueFlowError(
                f"step {step.name!r} has effect {step.effect}; a catalogue flow sends read requests only",
                location=where,
                hint="list names with GET requests and set steps; anything that creates or changes belongs in the order flow",
            )
    if flow.discard is not None:
        raise CatalogueFlowError("a catalogue flow has nothing to discard", location=Location(str(path), 1, 1), hint="remove its discard block")
    return flow


def _walk(steps: Iterable[Step]) -> Iterator[tuple[Step, Location]]:
    for step in steps:
        yield step, step.location
        yield from _walk(step.steps)


def read_catalogue(
    source: Source,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Clock | None = None,
    on_event: Callable[[Event], None] | None = None,
    flow: Path | None = None,
) -> Catalogue:
    """Run the catalogue flow of ``source`` (or ``flow``) with read requests only; its outputs as a ``Catalogue``.

    ``transport`` defaults to the live network; the profile's credential is applied to
    its own origin only, as for orders.
    """
    from orderspec.engine import ConnectionFailed, FlowContext, run_flow
    from orderspec.orders import make_client
    from orderspec.targets import get

    path = flow or catalogue_flow_path(source)
    loaded = load_catalogue_flow(path)
    target = {"system": source.system, "base_url": source.profile.base_url, "options": dict(source.options), "profile": source.profile.name}
    context = FlowContext(target=target, folder=path.parent)
    with _transport(transport) as sender, make_client(source.profile, source.secrets, sender) as client:
        extra: dict[str, Any] = {} if clock is None else {"clock": clock}
        try:
            result = run_flow(loaded, context, client=client, on_event=on_event, stop_before="write", redact=source.secrets.values(), **extra)
        except ConnectionFailed as exc:
            if source.profile.source != "embedded default" or exc.hint:
                raise
            port = source.profile.base_url.rsplit(":", 1)[-1]
            hint = f"add --sandbox, or start the sandbox with: orderspec sandbox serve {source.system} --port {port}"
            raise ConnectionFailed(exc.message, step=exc.step, location=exc.location, hint=hint) from None
    sections, notes = _sections(result.outputs, path)
    profile = source.profile
    return Catalogue(source.system, get(source.system).title, profile.name, profile.base_url, profile.sandbox, sections, notes)


def _transport(given: httpx.BaseTransport | None) -> AbstractContextManager[httpx.BaseTransport]:
    if given is not None:
        return _borrowed(given)
    from orderspec.orders import live

    return live(None)


@contextmanager
def _borrowed(transport: httpx.BaseTransport) -> Iterator[httpx.BaseTransport]:
    yield transport


def _sections(outputs: Mapping[str, Any], path: Path) -> tuple[tuple[Section, ...], tuple[str, ...]]:
    sections: list[Section] = []
    notes: tuple[str, ...] = ()
    for key, value in outputs.items():
        if key == NOTES:
            if not isinstance(value, list) or not all(isinstance(note, str) for note in value):
                raise CatalogueFlowError(f"{path}: output {NOTES!r} must be a list of text")
            notes = tuple(value)
            continue
        if not isinstance(value, list):
            raise CatalogueFlowError(f"{path}: output {key!r} must be a list of entries, not {type(value).__name__}")
        sections.append(Section(kind_of(key), _entries(value, key, path)))
    order = {kind.key: index for index, kind in enumerate(KINDS)}
    sections.sort(key=lambda section: order.get(section.kind.key, len(order)))
    return tuple(sections), notes


def _entries(raw: list[Any], key: str, path: Path) -> tuple[Entry, ...]:
    """Entries in the order given, each once: a name listed twice in the same scope is one name."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    entries: list[Entry] = []
    for position, item in enumerate(raw):
        if not isinstance(item, Mapping) or item.get("name") in (None, ""):
            raise CatalogueFlowError(f"{path}: output {key!r}[{position}] has no name", hint="each entry is {name, id, detail, within, fields}")
        within = {str(name): str(value) for name, value in (item.get("within") or {}).items() if value not in (None, "")}
        fields = {str(name): str(value) for name, value in (item.get("fields") or {}).items() if value not in (None, "")}
        entry = Entry(
            name=str(item["name"]),
            id=None if item.get("id") is None else str(item["id"]),
            detail=str(item.get("detail") or ""),
            within=within,
            fields=fields,
        )
        identity = (entry.name, tuple(sorted(within.items())))
        if identity not in seen:
            seen.add(identity)
            entries.append(entry)
    return tuple(entries)
