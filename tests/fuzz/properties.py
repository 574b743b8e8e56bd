"""What must hold for any input, as pure functions: an input in, a ``Verdict`` out.

Each function runs one input through orderspec in this process, the way a user meets it
(``orderspec validate`` and ``import-http`` through the CLI's ``main``, flows through
``load_flow`` and ``run_flow``, orders through ``orderspec apply`` against a hostile
loopback server), and says whether it held. The tests assert every verdict is ``OK``;
the bench counts the others.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml
from click.testing import CliRunner

from orderspec.cli import EXIT_INTERNAL, main
from orderspec.engine import FlowError, load_flow, run_flow
from orderspec.errors import Location, OrderspecError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"


class Verdict(StrEnum):
    OK = "ok"
    TRACEBACK = "traceback"
    UNLOCATED = "unlocated error"
    ESCAPED = "escaped"
    HUNG = "hung"
    LEAKED = "secret leaked"
    OUTSIDE = "file read outside the root"
    OVER_CAP = "memory above the cap"


@dataclass(frozen=True)
class Outcome:
    """A verdict, what it rests on, and a figure where the check measures one (bytes)."""

    verdict: Verdict
    detail: str = ""
    figure: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK


OK = Outcome(Verdict.OK)


# -- running the CLI in this process ------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def orderspec(*args: str, cwd: Path, env: Mapping[str, str | None] | None = None) -> Ran:
    """``orderspec ARGS`` through ``main``, so the exit code and error output are the real ones."""
    runner = CliRunner()
    code = 0
    with _cwd(cwd), runner.isolation(env=env) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        stdout, stderr = out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")
    return Ran(code, stdout, stderr)


def _crashed(ran: Ran) -> Outcome | None:
    if ran.code == EXIT_INTERNAL or "Traceback (most recent call last)" in ran.stdout + ran.stderr:
        return Outcome(Verdict.TRACEBACK, (ran.stderr or ran.stdout)[-400:])
    return None


# -- locations ----------------------------------------------------------------------------------

_LOCATED = re.compile(r"^(?:error: )?(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+): ")


_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Line breaks as YAML (and the .http parser, and editors) count them: CRLF, CR, LF, NEL, LS, PS."""


def _line_count(file: str, cwd: Path) -> int | None:
    path = Path(file) if os.path.isabs(file) else cwd / file
    try:
        text = path.read_bytes().decode("utf-8", "replace") if path.is_file() else None
        return None if text is None else len(_BREAKS.findall(text)) + 1
    except OSError:
        return None


def _valid(file: str, line: int, column: int, cwd: Path) -> bool:
    """A location a user can go to: a file that exists and a line within it."""
    lines = _line_count(file, cwd)
    return bool(file) and line >= 1 and column >= 1 and lines is not None and line <= lines + 1


def _location_ok(location: Location | None, cwd: Path) -> bool:
    return location is not None and _valid(location.file, location.line, location.column, cwd)


# -- sources: specs, flows, profiles, .http files --------------------------------------------------


