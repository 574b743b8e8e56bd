"""import-http ends quickly on any input: special files, huge files, pathological lines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from orderspec.httpfile import HttpFileError, convert, parse_http, parse_http_file


def _import(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orderspec", "import-http", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_a_device_is_refused_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    done = _import("/dev/zero", cwd=tmp_path)
    assert done.returncode == 2 and "/dev/zero is not a regular file" in done.stderr
    assert time.monotonic() - started < 30
    with pytest.raises(HttpFileError, match="not a regular file"):
        parse_http_file("/dev/zero")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "requests.http"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(HttpFileError, match="not a regular file"):
        parse_http_file(fifo)
    done = _import(str(fifo), cwd=tmp_path)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    assert time.monotonic() - started < 30


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.http"
    big.write_text("GET https://x.test/" + "a" * (2 << 20) + "\n")
    done = _import(str(big), cwd=tmp_path)
    assert done.returncode == 1 and "larger than 1048576 is not read" in done.stderr and "Traceback" not in done.stderr


def test_a_huge_request_line_within_the_limit_ends_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "line.http"
    path.write_text("POST https://x.test/a" + " " * 1_000_000 + "b HTTP/1.1\n")
    started = time.monotonic()
    done = _import(str(path), cwd=tmp_path)
    assert time.monotonic() - started < 30
    assert done.returncode == 1 and "holds no request a flow can send" in done.stderr, done.stderr


PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "blanks in a request line": lambda n: "GET /a" + " " * n + "x\n",
    "blanks in a header": lambda n: "GET https://x.test/a\nX-H: a" + " " * n + "b\n",
    "blanks in a variable": lambda n: "@v = a" + " " * n + "b\nGET https://x.test/a\n",
    "blanks in a tag": lambda n: "# @name a" + " " * n + "b\nGET https://x.test/a\n",
    "blanks in a file line": lambda n: "POST https://x.test/a\n\n< ./a" + " " * n + "b\n",
    "an unclosed reference": lambda n: "GET https://x.test/{{" + " " * n + "x\n",
    "references without end": lambda n: "GET https://x.test/a\nX-H: " + "{{ " * (n // 3) + "\n",
    "many headers": lambda n: "GET https://x.test/a\n" + "X-H: y\n" * (n // 7),
    "many requests": lambda n: "###\nGET https://x.test/a\n" * (n // 24),
    "an unclosed script": lambda n: "GET https://x.test/a\n\n> {%" + " client.global.set('a', 1);\n" * (n // 30),
    "a long body": lambda n: "POST https://x.test/a\nContent-Type: application/json\n\n" + '{"a": "' + "x" * n + '"}\n',
}


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(5):  # CPU time, best of five: other processes on the machine do not count
        started = time.process_time()
        try:
            convert(parse_http(text, "bench.http"))
        except HttpFileError:
            pass
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_parsing_and_converting_stay_linear(name: str) -> None:
    """Ten times the input takes well under forty times as long (a quadratic parser takes about a hundred)."""
    make = PATHOLOGICAL[name]
    small, large = _seconds(make(10_000)), _seconds(make(100_000))
    assert large < 40 * max(small, 0.002), (name, small, large)
