"""``orderspec schema order|flow|profiles [-o FILE]``: the JSON Schemas, for editors in any repository."""

from __future__ import annotations

from pathlib import Path

import click

from orderspec.cli import output


@click.command()
@click.argument("name", type=click.Choice(["order", "flow", "profiles"]))
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path), help="Write the schema to this file instead of printing it.")
@click.option("-f", "--force", is_flag=True, help="Overwrite a different file at --output.")
def schema(name: str, target: Path | None, force: bool) -> None:
    """Print the JSON Schema of an order spec, a flow or orderspec.yaml, or write it with -o.

    Point your editor at the written file with a first line such as
    `# yaml-language-server: $schema=schemas/order-spec.schema.json` (the path is relative
    to the YAML file); `orderspec init` writes all three into schemas/. A file that is
    already up to date is left alone; a different one is kept unless --force.
    """
    from orderspec.templates import SCHEMAS, schema_bytes, write_files

    content = schema_bytes(name)
    if target is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    folder = target.parent if str(target.parent) else Path(".")
    (done,) = write_files(folder, {target.name: content}, force=force)
    if not output().quiet:
        click.echo(f"{done.status} {target} ({SCHEMAS[name]})", err=True)
