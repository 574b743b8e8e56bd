"""Settings of a sandbox: its catalogue, its credentials and the faults it injects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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
    """Only requests whose path starts with one of these are affected; empty means all."""


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
    analysis_failure: str | None = None
    """If set, analysis ends in this status (e.g. "failed") instead of "finished"."""
    strict: bool = True
    """Check requests and responses against the vendor's machine-readable spec where one exists."""
    options: dict[str, object] = field(default_factory=dict)
    """Vendor variants, e.g. {"auth_header": "organization_id"} for CTQ."""
