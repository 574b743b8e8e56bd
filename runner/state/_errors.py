"""Errors of the state store, each with what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orderspec.errors import OrderspecError

if TYPE_CHECKING:
    from orderspec.state._lease import Lease


class StateError(OrderspecError):
    """The state store cannot do what was asked (base of every state error)."""


class StateUnavailable(StateError):
    """The state cannot be reached or opened: a server down, a folder not writable."""


class StateFormatError(StateError):
    """The state exists but is not orderspec's, or was written by a newer orderspec."""


class Locked(StateError):
    """Another live process is working on the spec; ``holder`` says who and since when."""

    def __init__(self, name: str, profile: str, holder: Lease | None) -> None:
        who = holder.describe() if holder else "another orderspec process (its details are not readable)"
        super().__init__(
            f"{name} (profile {profile}) is being worked on by {who}",
            hint="try again when it has finished; apply --wait SECONDS waits for it",
        )
        self.name = name
        self.profile = profile
        self.holder = holder


class RecordNotFound(StateError):
    """No record for the spec name (and profile) asked for."""

    def __init__(self, name: str, profile: str | None) -> None:
        where = f" (profile {profile})" if profile else ""
        super().__init__(f"no state recorded for {name}{where}", hint="'orderspec state list' shows what is recorded")
        self.name = name
        self.profile = profile


class AmbiguousName(StateError):
    """The spec name is recorded under several profiles and none was chosen."""

    exit_code = 2

    def __init__(self, name: str, profiles: Sequence[str]) -> None:
        super().__init__(
            f"{name} is recorded under {len(profiles)} profiles: {', '.join(profiles)}",
            hint="choose one with --profile",
        )
        self.name = name
        self.profiles = tuple(profiles)


class NotUncertain(StateError):
    """``resolve`` was asked to settle a record that is not ``uncertain``."""
