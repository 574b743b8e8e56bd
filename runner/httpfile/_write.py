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


SCHEMA_FILE = "flow.schema.json"
_ROOT_MARKERS = (".git", "orderspec.yaml")


def find_flow_schema(start: Path) -> Path | None:
    """A flow schema file in ``start`` or a folder above it (as ``flow.schema.json`` or ``schemas/flow.schema.json``).

    The search stops at the project's root: the first folder holding ``.git`` or
    ``orderspec.yaml``, so a schema of an unrelated project above is never used.
    """
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for path in (candidate / SCHEMA_FILE, candidate / "schemas" / SCHEMA_FILE):
            if path.is_file():
                return path
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return None
    return None


def project_root(start: Path) -> Path:
    """The folder of ``start`` or above holding ``.git`` or ``orderspec.yaml``; ``start`` itself when none does."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return folder


def relative_reference(schema: Path, flow_folder: Path) -> str:
    """``schema`` as a modeline in a file of ``flow_folder`` names it: a relative path (a URI on another drive)."""
    try:
        return Path(os.path.relpath(schema.resolve(), flow_folder.resolve())).as_posix()
    except ValueError:  # another drive
        return schema.resolve().as_uri()


def schema_reference(flow_path: Path | None) -> str:
    """The modeline's schema for a flow written to ``flow_path`` (None: to stdout, read from the working folder).

    A schema file of the user's own project, found from the flow's folder upward (as
    ``orderspec schema flow -o schemas/flow.schema.json`` or ``orderspec init`` write
    it); without one, the schema's ``$id``. Never a path into the installation, which
    a colleague's checkout does not have.
    """
    folder = flow_path.resolve().parent if flow_path is not None else Path.cwd()
    found = find_flow_schema(folder)
    return relative_reference(found, folder) if found is not None else SCHEMA_ID


def dump_flow(flow: dict[str, Any], *, schema: str = SCHEMA_ID) -> str:
    """The YAML text of ``flow``, starting with the ``yaml-language-server`` schema line."""
    body = yaml.dump(flow, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    body = re.sub(r"\n(  - name: )", r"\n\n\1", body)
    body = re.sub(r"\n(steps:\n)\n", r"\n\1", body)
    return f"# yaml-language-server: $schema={schema}\n{body}"
