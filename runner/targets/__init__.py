"""Target systems: one registered descriptor per built-in system.

Everything specific to a built-in system lives in its descriptor: its flow (and the
variants a profile may choose), its embedded default profile, the rules a spec for it
must follow beyond the schema, how its local sandbox is started and logged into, its
catalogue and status flows, and its part of the order-spec schema
(``<system>.schema.json`` beside the descriptors; ``python -m orderspec.targets`` composes
the shipped schema from them). The rest of orderspec asks the registry, never
``if system == ...``. Adding a system means adding one module here with its schema part,
its flow in ``runner/flows/`` and its sandbox in ``runner/sandbox/``.

Descriptors are plain data and import nothing heavy: ``validate`` reads the spec rules
without loading httpx or the sandboxes.
"""

from __future__ import annotations

import importlib
from functools import cache

from orderspec.errors import UsageError
from orderspec.targets._descriptor import DefaultProfile, SandboxLink, SandboxReplaced, SkuLimit, SpecRules, TargetSystem

__all__ = ["DefaultProfile", "SandboxLink", "SandboxReplaced", "SkuLimit", "SpecRules", "TargetSystem", "UnknownSystem", "get", "names", "systems"]

# module per group of systems; each defines ``SYSTEMS: tuple[TargetSystem, ...]``
_MODULES = ("orderspec.targets.ctq", "orderspec.targets.threeyourmind", "orderspec.targets.tophoto")


class UnknownSystem(UsageError):
    """A spec or profile names a system orderspec has no descriptor for."""

    exit_code = 1


@cache
def systems() -> dict[str, TargetSystem]:
    """Every registered system by name, in registration order."""
    found: dict[str, TargetSystem] = {}
    for module in _MODULES:
        for system in importlib.import_module(module).SYSTEMS:
            found[system.name] = system
    return found


def names() -> tuple[str, ...]:
    return tuple(systems())


def get(name: str) -> TargetSystem:
    """The descriptor of ``name``; ``UnknownSystem`` lists the known ones."""
    try:
        return systems()[name]
    except KeyError:
        raise UnknownSystem(
            f"unknown target system {name!r}",
            hint=f"choose one of {', '.join(systems())}, or describe the vendor with a flow file (target.flow)",
        ) from None
