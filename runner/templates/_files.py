"""Writing generated files into a user's repository: all or nothing, never over their own work.

A file that already holds exactly what would be written is left alone; one that holds
something else stops the whole write (nothing is written) unless ``force``. A list of
lines (``.gitignore``) is merged instead: the missing lines are appended.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orderspec.errors import UsageError


@dataclass(frozen=True)
class Lines:
    """A file of lines that belong in it, in any order among the user's own (``.gitignore``)."""

    lines: tuple[str, ...]
    header: str = ""
    """A comment written before the lines when they are added."""

    def merged(self, current: str | None) -> str | None:
        """The file with every line present; None when nothing needs adding."""
        have = set((current or "").splitlines())
        missing = [line for line in self.lines if line not in have]
        if not missing:
            return None
        start = current or ""
        if start and not start.endswith("\n"):
            start += "\n"
        block = ([self.header] if self.header else []) + missing
        return start + ("\n" if start else "") + "\n".join(block) + "\n"


Content = bytes | Lines


@dataclass(frozen=True)
class Written:
    """What became of one file: ``wrote``, ``overwrote``, ``updated`` (lines added) or ``unchanged``."""

    path: Path
    status: str


class FilesExist(UsageError):
    """Files to be written exist with other content; nothing was written."""

    def __init__(self, paths: list[Path]) -> None:
        shown = "\n".join(f"  {path}" for path in paths)
        super().__init__(
            f"{len(paths)} file{'s' if len(paths) != 1 else ''} exist{'s' if len(paths) == 1 else ''} with other content; nothing was written:\n{shown}",
            hint="move them away, or pass --force to overwrite them",
        )
        self.paths = paths


def write_files(root: Path, files: Mapping[str, Content], *, force: bool = False) -> list[Written]:
    """Write ``files`` (paths relative to ``root``, ``/``-separated) and say what became of each."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    planned: list[tuple[Path, bytes | None, str]] = []
    conflicts: list[Path] = []
    for relative, content in files.items():
        path = root.joinpath(*relative.split("/"))
        if path.is_dir():
            raise UsageError(f"{path} is a folder; a file of that name would be written there")
        current = path.read_bytes() if path.exists() else None
        if isinstance(content, Lines):
            merged = content.merged(None if current is None else current.decode("utf-8", errors="replace"))
            status = "unchanged" if merged is None else ("updated" if current is not None else "wrote")
            planned.append((path, None if merged is None else merged.encode("utf-8"), status))
        elif current is None:
            planned.append((path, content, "wrote"))
        elif current == content:
            planned.append((path, None, "unchanged"))
        else:
            conflicts.append(path)
            planned.append((path, content, "overwrote"))
    if conflicts and not force:
        raise FilesExist(conflicts)
    for path, data, _ in planned:
        if data is not None:
            _write(path, data)
    return [Written(path, status) for path, _, status in planned]


def _write(path: Path, data: bytes) -> None:
    """Through a temporary file beside it, so an interrupted write never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # as any file the user creates, not the temporary file's 0600
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
