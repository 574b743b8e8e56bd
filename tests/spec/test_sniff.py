"""File kinds are told from the bytes."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from orderspec.spec import Kind, sniff

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("models/bracket.stl", Kind.STL_BINARY),
        ("models/cube.stl", Kind.STL_BINARY),
        ("models/spacer-inch.stl", Kind.STL_ASCII),
        ("photos/mug.jpg", Kind.JPEG),
        ("photos/print-1.jpg", Kind.JPEG),
        ("photos/print-2.png", Kind.PNG),
    ],
)
def test_example_files(name: str, kind: Kind) -> None:
    assert sniff(str(EXAMPLES / name)) is kind


def test_binary_stl_whose_header_says_solid(tmp_path: Path) -> None:
    path = tmp_path / "tricky.stl"
    path.write_bytes(b"solid exported by a CAD tool".ljust(80) + struct.pack("<I", 1) + b"\x00" * 50)
    assert sniff(str(path)) is Kind.STL_BINARY


def test_binary_stl_with_wrong_triangle_count(tmp_path: Path) -> None:
    path = tmp_path / "truncated.stl"
    path.write_bytes(b"header".ljust(80) + struct.pack("<I", 5) + b"\x00" * 50)
    assert sniff(str(path)) is Kind.UNKNOWN


def test_obj_and_3mf(tmp_path: Path) -> None:
    obj = tmp_path / "part.obj"
    obj.write_text("# made by hand\nmtllib part.mtl\no part\nv 0.0 0.0 0.0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    assert sniff(str(obj)) is Kind.OBJ
    package = tmp_path / "part.3mf"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("3D/3dmodel.model", "<model/>")
    assert sniff(str(package)) is Kind.THREE_MF


def test_changed_file_is_sniffed_again(tmp_path: Path) -> None:
    path = tmp_path / "thing"
    path.write_bytes((EXAMPLES / "photos" / "print-2.png").read_bytes())
    assert sniff(str(path)) is Kind.PNG
    path.write_bytes((EXAMPLES / "photos" / "mug.jpg").read_bytes())
    assert sniff(str(path)) is Kind.JPEG
