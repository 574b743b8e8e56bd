"""What apply shows while it runs, and the per-profile variants it honours."""

from __future__ import annotations

import io
import re

import httpx

from orderspec.orders import Runtime, apply_specs
from orderspec.orders._render import ApplyProgress, placed_text
from orderspec.sandbox import SandboxConfig

from .conftest import placed_orders, profile_for, write_profiles


def test_progress_shows_steps_upload_bytes_and_the_wait_for_analysis(specs, sandbox, sandbox_env) -> None:
    running = sandbox("3yourmind-service-panel", SandboxConfig(analysis_seconds=1.2))
    spec = specs("3yourmind-service-panel")
    write_profiles(spec.parent, {"3yourmind-service-panel": profile_for("3yourmind-service-panel", running.base_url)})
    stream = io.StringIO()
    [placed] = apply_specs([spec], runtime=Runtime(events=ApplyProgress(stream, live=False)))
    text = stream.getvalue()
    assert text.startswith(f"apply 3yd-service-panel-bracket ({spec}) on 3yourmind-service-panel at {running.base_url} (profile 3yourmind-service-panel)\n")
    assert "wait  lines[0]/wait for analysis: analysis not finished yet (poll 1)" in text
    sent = int(re.search(r"lines\[0\]/upload: uploaded ([\d,]+) bytes", text).group(1).replace(",", ""))
    model = (spec.parent / "models" / "bracket.stl").stat().st_size
    assert model < sent < model + 1024  # the model plus the multipart framing and fields
    assert "ok    place order  POST " in text
    assert "sandbox-token" not in text
    assert placed_text(placed) == f"placed 3yd-service-panel-bracket: order SO-9001 for 115.31 EUR on 3yourmind-service-panel at {running.base_url} (profile 3yourmind-service-panel)"


def test_user_panel_upload_path_comes_from_the_profile(specs, sandbox, sandbox_env) -> None:
    running = sandbox("3yourmind-user-panel")
    spec = specs("3yourmind-user-panel")
    profile = profile_for("3yourmind-user-panel", running.base_url, options={"upload_path": "/upload/"})
    write_profiles(spec.parent, {"3yourmind-user-panel": profile})
    apply_specs([spec])
    counts = httpx.get(f"{running.base_url}/_sandbox/requests").json()
    uploads = {key: count for key, count in counts.items() if "/upload/" in key or "/files/" in key}
    assert uploads == {"POST /upload/": 2}
    assert len(placed_orders(running.base_url)) == 1


def test_a_named_profile_from_the_spec(specs, sandbox, sandbox_env) -> None:
    running = sandbox("tophoto")

    def named(data: dict) -> None:
        data["target"]["profile"] = "shop-a"

    spec = specs("tophoto", named)
    write_profiles(spec.parent, {"tophoto": profile_for("tophoto", "http://127.0.0.1:9"), "shop-a": profile_for("tophoto", running.base_url)})
    [placed] = apply_specs([spec])
    assert placed.profile == "shop-a"
    assert [str(o["orderId"]) for o in placed_orders(running.base_url)] == [placed.order_number]


def test_profiles_file_and_profile_given_explicitly(specs, sandbox, sandbox_env, tmp_path) -> None:
    running = sandbox("ctq")
    spec = specs("ctq")
    (tmp_path / "elsewhere").mkdir()
    elsewhere = write_profiles(tmp_path / "elsewhere", {"lab": profile_for("ctq", running.base_url)})
    [placed] = apply_specs([spec], profiles_file=elsewhere, profile="lab")
    assert (placed.profile, placed.base_url) == ("lab", running.base_url)
    assert [o["order_number"] for o in placed_orders(running.base_url)] == [placed.order_number]
