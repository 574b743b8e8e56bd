"""Running ``orderspec`` in-process as a user would: through ``main``, so exit codes and error output are the real ones."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from orderspec.cli import main


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@contextmanager
def _cwd(folder: Path | None) -> Iterator[None]:
    before = Path.cwd()
    if folder is not None:
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def orderspec(*args: str, cwd: Path | None = None, env: Mapping[str, str | None] | None = None, input: str | None = None, color: bool = False) -> Ran:
    """``orderspec ARGS`` with CliRunner's captured streams; ``color`` lets styles through as on a terminal."""
    runner = CliRunner()
    code = 0
    with _cwd(cwd), runner.isolation(input=input, env=env, color=color) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Ran(code, stdout, stderr)