def prepare_project(folder: Path) -> Path:
    """``folder`` with the example specs' model and photo files, as a spec's folder has them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("models", "photos"):
        if not (folder / name).exists():
            shutil.copytree(EXAMPLES / name, folder / name)
    return folder


def _validate_outcome(ran: Ran, cwd: Path) -> Outcome:
    crashed = _crashed(ran)
    if crashed:
        return crashed
    if ran.code not in (0, 1):
        return Outcome(Verdict.UNLOCATED, f"exit {ran.code}: {ran.stderr[-300:]}")
    try:
        report = json.loads(ran.stdout)
    except ValueError:
        # the command ended with an error of its own: it must say where
        first = ran.stderr.strip().splitlines()[:1]
        match = _LOCATED.match(first[0]) if first else None
        if match and _valid(match["file"], int(match["line"]), int(match["column"]), cwd):
            return OK
        return Outcome(Verdict.UNLOCATED, ran.stderr[-300:])
    for spec in report["specs"]:
        for problem in spec["problems"]:
            if not _valid(problem["file"], problem["line"], problem["column"], cwd):
                return Outcome(Verdict.UNLOCATED, json.dumps(problem)[:300])
    if ran.code == 1 and report["valid"]:
        return Outcome(Verdict.UNLOCATED, "exit 1 without a problem")
    return OK


def check_spec_text(text: bytes, folder: Path) -> Outcome:
    """``orderspec validate`` of a spec holding ``text``: accepted, or refused with every problem located."""
    path = prepare_project(folder) / "spec.yaml"
    path.write_bytes(text)
    ran = orderspec("validate", "--format", "json", "spec.yaml", cwd=folder)
    return _validate_outcome(ran, folder)


def check_profiles_text(text: bytes, folder: Path) -> Outcome:
    """``orderspec validate`` of an example spec beside an ``orderspec.yaml`` holding ``text``."""
    prepare_project(folder)
    shutil.copyfile(EXAMPLES / "ctq-bracket.yaml", folder / "spec.yaml")
    (folder / "orderspec.yaml").write_bytes(text)
    try:
        return _validate_outcome(orderspec("validate", "--format", "json", "spec.yaml", cwd=folder), folder)
    finally:
        (folder / "orderspec.yaml").unlink()


def check_flow_text(text: bytes, folder: Path) -> Outcome:
    """``load_flow`` of a flow holding ``text`` (what validate, plan and apply do): a flow, or a located error."""
    path = prepare_project(folder) / "flow.yaml"
    path.write_bytes(text)
    try:
        load_flow(path)
    except OrderspecError as exc:
        return OK if _location_ok(exc.location, folder) else Outcome(Verdict.UNLOCATED, str(exc)[:300])
    except Exception as exc:  # noqa: BLE001 - anything else is the finding
        return Outcome(Verdict.TRACEBACK, f"{type(exc).__name__}: {exc}"[:300])
    return OK


_WARNING = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+): warning: ")


def check_http_text(text: bytes, folder: Path) -> Outcome:
    """``orderspec import-http`` of a file holding ``text``: a flow that loads, or an error naming the file.

    Every warning names a line of the file; the flow written must load.
    """
    source = prepare_project(folder) / "requests.http"
    source.write_bytes(text)
    target = folder / "imported.yaml"
    target.unlink(missing_ok=True)
    ran = orderspec("import-http", "requests.http", "-o", "imported.yaml", cwd=folder)
    crashed = _crashed(ran)
    if crashed:
        return crashed
    if ran.code != 0:
        first = ran.stderr.strip().splitlines()[-1:] if ran.stderr.strip() else []
        named = bool(first) and first[0].startswith(("error: requests.http", f"error: {source}"))
        return OK if ran.code == 1 and named else Outcome(Verdict.UNLOCATED, f"exit {ran.code}: {ran.stderr[-300:]}")
    lines = _line_count(str(source), folder) or 1
    for line in ran.stderr.splitlines():
        match = _WARNING.match(line)
        if match and not 1 <= int(match["line"]) <= lines:
            return Outcome(Verdict.UNLOCATED, line[:300])
    return check_flow_file(target, folder)


def check_flow_file(path: Path, folder: Path) -> Outcome:
    try:
        load_flow(path)
    except OrderspecError as exc:
        return Outcome(Verdict.UNLOCATED, f"import-http wrote a flow that does not load: {exc}"[:300])
    except Exception as exc:  # noqa: BLE001
        return Outcome(Verdict.TRACEBACK, f"{type(exc).__name__}: {exc}"[:300])
    return OK


SOURCE_CHECKS = {"spec": check_spec_text, "flow": check_flow_text, "profiles": check_profiles_text, "http": check_http_text}


# -- templates ----------------------------------------------------------------------------------

_INTERNALS = re.compile(
    r"<built-in|<function|<module|<bound method|<method|<frame|<code|__builtins__|environ\(|<jinja2\.|<orderspec\."
    r"|<class '(?!jinja2\.utils\.(?:Cycler|Joiner|Namespace)'|orderspec\.engine\._template\.)"
)
"""Python internals in a rendered value; the classes of the globals a flow is given (``cycler``, ``joiner``,
``namespace``) print as ``<class ...>`` and reach nothing."""
MEMORY_LIMIT = 512 << 20
"""Growth of the process's peak memory that counts as a payload that escaped its bounds."""


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _escaped(value: Any) -> str | None:
    found = _INTERNALS.search(repr(value))
    return found.group(0) if found else None


