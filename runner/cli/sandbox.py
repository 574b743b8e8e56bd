"""``orderspec sandbox``: run a local simulator of a target API by hand."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from orderspec.errors import UsageError
from orderspec.sandbox import APPS, DESCRIPTIONS, SandboxConfig, create_app, describe_credentials, load_config
from orderspec.sandbox._server import bind, serve_forever


@click.group()
def sandbox() -> None:
    """Local simulators of the target APIs, for trying specs without spending money."""


@sandbox.command("list")
def list_systems() -> None:
    """List the systems that have a sandbox."""
    for system in APPS:
        click.echo(f"{system:<26} {DESCRIPTIONS.get(system, '')}".rstrip())


@sandbox.command()
@click.argument("system", type=click.Choice(list(APPS)), metavar="SYSTEM")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file of sandbox settings (catalogue, credentials, faults, analysis_seconds, options).",
)
def serve(system: str, port: int, host: str, config_path: Path | None) -> None:
    """Serve the SYSTEM sandbox until Ctrl-C; prints its base URL and credentials."""
    serve_sandbox(system, host=host, port=port, config_path=config_path)


def serve_sandbox(system: str, *, host: str, port: int, config_path: Path | None) -> None:
    """Start the sandbox, announce where it listens, block until interrupted."""
    if config_path is not None and not config_path.is_file():
        raise UsageError(f"sandbox config {config_path} does not exist")
    config = load_config(config_path) if config_path is not None else SandboxConfig()
    app = create_app(system, config)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{bound}"

    def announce() -> None:
        click.echo(f"{system} sandbox listening on {base_url}")
        for line in describe_credentials(system, config):
            click.echo(f"  {line}")
        click.echo(f"  placed orders: GET {base_url}/_sandbox/orders   reset: POST {base_url}/_sandbox/reset")
        click.echo("Press Ctrl-C to stop.")

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve_forever(app, sock, announce)
    except KeyboardInterrupt:  # uvicorn shuts down cleanly, then re-raises the signal it caught
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("sandbox stopped")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
