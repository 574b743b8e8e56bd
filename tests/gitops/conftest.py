"""A folder of specs kept in git, its profiles pointing at sandboxes, and a state on SQLite or PostgreSQL.

Every test that takes ``state_url`` runs twice: on a SQLite file of its own and on a
PostgreSQL database of its own (created on the server at 127.0.0.1:5432 and dropped
afterwards; without a server the PostgreSQL cases are skipped, saying why).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from orderspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

SPECS = {
    "ctq": "ctq-bracket.yaml",
    "3yourmind-service-panel": "3yourmind-service-panel.yaml",
    "3yourmind-user-panel": "3yourmind-user-panel.yaml",
    "tophoto": "tophoto-mug.yaml",
}
NAMES = {"ctq": "ctq-bracket", "3yourmind-service-panel": "3yd-service-panel-bracket", "3yourmind-user-panel": "3yd-user-panel-parts", "tophoto": "tophoto-mug"}
APPS = {"ctq": "ctq", "3yourmind-service-panel": "3yourmind", "3yourmind-user-panel": "3yourmind", "tophoto": "tophoto"}
SANDBOX_ENV = {"CTQ_ORG": "sandbox-org", "TYM_TOKEN": "sandbox-token", "TP_USER": "sandbox", "TP_PASSWORD": "sandbox-secret"}
AUTH = {
    "ctq": {"kind": "api-key-header", "header": "x-api-key", "env": "CTQ_ORG"},
    "3yourmind-service-panel": {"kind": "token", "env": "TYM_TOKEN"},
    "3yourmind-user-panel": {"kind": "token", "env": "TYM_TOKEN"},
    "tophoto": {"kind": "basic", "username_env": "TP_USER", "env": "TP_PASSWORD"},
}


def _pg_admin() -> Any:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server reachable at 127.0.0.1:5432 as user postgres ({str(exc).strip().splitlines()[0]})")


@contextmanager
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped at the end; its URL."""
    from psycopg import sql

    admin = _pg_admin()
    name = f"orderspec_gitops_{uuid.uuid4().hex[:10]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A state URL of this test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/state/state.db"
        return
    with pg_database() as url:
        yield url


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Repo:
    """A checkout: ``orderspec.yaml`` at its top, the specs in ``specs/``, the state at ``state_url``."""

    folder: Path
    state_url: str
    env: dict[str, str]
    base_urls: dict[str, str] = field(default_factory=dict)

    @property
    def specs(self) -> Path:
        return self.folder / "specs"

    def spec(self, system: str) -> Path:
        return self.specs / SPECS[system]

    def edit(self, system: str, change: Callable[[dict[str, Any]], None]) -> Path:
        path = self.spec(system)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def orderspec(self, *args: str, cwd: Path | None = None) -> Ran:
        """``orderspec ARGS`` in-process, in the checkout, with the sandboxes' credentials and the state."""
        runner = CliRunner()
        before = Path.cwd()
        os.chdir(cwd or self.folder)
        code = 0
        try:
            with runner.isolation(env={**self.env, "ORDERSPEC_STATE": self.state_url}) as (out, err, _):
                try:
                    main(list(args))
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                return Ran(code, out.getvalue().decode(), err.getvalue().decode())
        finally:
            os.chdir(before)

    def process(self, *args: str, cwd: Path | None = None, **options: Any) -> subprocess.Popen[str]:
        """``orderspec ARGS`` as its own process (to kill it, or to run two at once)."""
        return subprocess.Popen(
            [sys.executable, "-m", "orderspec", *args],
            cwd=cwd or self.folder,
            env={**os.environ, **self.env, "ORDERSPEC_STATE": self.state_url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **options,
        )

    def orders(self, system: str) -> list[dict[str, Any]]:
        """The orders the system's sandbox holds as placed."""
        return list(httpx.get(f"{self.base_urls[system]}/_sandbox/orders", timeout=10).json())

    def requests(self, system: str) -> dict[str, int]:
        """How many requests the system's sandbox answered, per endpoint."""
        return dict(httpx.get(f"{self.base_urls[system]}/_sandbox/requests", timeout=10).json())


def profile_for(system: str, base_url: str) -> dict[str, Any]:
    return {"system": system, "base_url": base_url, "auth": dict(AUTH[system])}


def make_repo(folder: Path, state_url: str, base_urls: Mapping[str, str]) -> Repo:
    """A checkout in ``folder`` with the example specs of the systems in ``base_urls`` (and their files)."""
    specs = folder / "specs"
    specs.mkdir(parents=True)
    for name in ("models", "photos"):
        shutil.copytree(EXAMPLES / name, specs / name)
    for system in base_urls:
        shutil.copy(EXAMPLES / SPECS[system], specs / SPECS[system])
    profiles = {system: profile_for(system, url) for system, url in base_urls.items()}
    (folder / "orderspec.yaml").write_text(yaml.safe_dump({"profiles": profiles}, sort_keys=False), encoding="utf-8")
    return Repo(folder, state_url, dict(SANDBOX_ENV), dict(base_urls))


class Served:
    """Sandboxes served by ``orderspec sandbox serve`` in processes of their own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen[str]] = []

    def __call__(self, app: str, config: Mapping[str, Any]) -> str:
        """Start the ``app`` sandbox with ``config`` (the YAML settings file's content); its base URL."""
        path = self.folder / f"sandbox-{app}-{len(self.processes)}.yaml"
        path.write_text(yaml.safe_dump(dict(config)), encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "orderspec", "sandbox", "serve", app, "--port", "0", "--config", str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "listening on " in first, first
        return first.split("listening on ", 1)[1].strip()

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    sandboxes = Served(tmp_path)
    try:
        yield sandboxes
    finally:
        sandboxes.close()


@pytest.fixture
def repo_with(sandbox: Any, tmp_path: Path, state_url: str) -> Callable[..., Repo]:
    """``repo_with("ctq", "tophoto", configs={"ctq": SandboxConfig(...)})``: a checkout whose profiles point at fresh sandboxes."""

    def make(*systems: str, configs: Mapping[str, Any] | None = None) -> Repo:
        started: dict[str, str] = {}
        urls = {}
        for system in systems:
            app = APPS[system]
            if app not in started:
                started[app] = sandbox(app, (configs or {}).get(system)).base_url
            urls[system] = started[app]
        return make_repo(tmp_path / "repo", state_url, urls)

    return make
