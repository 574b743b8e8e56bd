"""What goes wrong with a cassette, said so that the user knows what to do next."""

from __future__ import annotations

from orderspec.errors import OrderspecError

RECORD_HINT = "record it first: run with --record against a sandbox or the target (orderspec.cassettes.record from Python)"


class CassetteError(OrderspecError):
    """A cassette cannot be used."""


class CassetteNotFound(CassetteError):
    """There is no cassette file where replay looks for one."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no cassette at {path}", hint=RECORD_HINT)
        self.path = path


class CassetteUnreadable(CassetteError):
    """The file is there but is not a cassette (not YAML, or not vcrpy's structure)."""


class CassetteMismatch(CassetteError):
    """Replay was asked for a request the cassette does not hold (or holds fewer times).

    ``differences`` lists how the nearest recorded request differs, one line each.
    """

    def __init__(self, message: str, *, path: str, differences: tuple[str, ...] = (), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.differences = differences
