"""``orderspec import-http FILE.http -o FLOW.yaml``: turn a JetBrains HTTP Client file into a flow."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import click

from orderspec.errors import UsageError


@click.command("import-http")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Flow file to write; without it the flow goes to stdout.")
@click.option("--name", help="Flow name (default: from the file name).")
@click.option("-f", "--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--strict", is_flag=True, help="Write nothing and exit 1 when anything could not be converted.")
def import_http(source: Path, output: Path | None, name: str | None, force: bool, strict: bool) -> None:
    """Convert a JetBrains HTTP Client file (.http) into a flow.

    Requests become steps, `@variables` and pre-request `client.global.set` calls
    become vars (credentials become secrets), response handlers become captures.
    Whatever cannot be converted is listed with its line on stderr.
    """
    from orderspec.httpfile import import_http as convert_file

    if not source.exists():
        raise UsageError(f"{source}: no such file")
    if source.is_dir():
        raise UsageError(f"{source} is a folder; name the .http file")
    if not source.is_file():
        raise UsageError(f"{source} is not a regular file (a device, a FIFO or a socket); name the .http file")
    if output is not None:
        if output.is_dir():
            raise UsageError(f"{output} is a folder; name the flow file to write")
        if output.exists() and not force:
            raise UsageError(f"{output} exists; pass --force to overwrite it")
        if not _folder(output).is_dir():
            raise UsageError(f"{_folder(output)} is not a folder; create it first")
    schema, write_schema = _schema(output)
    result = convert_file(source, output, name=name, schema=schema)
    for warning in result.warnings:
        click.echo(f"{source}:{warning.line}: warning: {warning.message}", err=True)
    for inferred in result.inferred:  # not a conversion problem (--strict ignores it), but for the user to confirm
        click.echo(f"{source}:{inferred.line}: warning: {inferred.message}", err=True)
    if strict and result.warnings:
        count = len(result.warnings)
        click.echo(f"nothing written: {count} problem{'s' if count != 1 else ''} (--strict)", err=True)
        raise click.exceptions.Exit(1)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        _write_atomically(output, result.text)
    _summary(result.conversion.flow, len(result.warnings), output, result.conversion.secrets, len(result.inferred))
    if write_schema is not None:
        from orderspec.templates import schema_bytes, write_files

        write_files(write_schema.parent, {write_schema.name: schema_bytes("flow")})
        shown = os.path.relpath(write_schema) if write_schema.is_relative_to(Path.cwd()) else write_schema
        click.echo(f"wrote {shown}, the flow schema its first line points editors at", err=True)


def _schema(output: Path | None) -> tuple[str | None, Path | None]:
    """The modeline's schema for ``output``, and where to write the schema when the project has none yet.

    A flow written to a file points at a schema file of the user's project (found from
    its folder up to the project's root), written into ``schemas/`` of that root when
    there is none; a flow printed to stdout points at one found from here, else at the
    schema's ``$id``.
    """
    from orderspec.httpfile import find_flow_schema, project_root, relative_reference

    if output is None:
        return None, None
    folder = _folder(output)
    if find_flow_schema(folder) is not None:
        return None, None
    target = project_root(folder) / "schemas" / "flow.schema.json"
    return relative_reference(target, folder), target


def _summary(flow: dict[str, Any], warnings: int, output: Path | None, secrets: dict[str, str], inferred: int = 0) -> None:
    steps = len(flow.get("steps", []))
    where = f"wrote {output}" if output is not None else "converted"
    effects = f", {inferred} effect{'s' if inferred != 1 else ''} inferred" if inferred else ""
    click.echo(f"{where}: {steps} step{'s' if steps != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}{effects}", err=True)
    if output is not None and secrets:
        options = " ".join(f"--secret {name}={env}" for name, env in secrets.items())
        click.echo(f"run it with: orderspec run {output} {options}", err=True)


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run never leaves half a flow."""
    try:
        handle, temporary = tempfile.mkstemp(dir=_folder(path), prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")
