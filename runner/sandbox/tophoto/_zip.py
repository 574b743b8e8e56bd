"""Checking the ZIP of ``/data``: is it a ZIP, are its entries intact, does it hold the payload.

NOT DOCUMENTED by to.photo, inferred here: an upload that is not a readable ZIP, or
whose entries fail their CRC check, is 422; entries must cover every ``payload[].name``
(422 naming the missing ones); entries beyond ``payload`` are accepted and recorded.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from orderspec.sandbox.tophoto._errors import ApiError


@dataclass(frozen=True)
class ZipEntry:
    name: str
    size: int
    """Uncompressed size in bytes."""


def inspect_zip(file: IO[bytes]) -> tuple[ZipEntry, ...]:
    """The file entries of the ZIP in ``file``, after checking every entry's CRC (blocking: run in a thread)."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            for info in infos:
                if info.flag_bits & 0x1:
                    raise ApiError(422, f"ZIP entry '{info.filename}' is encrypted; the payload must be a plain ZIP")
            broken = archive.testzip()
    except ApiError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise ApiError(422, "The uploaded file is not a valid ZIP archive", f"The uploaded file is not a valid ZIP archive: {exc}") from None
    if broken is not None:
        raise ApiError(422, f"ZIP entry '{broken}' is corrupt (CRC mismatch)")
    return tuple(ZipEntry(name=info.filename, size=info.file_size) for info in infos)


def check_payload(entries: Iterable[ZipEntry], payload_names: Iterable[str]) -> None:
    """422 when a name listed in the order's ``payload`` has no entry in the ZIP."""
    present = {entry.name for entry in entries}
    missing = [name for name in payload_names if name not in present]
    if missing:
        raise ApiError(
            422,
            f"The ZIP is missing payload entries: {', '.join(missing)}",
            f"ZIP entries: {', '.join(sorted(present)) or 'none'}; payload names not found: {', '.join(missing)}",
        )
