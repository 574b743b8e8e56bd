"""Writing a flow mapping as readable YAML.

Block style throughout, keys in the order the converter built them (name, request,
capture), templates in double quotes, a blank line between top-level steps, and a
first line that points editors at the flow schema.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

SCHEMA_ID = "https://orderspec.dev/schemas/flow.schema.json"


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key and never writes anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if "{{" in value or "{%" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def schema_reference(flow_path: Path | None) -> str:
    """The schema as editors should find it: a relative path to the installed file, else its ``$id``."""
    try:
        from orderspec._resources import schema_path

        schema = schema_path("flow.schema.json")
    except FileNotFoundError:
        return SCHEMA_ID
    if flow_path is None:
        return SCHEMA_ID
    try:
        return Path(os.path.relpath(schema, flow_path.resolve().parent)).as_posix()
    except ValueError:  # another drive
        return schema.as_uri()


def dump_flow(flow: dict[str, Any], *, schema: str = SCHEMA_ID) -> str:
    """The YAML text of ``flow``, starting with the ``yaml-language-server`` schema line."""
    body = yaml.dump(flow, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    body = re.sub(r"\n(  - name: )", r"\n\n\1", body)
    body = re.sub(r"\n(steps:\n)\n", r"\n\1", body)
    return f"# yaml-language-server: $schema={schema}\n{body}"
