"""The ``orderspec`` command line.

Commands are thin: each parses its options and calls a library function. They are
imported lazily, so ``orderspec validate`` never pays for httpx, the engine or the
sandboxes. Errors become output and exit codes here, in ``main``, and nowhere else.

The conventions every command shares live here too, once: the lazy group gives each
command it returns ``-q``/``--quiet``, ``-v``/``--verbose`` and ``--no-color`` (also
accepted before the command name), and a command reads them with ``output()``. The
exit codes are those of ``docs/cli.md``; see ``EXIT_CODES``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

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
    "status": "orderspec.cli.status:status",
    "catalogue": "orderspec.cli.catalogue:catalogue",
    "schema": "orderspec.cli.schema:schema",
    "init": "orderspec.cli.init:init",
}

EXIT_CODES: dict[int, str] = {
    0: "ok",
    1: "the input or the target said no (invalid spec, unknown name, refused request, order not placed)",
    2: "usage: a wrong command line, or a file or folder that does not exist",
    3: "uncertain: an order may or may not have been placed (settle it with orderspec resolve)",
    70: "internal error: a bug in orderspec",
    130: "interrupted (Ctrl-C) or a confirmation declined",
}
"""The meaning of every exit code, the same for every command (``docs/cli.md``)."""

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNCERTAIN, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 70, 130


@dataclass(frozen=True)
class Output:
    """How much a command prints, and whether in colour: the common options of every command."""

    quiet: bool = False
    """``-q``: results on stdout and errors only; no progress, summaries or warnings on stderr."""
    verbose: int = 0
    """``-v`` (repeatable): more detail; ``-vv`` also prints the traceback of an internal error."""
    color: bool | None = None
    """False with ``--no-color`` or ``NO_COLOR``; None: colour when the stream is a terminal."""

    def style(self, text: str, **styles: Any) -> str:
        """``text`` styled with ``click.style`` unless colour is off; echo strips it where no terminal is."""
        return text if self.color is False else click.style(text, **styles)


_META = "orderspec.output"


def output(ctx: click.Context | None = None) -> Output:
    """The common options of the running command (defaults outside a command)."""
    ctx = ctx or click.get_current_context(silent=True)
    settings: Output = ctx.meta.get(_META, _defaults()) if ctx is not None else _defaults()
    if ctx is not None and not settings.quiet and ctx.params.get("quiet"):
        settings = replace(settings, quiet=True)  # a command's own --quiet (validate, cassette check)
    return settings


def _defaults() -> Output:
    return Output(color=False if os.environ.get("NO_COLOR") else None)


def _remember(change: Callable[[Output, Any], Output]) -> Callable[[click.Context, click.Parameter, Any], None]:
    """A callback folding an option's value into the shared settings; absent options change nothing."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if not value:
            return
        settings = change(ctx.meta.get(_META, _defaults()), value)
        ctx.meta[_META] = settings
        holder = ctx.find_root().obj
        if isinstance(holder, _Holder):
            holder.settings = settings
        if settings.color is False:
            ctx.color = False
        if settings.quiet and param.name == "quiet":
            # stderr carries errors only: they are printed by ``main`` once the command has ended
            ctx.with_resource(contextlib.redirect_stderr(io.StringIO()))

    return callback


def _common_options(quiet: bool) -> list[click.Option]:
    options = [
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_remember(lambda s, v: replace(s, verbose=max(s.verbose, int(v)))),
            help="More detail; -vv also shows the traceback of an internal error.",
        ),
        click.Option(
            ["--no-color"],
            is_flag=True,
            expose_value=False,
            callback=_remember(lambda s, v: replace(s, color=False)),
            help="No colour, even on a terminal (as does the NO_COLOR environment variable).",
        ),
    ]
    if quiet:
        options.insert(
            0,
            click.Option(
                ["-q", "--quiet"],
                is_flag=True,
                expose_value=False,
                callback=_remember(lambda s, v: replace(s, quiet=True)),
                help="Print results and errors only: no progress, summaries or warnings.",
            ),
        )
    return options


def _with_common(command: click.Command) -> click.Command:
    """``command`` (and every subcommand of a group) with the common options; added once."""
    if getattr(command, "_orderspec_common", False):
        return command
    own = {opt for param in command.params for opt in getattr(param, "opts", ())}
    command.params.extend(option for option in _common_options(quiet="-q" not in own) if not set(option.opts) & own)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_common(sub)
    command._orderspec_common = True  # type: ignore[attr-defined]
    return command


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return _with_common(command)


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orderspec")
def cli() -> None:
    """Validate, plan and place 3D-print and photo orders written as YAML.

    Every command takes -q (results and errors only), -v (more detail) and --no-color.
    Exit codes: 0 ok, 1 the input or the target said no, 2 usage, 3 uncertain (an order
    that may have been placed), 70 internal error, 130 interrupted or declined.
    """


for _option in _common_options(quiet=True):
    cli.params.append(_option)


@dataclass
class _Holder:
    """What ``main`` needs to know of the options once the command has ended."""

    settings: Output


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn every error into a message and an exit code."""
    holder = _Holder(_defaults())
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            code = cli.main(args=argv, prog_name="orderspec", standalone_mode=False, obj=holder)
    except OrderspecError as exc:
        _error(holder.settings, str(exc), _causes(exc) if holder.settings.verbose else [])
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        code = EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug: say so plainly, with the traceback when asked for
        if os.environ.get("ORDERSPEC_DEBUG") or holder.settings.verbose >= 2:
            traceback.print_exc()
        _error(
            holder.settings,
            f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in orderspec; run again with -vv (or ORDERSPEC_DEBUG=1) for details.",
            [],
            prefix=False,
        )
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else 0)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    """A library's warning as a line on stderr: ``note:`` for what ``--sandbox`` replaced, ``warning:`` otherwise."""
    from orderspec.targets import SandboxReplaced

    label = "note" if issubclass(category, SandboxReplaced) else "warning"
    click.echo(f"{label}: {message}", err=True)


def _error(settings: Output, text: str, causes: list[str], *, prefix: bool = True) -> None:
    from orderspec.terminal import terminal_safe

    color = False if settings.color is False else None
    label = click.style("error:", fg="red", bold=True) + " " if prefix else ""
    click.echo(label + terminal_safe(text), err=True, color=color)  # an answer quoted in an error cannot act on the terminal
    for cause in causes:
        click.echo(f"  caused by: {terminal_safe(cause)}", err=True, color=color)


def _causes(exc: BaseException) -> list[str]:
    """What led to ``exc`` (``-v``): the exceptions it was raised from, innermost last."""
    found: list[str] = []
    seen = {id(exc)}
    current = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return found