def _flow_with(place: str, payload: str, url: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": "inject", "request": {"method": "POST", "url": url, "json": {"kept": "x"}}, "capture": {"echoed": "response.body"}}
    if place == "set":
        step = {"name": "inject", "set": {"value": payload}}
    elif place == "header":
        step["request"]["headers"] = {"X-Value": payload}
    elif place == "json":
        step["request"]["json"] = {"value": payload}
    elif place == "params":
        step["request"]["params"] = {"value": payload}
    elif place == "url":
        step["request"]["url"] = url + "/" + payload
    elif place == "vars":
        return {"apiVersion": "orderspec/v1", "kind": "Flow", "name": "inject", "base_url": "{{ target.base_url }}", "vars": {"value": payload}, "steps": [step]}
    return {"apiVersion": "orderspec/v1", "kind": "Flow", "name": "inject", "base_url": "{{ target.base_url }}", "steps": [step]}


PLACES = ("set", "header", "json", "params", "url", "vars")


def check_flow_template(payload: str, place: str, folder: Path, base_url: str, budget: float) -> Outcome:
    """A flow whose template is ``payload``: it renders to plain data, or stops with a located error within ``budget``.

    Escaped: a file the payload tries to create appears, the value rendered or sent
    shows Python internals, or the process grows by more than ``MEMORY_LIMIT``. Hung:
    it took longer than ``budget`` plus two seconds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    canary = folder / "CANARY-created"
    canary.unlink(missing_ok=True)
    payload = payload.replace("CANARY", str(canary))
    path = folder / "inject.flow.yaml"
    path.write_text(yaml.safe_dump(_flow_with(place, payload, "/echo/200"), allow_unicode=True, sort_keys=False, width=100_000), encoding="utf-8")
    rss = _peak_rss()
    started = time.monotonic()
    verdict = OK
    try:
        result = run_flow(load_flow(path), {"target": {"base_url": base_url}, "order": {"notes": "n"}})
        marker = _escaped(result.vars)
        if marker:
            verdict = Outcome(Verdict.ESCAPED, f"rendered {marker}: {repr(result.vars)[:200]}")
    except OrderspecError as exc:
        if not _location_ok(exc.location, folder):
            verdict = Outcome(Verdict.UNLOCATED, str(exc)[:300])
    except Exception as exc:  # noqa: BLE001
        verdict = Outcome(Verdict.TRACEBACK, f"{type(exc).__name__}: {exc}"[:300])
    seconds = time.monotonic() - started
    if canary.exists():
        return Outcome(Verdict.ESCAPED, f"the payload wrote {canary.name}", seconds=seconds)
    if _peak_rss() - rss > MEMORY_LIMIT:
        return Outcome(Verdict.ESCAPED, f"memory grew by {(_peak_rss() - rss) >> 20} MiB", seconds=seconds)
    if seconds > budget + 2:
        return Outcome(Verdict.HUNG, f"{seconds:.1f} s", seconds=seconds)
    return Outcome(verdict.verdict, verdict.detail, seconds=seconds)


# -- orders against a hostile server ------------------------------------------------------------------

ORDER_FLOW = """apiVersion: orderspec/v1
kind: Flow
name: hostile
base_url: "{{ target.base_url }}"
steps:
  - name: catalogue
    request: {method: GET, url: "%(read)s"}
  - name: basket
    effect: create
    request: {method: POST, url: "%(create)s", json: {reference: "{{ order.reference }}", notes: "{{ order.notes }}"}}
  - name: order
    effect: place
    request: {method: POST, url: "%(place)s", json: {reference: "{{ order.reference }}", customer: "{{ order.customer.name }}"}}
    capture: {order_number: response.body.number}
outputs:
  order_number: vars.order_number
contract:
  order_number: order_number
"""

ORDER_SPEC = {
    "apiVersion": "orderspec/v1",
    "kind": "Order",
    "metadata": {"name": "hostile-order"},
    "target": {"flow": "hostile.flow.yaml", "profile": "hostile"},
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "addresses": {"shipping": {"name": "Ada Lovelace", "street": "Main Street 1", "zip": "12345", "city": "Springfield", "country": "US"}},
    "items": [{"file": "models/bracket.stl", "material": "PLA", "quantity": 1}],
    "reference": "r-1",
    "notes": "n",
}

AUTH = {
    "basic": "{kind: basic, username_env: FUZZ_USER, env: FUZZ_SECRET}",
    "bearer": "{kind: bearer, env: FUZZ_SECRET}",
    "token": "{kind: token, env: FUZZ_SECRET}",
    "header": "{kind: header, header: X-Api-Key, env: FUZZ_SECRET}",
    "query": "{kind: query, param: api_key, env: FUZZ_SECRET}",
}


@dataclass(frozen=True)
class Order:
    """One order placed against the hostile server: its routes, credentials and spec values."""

    auth: str = "basic"
    user: str = "fuzz-user-name"
    secret: str = "fuzz-secret-value"
    read: str = "/ok"
    create: str = "/ok"
    place: str = "/echo/500"
    spec_values: Mapping[str, str] = field(default_factory=dict)


def _spellings(secret: str) -> set[str]:
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        base64.b64encode(secret.encode()).decode(),
        base64.urlsafe_b64encode(secret.encode()).decode(),
        " ".join(secret.split()),
        secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    }
    return {form for form in forms if len(form) >= 6}


def leaks(text: str, order: Order) -> list[str]:
    """Every spelling of the order's credential found in ``text`` (base64 of user:secret for basic auth)."""
    forms = _spellings(order.secret)
    if order.auth == "basic":
        forms |= _spellings(order.user) | {base64.b64encode(f"{order.user}:{order.secret}".encode()).decode()}
    return sorted(form for form in forms if form in text)


def _written(folder: Path) -> dict[str, str]:
    """Every file the run wrote under ``folder``, as text (reports, the state database and its journal, cassettes)."""
    inputs = {"spec.yaml", "orderspec.yaml", "hostile.flow.yaml"}
    return {
        str(path.relative_to(folder)): path.read_bytes().decode("utf-8", "replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in inputs and not path.is_relative_to(folder / "models") and not path.is_relative_to(folder / "photos")
    }


def order_project(folder: Path, order: Order, base_url: str) -> Path:
    """A spec, its flow and an ``orderspec.yaml`` whose profile points at ``base_url``; returns the spec."""
    if folder.exists():
        shutil.rmtree(folder)
    prepare_project(folder)
    (folder / "hostile.flow.yaml").write_text(ORDER_FLOW % {"read": order.read, "create": order.create, "place": order.place}, encoding="utf-8")
    spec = json.loads(json.dumps(ORDER_SPEC))
    for name, value in order.spec_values.items():
        where = spec
        *parents, last = name.split(".")
        for part in parents:
            where = where[part]
        where[last] = value
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100_000), encoding="utf-8")
    (folder / "orderspec.yaml").write_text(f"profiles:\n  hostile:\n    base_url: {base_url}\n    auth: {AUTH[order.auth]}\n", encoding="utf-8")
    return folder / "spec.yaml"


