"""A small, strict ``multipart/form-data`` reader (RFC 7578) for the upload endpoints.

The body is already in memory (it is size-limited before), so splitting on the
boundary is all that is needed; this keeps the sandbox free of a form-parsing
dependency. Anything malformed raises ``MultipartError`` with a reason DRF-style
clients can show.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def boundary_of(content_type: str) -> bytes:
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise MultipartError(f"Invalid boundary in multipart: {boundary if isinstance(boundary, str) else None}")
    return boundary.encode("latin-1", "replace")


def _disposition(value: str) -> tuple[str | None, str | None]:
    message = Message()
    message["content-disposition"] = value
    if message.get_content_disposition() != "form-data":
        raise MultipartError("Invalid Content-Disposition in multipart part")
    name = message.get_param("name", header="content-disposition")
    filename = message.get_filename()
    return (name if isinstance(name, str) else None), filename


def parse(content_type: str, body: bytes) -> list[Part]:
    delimiter = b"--" + boundary_of(content_type)
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartError("Multipart body does not end with its closing boundary")
    parts: list[Part] = []
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise MultipartError("Malformed multipart part")
        head, separator, data = chunk[2:-2].partition(b"\r\n\r\n")
        if not separator:
            raise MultipartError("Multipart part without a blank line after its headers")
        headers: dict[str, str] = {}
        for raw in head.split(b"\r\n"):
            key, colon, value = raw.decode("utf-8", "replace").partition(":")
            if not colon:
                raise MultipartError("Malformed multipart part header")
            headers[key.strip().lower()] = value.strip()
        name, filename = _disposition(headers.get("content-disposition", ""))
        if not name:
            raise MultipartError("Multipart part without a name")
        parts.append(Part(name=name, filename=filename, content_type=headers.get("content-type"), data=data))
    return parts
