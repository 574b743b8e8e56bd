"""The streaming multipart reader behind to.photo's ``/data``, fed in every possible split."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from runner.sandbox.tophoto._errors import ApiError
from runner.sandbox.tophoto._multipart import FilePart, boundary_of, read_file_part

BOUNDARY = b"----orderspec7MA4YWxkTrZu0gW"
ZIP_BYTES = b"PK\x03\x04" + bytes(range(256)) + b"\r\n--not-the-boundary\r\n" + b"\r\n" * 3


def body(*parts: tuple[bytes, bytes], preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    out = preamble
    for head, data in parts:
        out += b"--" + BOUNDARY + b"\r\n" + head + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--" + BOUNDARY + b"--\r\n" + epilogue


async def _chunks(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def read(pieces: list[bytes], max_bytes: int = 1 << 20, spool_bytes: int = 1 << 20) -> FilePart | None:
    return asyncio.run(read_file_part(_chunks(pieces), BOUNDARY, "file", max_bytes=max_bytes, spool_bytes=spool_bytes))


def content(part: FilePart | None) -> bytes:
    assert part is not None
    with part.file:
        return part.file.read()


FULL = body(
    (b'Content-Disposition: form-data; name="note"', b"first the note"),
    (b'Content-Disposition: form-data; name="file"; filename="order.zip"\r\nContent-Type: application/zip', ZIP_BYTES),
    preamble=b"This is the preamble.\r\n",
    epilogue=b"and an epilogue",
)


def test_every_split_point_gives_the_same_part() -> None:
    for cut in range(len(FULL) + 1):
        part = read([FULL[:cut], FULL[cut:]])
        assert part is not None and part.filename == "order.zip" and part.content_type == "application/zip"
        assert part.size == len(ZIP_BYTES)
        assert content(part) == ZIP_BYTES, f"split at {cut}"


def test_byte_by_byte_and_spooled_to_disk() -> None:
    part = read([FULL[i : i + 1] for i in range(len(FULL))], spool_bytes=16)
    assert content(part) == ZIP_BYTES


def test_a_body_without_the_part_gives_none() -> None:
    assert read([body((b'Content-Disposition: form-data; name="zip"', ZIP_BYTES))]) is None
    assert read([body((b"", b"no headers at all"))]) is None


@pytest.mark.parametrize(
    "raw",
    [
        FULL[: len(FULL) // 2],  # cut off
        b"--" + BOUNDARY + b"\r\nno colon here\r\n\r\ndata\r\n--" + BOUNDARY + b"--",
        b"--" + BOUNDARY + b"garbage\r\n",
        b"nothing that looks like multipart",
        b"",
    ],
    ids=["truncated", "bad header", "garbage after boundary", "no boundary", "empty"],
)
def test_malformed_bodies_are_400(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        read([raw])
    assert caught.value.status == 400


def test_the_size_limit_holds_while_streaming() -> None:
    with pytest.raises(ApiError) as caught:
        read([FULL[:100], FULL[100:]], max_bytes=150)
    assert caught.value.status == 413


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("multipart/form-data; boundary=abc", b"abc"),
        ('multipart/mixed; charset=utf-8; boundary="a b:c"', b"a b:c"),
        ("Multipart/Form-Data;BOUNDARY=x", b"x"),
    ],
)
def test_boundary_of(header: str, expected: bytes) -> None:
    assert boundary_of(header) == expected


@pytest.mark.parametrize("header", ["application/zip", "", "multipart/form-data", "multipart/form-data; boundary="])
def test_boundary_of_refuses(header: str) -> None:
    with pytest.raises(ApiError) as caught:
        boundary_of(header)
    assert caught.value.status == 400
