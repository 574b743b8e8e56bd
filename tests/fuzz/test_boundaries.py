"""Files outside the spec's folder are never sent; answers past the cap cost no memory beyond it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .properties import CANARY, IO_ALLOWANCE, UPLOAD_KINDS, check_oversized, check_upload
from .strategies import ESCAPES, OVERSIZED, upload_paths


@pytest.mark.parametrize("written", ESCAPES)
def test_known_escapes_send_nothing_from_outside(written: str, hostile, tmp_path) -> None:
    for kind in UPLOAD_KINDS:
        outcome = check_upload(written, kind, tmp_path, hostile.base_url, hostile.seen)
        assert outcome.ok, (kind, outcome.verdict.value, outcome.detail)


def test_generated_paths_send_nothing_from_outside(hostile, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("uploads")

    @settings(settings.get_profile("fuzz-tests"), max_examples=40)
    @given(written=upload_paths(), kind=st.sampled_from(UPLOAD_KINDS))
    def holds(written: str, kind: str) -> None:
        outcome = check_upload(written, kind, folder, hostile.base_url, hostile.seen)
        assert outcome.ok, (outcome.verdict.value, outcome.detail)

    holds()


def test_the_check_sees_a_file_that_went_out(hostile, tmp_path) -> None:
    """The canary's text sent from inside the folder is found and counted: the check is not vacuous."""
    import yaml

    from orderspec.engine import load_flow, run_flow

    from .properties import _upload_flow, canary_bytes, upload_project

    root, _ = upload_project(tmp_path / "project")
    (root / "inside.txt").write_text(CANARY)
    path = root / "upload.flow.yaml"
    path.write_text(yaml.safe_dump(_upload_flow("multipart", "inside.txt")))
    before = len(hostile.seen)
    run_flow(load_flow(path), {"target": {"base_url": hostile.base_url}, "folder": root})
    assert canary_bytes(b"".join(request.body for request in hostile.seen[before:])) == len(CANARY)


@settings(settings.get_profile("fuzz-tests"), max_examples=12)
@given(route=st.sampled_from(OVERSIZED), cap=st.sampled_from([1 << 16, 1 << 18, 1 << 20, 3 << 20]), size=st.sampled_from([10 << 20, 64 << 20]))
def test_oversized_answers_cost_no_memory_beyond_the_cap(hostile_apart: str, tmp_path_factory, route: str, cap: int, size: int) -> None:
    url = route.format(size=size, depth=size // 1000)
    outcome = check_oversized(url, cap, tmp_path_factory.mktemp("oversized"), hostile_apart)
    assert outcome.ok, (outcome.verdict.value, outcome.detail)


def test_a_compressed_answer_past_the_cap_is_not_expanded_further(hostile_apart: str, tmp_path) -> None:
    """A gzip bomb used to expand a whole megabyte past the cap, twice held while zlib built it."""
    outcome = check_oversized("/bomb?bytes=67108864", 1 << 20, tmp_path, hostile_apart)
    assert outcome.ok and outcome.figure == 0, outcome.detail
    assert IO_ALLOWANCE <= 512 << 10
