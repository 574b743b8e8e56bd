"""apply asks whenever a person can answer, refuses when nobody can, and shows what it will send."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from orderspec.terminal import terminal_safe

ROOT = Path(__file__).resolve().parents[2]
SPEC = "specs/examples/ctq-bracket.yaml"


def _piped_output_terminal_input(*args: str, answer: bytes) -> tuple[str, str, int]:
    """Run with standard input and stderr on a terminal and stdout to a pipe (``orderspec apply ... | tee log``)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "orderspec", *args], cwd=ROOT, stdin=terminal, stdout=subprocess.PIPE, stderr=terminal
    )
    os.close(terminal)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(controller, answer)
                answered = True
            if process.poll() is not None and not ready:
                break
        assert process.stdout is not None
        out = process.stdout.read().decode()
        return seen.decode().replace("\r\n", "\n"), out, process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)


def test_apply_asks_on_a_terminal_even_when_its_output_is_piped() -> None:
    screen, out, code = _piped_output_terminal_input("apply", "--sandbox", SPEC, answer=b"n\n")
    assert code == 130
    question = screen.index("Place this order on the local sandboxes? [y/N]")
    assert 0 < screen.index("1. models/bracket.stl  x2") < question  # the plan, where the person sees it
    assert "placed " not in screen + out


def test_apply_without_a_terminal_refuses_unless_yes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orderspec", "apply", "--sandbox", SPEC], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "standard input is not a terminal" in done.stderr and "--yes" in done.stderr
    assert "placed " not in done.stdout
    confirmed = subprocess.run(
        [sys.executable, "-m", "orderspec", "apply", "--sandbox", "--yes", SPEC],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert confirmed.returncode == 0, confirmed.stderr
    assert "placed ctq-bracket: order " in confirmed.stdout


def test_control_characters_are_shown_as_escapes() -> None:
    text = "name\x1b[2K\rFAKE\u202egnp.exe\x07\n\tnext line"
    assert terminal_safe(text) == "name\\x1b[2K\\x0dFAKE\\u202egnp.exe\\x07\n\tnext line"
    assert terminal_safe("Zoë, 東京, ✓") == "Zoë, 東京, ✓"


def test_the_plan_shows_escape_sequences_escaped(tmp_path: Path) -> None:
    """A file name holding an escape sequence cannot redraw the plan a person confirms."""
    import shutil

    from orderspec.orders import plan_specs
    from orderspec.orders._render import plan_text

    folder = tmp_path / "specs"
    shutil.copytree(ROOT / "specs" / "examples" / "models", folder / "models")
    spec = folder / "bracket\x1b[2K\rplaced.yaml"
    shutil.copy(ROOT / SPEC, spec)
    text = plan_text(plan_specs([spec], sandbox=True))
    assert "\x1b" not in text and "\r" not in text
    assert "bracket\\x1b[2K\\x0dplaced.yaml" in text