def apply_order(folder: Path, order: Order, base_url: str) -> Ran:
    """``orderspec apply --yes`` with JSON and JUnit reports, a recorded cassette and the state in ``folder``."""
    order_project(folder, order, base_url)
    env = {"FUZZ_USER": order.user, "FUZZ_SECRET": order.secret, "ORDERSPEC_STATE": None}
    return orderspec("apply", "--yes", "--format", "json", "--junit", "report.xml", "--record", "spec.yaml", cwd=folder, env=env)


def check_secret_run(order: Order, folder: Path, base_url: str, seen: list[Any]) -> Outcome:
    """An order against the hostile server: its credential is in no output, report, state or cassette, in any spelling.

    It is not sent to another origin either (``seen`` is what the server received).
    """
    before = len(seen)
    ran = apply_order(folder, order, base_url)
    crashed = _crashed(ran)
    if crashed:
        return crashed
    found = {where: leaks(text, order) for where, text in {"stdout": ran.stdout, "stderr": ran.stderr, **_written(folder)}.items()}
    found = {where: forms for where, forms in found.items() if forms}
    origin = base_url.split("//", 1)[1]
    for request in seen[before:]:
        host = {name.lower(): value for name, value in request.headers.items()}.get("host", "")
        if host != origin and leaks(json.dumps(request.headers, ensure_ascii=False) + request.path, order):
            found[f"sent to {host}"] = ["credential"]
    if found:
        return Outcome(Verdict.LEAKED, json.dumps(found, ensure_ascii=False)[:400], figure=sum(len(forms) for forms in found.values()))
    return OK


