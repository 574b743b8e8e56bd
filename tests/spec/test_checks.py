"""One failing spec per semantic check: files, their content, countries, quantities, limits."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from orderspec.spec import validate_paths

from .conftest import (
    CTQ,
    CUSTOM_FLOW,
    SERVICE_PANEL,
    TOPHOTO,
    WriteSpec,
    only_problem,
    problems,
    where,
)

MODEL_LINE = (18, 11, "$.items[0].file")
"""Where ``file:`` of the first item is written in the CTQ base spec."""


def _ctq_with_file(write_spec: WriteSpec, file: str) -> Path:
    return write_spec(CTQ, replace=("file: models/bracket.stl", f"file: {file}"))


def test_missing_file_names_the_closest(write_spec: WriteSpec) -> None:
    problem = only_problem(_ctq_with_file(write_spec, "models/brackt.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/brackt.stl' does not exist")
    assert problem.hint == "did you mean 'bracket.stl'?"
    assert problem.code == "file.missing"


def test_absolute_path_is_refused(write_spec: WriteSpec, folder: Path) -> None:
    absolute = str(folder / "models" / "bracket.stl")
    problem = only_problem(_ctq_with_file(write_spec, absolute))
    assert where(problem) == (*MODEL_LINE, f"{absolute!r} is an absolute path")
    assert problem.hint == "write the path relative to the spec's folder"


def test_nul_character_in_a_path_is_refused(write_spec: WriteSpec) -> None:
    problem = only_problem(_ctq_with_file(write_spec, '"models/bracket\\0.stl"'))
    assert where(problem) == (*MODEL_LINE, "'models/bracket\\x00.stl' contains a NUL character")
    assert problem.code == "file.missing"


def test_parent_folder_is_refused(write_spec: WriteSpec, folder: Path) -> None:
    shutil.copy(folder / "models" / "bracket.stl", folder.parent / "outside.stl")
    problem = only_problem(_ctq_with_file(write_spec, "../outside.stl"))
    assert where(problem) == (*MODEL_LINE, "'../outside.stl' points outside the spec's folder")
    assert problem.code == "file.outside"


def test_dot_dot_that_stays_inside_is_fine(write_spec: WriteSpec) -> None:
    assert problems(_ctq_with_file(write_spec, "models/../models/bracket.stl")) == []


def test_symlink_leading_outside_is_refused(
    write_spec: WriteSpec, folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(folder / "models" / "bracket.stl", elsewhere / "secret.stl")
    (folder / "models" / "link.stl").symlink_to(elsewhere / "secret.stl")
    problem = only_problem(_ctq_with_file(write_spec, "models/link.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/link.stl' is a symbolic link that leads outside the spec's folder")


def test_symlinked_folder_leading_outside_is_refused(
    write_spec: WriteSpec, folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(folder / "models" / "bracket.stl", elsewhere / "bracket.stl")
    (folder / "shared").symlink_to(elsewhere, target_is_directory=True)
    problem = only_problem(_ctq_with_file(write_spec, "shared/bracket.stl"))
    assert where(problem) == (*MODEL_LINE, "'shared/bracket.stl' is a symbolic link that leads outside the spec's folder")


def test_symlink_inside_the_folder_is_fine(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "alias.stl").symlink_to(folder / "models" / "bracket.stl")
    assert problems(_ctq_with_file(write_spec, "models/alias.stl")) == []


def test_broken_symlink(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "dangling.stl").symlink_to(folder / "models" / "gone.stl")
    problem = only_problem(_ctq_with_file(write_spec, "models/dangling.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/dangling.stl' is a broken symbolic link")


def test_folder_instead_of_file(write_spec: WriteSpec) -> None:
    problem = only_problem(_ctq_with_file(write_spec, "models"))
    assert where(problem) == (*MODEL_LINE, "'models' is a folder")


def test_empty_file(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "empty.stl").write_bytes(b"")
    problem = only_problem(_ctq_with_file(write_spec, "models/empty.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/empty.stl' is an empty file, not a 3D model")


def test_content_is_sniffed_not_the_extension(write_spec: WriteSpec, folder: Path) -> None:
    shutil.copy(folder / "photos" / "print-2.png", folder / "models" / "fake.stl")
    problem = only_problem(_ctq_with_file(write_spec, "models/fake.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/fake.stl' is a PNG, not a 3D model")
    assert problem.hint == "3D items take binary or ASCII STL, OBJ or 3MF files"
    assert problem.code == "file.kind"


def test_unrecognised_bytes(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "notes.stl").write_text("just some notes\n")
    problem = only_problem(_ctq_with_file(write_spec, "models/notes.stl"))
    assert where(problem) == (*MODEL_LINE, "'models/notes.stl' is an unrecognised file, not a 3D model")


def test_ascii_stl_is_accepted(write_spec: WriteSpec) -> None:
    assert problems(_ctq_with_file(write_spec, "models/spacer-inch.stl")) == []


def test_ctq_takes_stl_only(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "part.obj").write_text("o part\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    problem = only_problem(_ctq_with_file(write_spec, "models/part.obj"))
    assert where(problem) == (*MODEL_LINE, "'models/part.obj' is an OBJ; CTQ accepts STL models only")
    assert problem.hint == "export the model as STL"


def test_3yourmind_takes_obj_and_3mf(write_spec: WriteSpec, folder: Path) -> None:
    (folder / "models" / "part.obj").write_text("o part\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    with zipfile.ZipFile(folder / "models" / "part.3mf", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("3D/3dmodel.model", "<model/>")
    for name in ("models/part.obj", "models/part.3mf"):
        path = write_spec(SERVICE_PANEL, replace=("file: models/bracket.stl", f"file: {name}"))
        assert problems(path) == [], name


def test_zip_that_is_not_3mf(write_spec: WriteSpec, folder: Path) -> None:
    with zipfile.ZipFile(folder / "models" / "part.3mf", "w") as archive:
        archive.writestr("readme.txt", "hello")
    path = write_spec(SERVICE_PANEL, replace=("file: models/bracket.stl", "file: models/part.3mf"))
    assert where(only_problem(path)) == (10, 11, "$.items[0].file", "'models/part.3mf' is an unrecognised file, not a 3D model")


def test_photo_must_be_an_image(write_spec: WriteSpec) -> None:
    path = write_spec(TOPHOTO, replace=("files: [photos/mug.jpg]", "files: [photos/mug.jpg, models/bracket.stl]"))
    problem = only_problem(path)
    assert where(problem) == (21, 29, "$.items[0].files[1]", "'models/bracket.stl' is a binary STL, not a JPEG or PNG image")
    assert problem.hint == "photo items take JPEG or PNG files"


def test_png_named_jpg_is_an_image(write_spec: WriteSpec, folder: Path) -> None:
    shutil.copy(folder / "photos" / "print-2.png", folder / "photos" / "really-png.jpg")
    assert problems(write_spec(TOPHOTO, replace=("photos/mug.jpg", "photos/really-png.jpg"))) == []


def test_unknown_country(write_spec: WriteSpec) -> None:
    problem = only_problem(write_spec(CTQ, replace=("country: DE", "country: XX")))
    assert where(problem) == (16, 14, "$.addresses.shipping.country", "'XX' is not an ISO 3166-1 alpha-2 country code")
    assert problem.code == "country.unknown"


def test_uk_is_not_a_country_code(write_spec: WriteSpec) -> None:
    problem = only_problem(write_spec(CTQ, replace=("country: DE", "country: UK")))
    assert problem.hint == "the United Kingdom's ISO code is 'GB'"


def test_billing_country_is_checked_too(write_spec: WriteSpec) -> None:
    billing = '  billing:\n    name: Jane Doe\n    street: Ring 2\n    zip: "1010"\n    city: Wien\n    country: OE\nitems:'
    problem = only_problem(write_spec(CTQ, replace=("items:", billing)))
    assert where(problem) == (22, 14, "$.addresses.billing.country", "'OE' is not an ISO 3166-1 alpha-2 country code")


def test_quantity_written_as_decimal(write_spec: WriteSpec) -> None:
    problem = only_problem(write_spec(CTQ, replace=("quantity: 2", "quantity: 2.0")))
    assert where(problem) == (24, 15, "$.items[0].quantity", "quantity must be a whole number, not 2.0")
    assert problem.hint == "write 2"


def test_tophoto_subcart_limit(write_spec: WriteSpec) -> None:
    extra = "".join(f'  - sku: "{1000 + n}"\n    files: [photos/mug.jpg]\n' for n in range(9))
    problem = only_problem(write_spec(TOPHOTO, replace=("shipping:\n  method", extra + "shipping:\n  method")))
    assert where(problem) == (
        19,
        1,
        "$.items",
        "10 different SKUs; to.photo splits an order into at most 9 subcarts and refuses more",
    )
    assert problem.code == "tophoto.subcarts"


def test_nine_skus_and_repeated_skus_are_fine(write_spec: WriteSpec) -> None:
    extra = "".join(f'  - sku: "{1000 + n % 8}"\n    files: [photos/mug.jpg]\n' for n in range(12))
    assert problems(write_spec(TOPHOTO, replace=("shipping:\n  method", extra + "shipping:\n  method"))) == []


def test_custom_flow_must_exist(write_spec: WriteSpec) -> None:
    problem = only_problem(write_spec(CUSTOM_FLOW, replace=("flows/custom.yaml", "flows/custm.yaml")))
    assert where(problem) == (6, 9, "$.target.flow", "flow file 'flows/custm.yaml' does not exist")
    assert problem.hint == "did you mean 'custom.yaml'?"


def test_custom_flow_takes_any_item_and_options(write_spec: WriteSpec) -> None:
    photo = '  - sku: "1"\n    files: [photos/mug.jpg]\n'
    assert problems(write_spec(CUSTOM_FLOW + photo)) == []


def test_names_must_be_unique_among_specs(write_spec: WriteSpec, folder: Path) -> None:
    write_spec(CTQ, name="a.yaml")
    write_spec(SERVICE_PANEL, name="b.yaml")
    report = validate_paths([folder])
    assert [result.valid for result in report.results] == [True, False]
    (problem,) = report.results[1].problems
    first = os.path.join(str(folder), "a.yaml")
    assert where(problem) == (4, 9, "$.metadata.name", f"the name 'test-order' is already used by {first}:4:9")
    assert problem.code == "name.duplicate"


def test_all_problems_at_once(write_spec: WriteSpec) -> None:
    text = (
        CTQ.replace("country: DE", "country: XX").replace("unit: mm", "unit: cm").replace("models/bracket.stl", "models/none.stl")
    )
    found = [(p.location.line, p.code) for p in problems(write_spec(text))]
    assert found == [(16, "country.unknown"), (18, "file.missing"), (19, "schema.enum")]
