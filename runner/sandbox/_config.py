"""Settings of a sandbox: its catalogue, its credentials and the faults it injects."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from orderspec._yaml import load_yaml
from orderspec.errors import OrderspecError


@dataclass(frozen=True)
class FaultConfig:
    """Misbehaviour to inject, deterministic for a given ``seed``.

    Rates are probabilities per request (0.0 to 1.0). ``lost_response_rate`` is the
    nasty one: the request is carried out, then the connection is dropped before the
    answer, which is what makes naive retries place an order twice.
    """

    seed: int = 0
    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 503)
    drop_rate: float = 0.0
    lost_response_rate: float = 0.0
    paths: tuple[str, ...] = ()
    """Only requests whose path starts with one of these (or matches it, if it holds ``*``) are affected; empty means all.

    A pattern may name a method first, as ``/_sandbox/requests`` does (``POST /v1/orders``,
    ``POST /orders/*/place-order``): it then matches that method and the whole path, so a
    creating request can be picked without the reads and writes below it.
    """
    lost_response_paths: tuple[str, ...] = ()
    """Lost responses only on requests matching one of these patterns (as ``paths``); empty means every affected request.

    Losing the answer of a read or an idempotent write is a mere retry; losing that of a
    request that creates something is what a client must read back, so a soak aims it there
    while errors and drops stay on every request.
    """

    def __post_init__(self) -> None:
        # NaN compares false with everything: unchecked, a NaN rate would silently inject nothing
        for name in ("latency_ms", "error_rate", "drop_rate", "lost_response_rate"):
            value = getattr(self, name)
            rate = name.endswith("_rate")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= (1 if rate else math.inf):
                bounds = "between 0 and 1" if rate else "at least 0"
                raise SandboxConfigError(f"faults.{name} must be a number {bounds}, not {value!r}")


@dataclass(frozen=True)
class SandboxConfig:
    """What one sandbox instance is set up with; every field has a working default."""

    catalogue: Path | None = None
    """YAML catalogue replacing the built-in one."""
    credentials: dict[str, str] = field(default_factory=dict)
    """Accepted credentials, per vendor (e.g. {"token": ...} or {"username": ..., "password": ...})."""
    faults: FaultConfig = field(default_factory=FaultConfig)
    analysis_seconds: float = 0.0
    """How long a model's analysis or slicing takes before it is finished."""
    analysis_polls: int = 2
    """How many status reads of an uploaded model answer "in progress" before it is finished (3YOURMIND).

    Counted in requests, not seconds, so a flow that orders without polling fails even on an instant clock.
    """
    analysis_failure: str | None = None
    """If set, analysis ends in this status (e.g. "failed") instead of "finished"."""
    strict: bool = True
    """Check requests and responses against the vendor's machine-readable spec where one exists."""
    documented_only: bool = False
    """Answer only the response fields a vendor document attests; every invented field is left out."""
    options: dict[str, object] = field(default_factory=dict)
    """Vendor variants, e.g. {"auth_header": "organization_id"} for CTQ."""


class SandboxConfigError(OrderspecError):
    """A sandbox configuration file does not describe a ``SandboxConfig``."""

    exit_code = 2


_PATTERN = re.compile(r"(?:[A-Z]+ )?/\S*")
_FAULT_FIELDS = {f.name: f for f in fields(FaultConfig)}
_CONFIG_FIELDS = {f.name: f for f in fields(SandboxConfig)}


def load_config(path: str | Path) -> SandboxConfig:
    """Read a YAML file whose keys are ``SandboxConfig`` fields (``faults`` a mapping of ``FaultConfig``).

    Example::

        analysis_seconds: 2
        analysis_polls: 3
        options: {auth_header: organization_id}
        faults: {seed: 7, error_rate: 0.1, error_statuses: [503], paths: [/orders]}
    """
    document = load_yaml(path)
    try:
        return config_from_mapping(document.data, base=Path(path).resolve().parent)
    except _Invalid as exc:
        raise SandboxConfigError(exc.message, location=document.locate(exc.path, key=True), hint=exc.hint) from None


def config_from_mapping(data: Any, base: Path | None = None) -> SandboxConfig:
    """A ``SandboxConfig`` from plain data; a relative ``catalogue`` path is taken from ``base``."""
    _expect(data, dict, (), "a mapping of sandbox settings")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _CONFIG_FIELDS:
            raise _Invalid(f"unknown sandbox setting {key!r}", (key,), "known: " + ", ".join(_CONFIG_FIELDS))
        if key == "faults":
            values[key] = _faults(value)
        elif key == "catalogue":
            _expect(value, str, (key,), "a file path")
            catalogue = Path(value).expanduser()
            values[key] = catalogue if catalogue.is_absolute() or base is None else base / catalogue
        elif key == "credentials":
            values[key] = _credentials(value)
        elif key == "options":
            _expect(value, dict, (key,), "a mapping")
            values[key] = dict(value)
        elif key == "analysis_seconds":
            values[key] = _number(value, (key,), minimum=0.0)
        elif key == "analysis_polls":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _Invalid(f"analysis_polls must be a whole number of status reads (0 or more), not {value!r}", (key,))
            values[key] = value
        elif key == "analysis_failure":
            if value is not None:
                _expect(value, str, (key,), "a status name such as failed")
            values[key] = value
        elif key in ("strict", "documented_only"):
            _expect(value, bool, (key,), "true or false")
            values[key] = value
    return SandboxConfig(**values)


def _credentials(data: Any) -> dict[str, str]:
    """Credentials as text: the apps compare them with header values, so ``token: 12345`` must mean "12345"."""
    _expect(data, dict, ("credentials",), "a mapping")
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _Invalid(f"credentials.{name} must be text, not {value!r}", ("credentials", name), "put it in quotes")
    return {str(name): str(value) for name, value in data.items()}


def _faults(data: Any) -> FaultConfig:
    _expect(data, dict, ("faults",), "a mapping of fault settings")
    values: dict[str, Any] = {}
    for key, value in data.items():
        path = ("faults", key)
        if key not in _FAULT_FIELDS:
            raise _Invalid(f"unknown fault setting {key!r}", path, "known: " + ", ".join(_FAULT_FIELDS))
        if key == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Invalid("seed must be an integer", path)
            values[key] = value
        elif key == "latency_ms":
            values[key] = _number(value, path, minimum=0.0)
        elif key.endswith("_rate"):
            values[key] = _number(value, path, minimum=0.0, maximum=1.0)
        elif key == "error_statuses":
            statuses = value if isinstance(value, list) else [value]
            if not statuses or any(isinstance(s, bool) or not isinstance(s, int) or not 400 <= s <= 599 for s in statuses):
                raise _Invalid("error_statuses must list HTTP error statuses (400-599)", path, "e.g. [500, 503]")
            values[key] = tuple(statuses)
        elif key in ("paths", "lost_response_paths"):
            prefixes = value if isinstance(value, list) else [value]
            if any(not isinstance(p, str) or not _PATTERN.fullmatch(p) for p in prefixes):
                raise _Invalid(f"{key} must list path prefixes starting with /, each optionally after a method", path, "e.g. [/orders, POST /v1/orders]")
            values[key] = tuple(prefixes)
    rates = sum(values.get(name, 0.0) for name in ("error_rate", "drop_rate", "lost_response_rate"))
    if rates > 1.0:
        raise _Invalid(f"error_rate, drop_rate and lost_response_rate add up to {rates:g}; at most 1", ("faults",))
    return FaultConfig(**values)


class _Invalid(Exception):
    def __init__(self, message: str, path: tuple[str, ...], hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.path, self.hint = message, path, hint


def _expect(value: Any, kind: type, path: tuple[str, ...], what: str) -> None:
    if not isinstance(value, kind):
        raise _Invalid(f"{'.'.join(path) or 'the file'} must be {what}, not {type(value).__name__}", path)


def _number(value: Any, path: tuple[str, ...], minimum: float, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid(f"{'.'.join(path)} must be a number, not {value!r}", path)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        raise _Invalid(f"{'.'.join(path)} must be {bounds}, not {value!r}", path)
    return float(value)