def check_spec_data(payload: str, place: str, folder: Path, base_url: str, seen: list[Any]) -> Outcome:
    """A template in a spec's value is sent as written: the server receives ``payload`` itself."""
    before = len(seen)
    order = Order(create="/echo/200", place="/ok", spec_values={place: payload})
    ran = apply_order(folder, order, base_url)
    crashed = _crashed(ran)
    if crashed:
        return crashed
    if ran.code == 1 and "$." in ran.stderr + ran.stdout:  # the spec refused the value (too long, wrong form), located
        return OK
    if ran.code != 0:
        return Outcome(Verdict.UNLOCATED, f"exit {ran.code}: {ran.stderr[-300:]}")
    bodies = [json.loads(request.body or b"{}") for request in seen[before:] if request.method == "POST"]
    sent = [value for body in bodies for value in body.values()]
    if payload not in sent:
        return Outcome(Verdict.ESCAPED, f"sent {sent!r}"[:300])
    return OK


# -- files outside the allowed folders ------------------------------------------------------------

CANARY = "canary-7f3e2a9d1c5b-" * 8


def upload_project(folder: Path) -> tuple[Path, Path]:
    """``folder/outside`` with a canary file, and ``folder/root`` (the spec's and flow's folder) with links, a FIFO and models."""
    if folder.exists():
        shutil.rmtree(folder)
    outside, root = folder / "outside", folder / "root"
    outside.mkdir(parents=True)
    (outside / "canary.txt").write_text(CANARY, encoding="utf-8")
    (folder / "canary.txt").write_text(CANARY, encoding="utf-8")
    prepare_project(root)
    (root / "link-to-canary").symlink_to(outside / "canary.txt")
    (root / "link-to-outside").symlink_to(outside)
    os.mkfifo(root / "fifo")
    return root, outside / "canary.txt"


UPLOAD_KINDS = ("content", "multipart", "zip")


def _upload_flow(kind: str, written: str) -> dict[str, Any]:
    source: dict[str, Any] = {"path": written}
    request: dict[str, Any] = {"method": "POST", "url": "/echo/200"}
    if kind == "content":
        request["content"] = source
    elif kind == "multipart":
        request["multipart"] = {"fields": {"a": "b"}, "files": {"file": source}}
    else:
        request["content"] = {"zip": [{"path": "models/cube.stl"}, {"path": written}], "filename": "parts.zip"}
    return {"apiVersion": "orderspec/v1", "kind": "Flow", "name": "upload", "base_url": "{{ target.base_url }}", "steps": [{"name": "upload", "request": request}]}


