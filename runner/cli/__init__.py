"""The ``orderspec`` command line.

Commands are thin: each parses its options and calls a library function. They are
imported lazily, so ``orderspec validate`` never pays for httpx, the engine or the
sandboxes. Errors become output and exit codes here, in ``main``, and nowhere else.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from orderspec._version import __version__
from orderspec.errors import OrderspecError

# name -> "module:attribute" of a click.Command; the module is imported on first use.
COMMANDS: dict[str, str] = {
    "validate": "orderspec.cli.validate:validate",
    "run": "orderspec.cli.run:run",
    "import-http": "orderspec.cli.import_http:import_http",
    "sandbox": "orderspec.cli.sandbox:sandbox",
    "plan": "orderspec.cli.orders:plan",
    "apply": "orderspec.cli.orders:apply",
    "cassette": "orderspec.cli.cassette:cassette",
    "state": "orderspec.cli.state:state",
    "resolve": "orderspec.cli.resolve:resolve",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orderspec")
def cli() -> None:
    """Validate, plan and place 3D-print and photo orders written as YAML."""


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into a message and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="orderspec", standalone_mode=False)
    except OrderspecError as exc:
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # a bug: say so plainly, keep the traceback for ORDERSPEC_DEBUG
        if os.environ.get("ORDERSPEC_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in orderspec; run again with ORDERSPEC_DEBUG=1 for details.",
            err=True,
        )
        code = 70
    sys.exit(code if isinstance(code, int) else 0)