def check_upload(written: str, kind: str, folder: Path, base_url: str, seen: list[Any]) -> Outcome:
    """A flow sending the file ``written``: no byte of a file outside the spec's folder reaches the server.

    ``figure`` is how many bytes of the canary went out (plain, or inside a ZIP stored uncompressed).
    """
    root, canary = upload_project(folder)
    written = written.replace("{canary}", str(canary)).replace("{canary_relative}", str(canary).lstrip("/"))
    path = root / "upload.flow.yaml"
    path.write_text(yaml.safe_dump(_upload_flow(kind, written), allow_unicode=True, width=100_000), encoding="utf-8")
    before = len(seen)
    started = time.monotonic()
    try:
        run_flow(load_flow(path), {"target": {"base_url": base_url}, "folder": root})
    except (FlowError, OrderspecError) as exc:
        if not _location_ok(exc.location, root) and not isinstance(exc, FlowError):
            return Outcome(Verdict.UNLOCATED, str(exc)[:300])
    except Exception as exc:  # noqa: BLE001
        return Outcome(Verdict.TRACEBACK, f"{type(exc).__name__}: {exc}"[:300])
    seconds = time.monotonic() - started
    if seconds > 10:
        return Outcome(Verdict.HUNG, f"{seconds:.1f} s", seconds=seconds)
    sent = canary_bytes(b"".join(request.body for request in seen[before:]))
    if sent:
        return Outcome(Verdict.OUTSIDE, f"{written!r} ({kind}) sent the canary", figure=sent)
    return OK


def canary_bytes(received: bytes) -> int:
    """How many bytes of the canary file ``received`` holds (its text repeats one marker eight times)."""
    marker = CANARY[: len(CANARY) // 8].encode()
    return received.count(marker) * len(marker)


# -- oversized answers -----------------------------------------------------------------------------


@contextlib.contextmanager
def hostile_apart() -> Iterator[str]:
    """A hostile server in a process of its own, so what it allocates is not traced here; yields its base URL."""
    code = "from orderspec.sandbox.hostile import start_hostile\nimport sys, time\ns = start_hostile()\nprint(s.base_url, flush=True)\nsys.stdin.read()\n"
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


IO_ALLOWANCE = 512 << 10
"""Memory a read may hold besides the body: one 64 KiB piece from the socket, held in a few copies by
httpcore, h11 and httpx's chunker, and one decompression step. Growth beyond cap plus this counts."""


def _traced_peak(path: Path, base_url: str) -> tuple[int, BaseException | None]:
    """The peak memory traced while the flow at ``path`` runs (loading it not counted), and its error."""
    flow = load_flow(path)
    tracemalloc.start()
    try:
        run_flow(flow, {"target": {"base_url": base_url}})
        error: BaseException | None = None
    except Exception as exc:  # noqa: BLE001 - the error is looked at by the caller
        error = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, error


def check_oversized(url: str, cap: int, folder: Path, base_url: str) -> Outcome:
    """An answer far larger than ``limits.response_bytes``: the step ends with a located error, memory stays within the cap.

    ``figure`` is the peak memory the oversized answer cost (traced, over that of a
    small answer in the same flow) beyond the cap and ``IO_ALLOWANCE``.
    """
    folder.mkdir(parents=True, exist_ok=True)

    def flow(target: str) -> Path:
        path = folder / "oversized.flow.yaml"
        document = {
            "apiVersion": "orderspec/v1",
            "kind": "Flow",
            "name": "oversized",
            "base_url": "{{ target.base_url }}",
            "limits": {"response_bytes": cap, "request_seconds": 10},
            "steps": [{"name": "read", "request": {"method": "GET", "url": target}, "capture": {"body": "response.body"}}],
        }
        path.write_text(yaml.safe_dump(document, width=100_000), encoding="utf-8")
        return path

    baseline, _ = _traced_peak(flow("/ok"), base_url)
    started = time.monotonic()
    peak, error = _traced_peak(flow(url), base_url)
    seconds = time.monotonic() - started
    above = max(0, peak - baseline - cap - IO_ALLOWANCE)
    if error is not None and not isinstance(error, OrderspecError):
        return Outcome(Verdict.TRACEBACK, f"{type(error).__name__}: {error}"[:300], figure=above, seconds=seconds)
    if above:
        return Outcome(Verdict.OVER_CAP, f"{url}: peak {peak} bytes, {above} over the cap of {cap}", figure=above, seconds=seconds)
    if isinstance(error, OrderspecError) and error.location is None:
        return Outcome(Verdict.UNLOCATED, str(error)[:300], seconds=seconds)
    return Outcome(Verdict.OK, f"peak {peak - baseline} bytes for a cap of {cap}", figure=0, seconds=seconds)
