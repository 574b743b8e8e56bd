"""Importing JetBrains HTTP Client files (``.http``) as flows.

``import_http`` reads a file, converts it and returns the flow's YAML text with the
list of what could not be converted; ``parse_http`` and ``convert`` are the two
stages on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orderspec.httpfile._convert import Conversion, convert
from orderspec.httpfile._errors import HttpFileError
from orderspec.httpfile._model import HttpFile, Problem, Request
from orderspec.httpfile._parser import parse_http, parse_http_file
from orderspec.httpfile._write import dump_flow, find_flow_schema, project_root, relative_reference, schema_reference


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The converted flow (data and YAML text) and the problems, each with its line."""

    conversion: Conversion
    text: str

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.conversion.warnings

    @property
    def inferred(self) -> tuple[Problem, ...]:
        """The effect each step that is not a read was given, with its line: for the user to confirm."""
        return self.conversion.inferred


def import_http(source: str | Path, output: str | Path | None = None, *, name: str | None = None, schema: str | None = None) -> ImportResult:
    """Convert the ``.http`` file ``source``; paths in the flow are relative to ``output``'s folder.

    Nothing is written: the caller decides where ``result.text`` goes. ``schema`` is what
    the first line points editors at; by default a ``flow.schema.json`` of the user's
    project found from ``output``'s folder upward (``schema_reference``).
    """
    source = Path(source)
    out = Path(output) if output is not None else None
    http = parse_http_file(source)
    flow_dir = out.resolve().parent if out is not None else Path.cwd()
    conversion = convert(http, flow_dir=flow_dir, name=name)
    text = dump_flow(conversion.flow, schema=schema or schema_reference(out))
    return ImportResult(conversion=conversion, text=text)


__all__ = [
    "Conversion",
    "HttpFile",
    "HttpFileError",
    "ImportResult",
    "Problem",
    "Request",
    "convert",
    "dump_flow",
    "find_flow_schema",
    "import_http",
    "parse_http",
    "parse_http_file",
    "project_root",
    "relative_reference",
    "schema_reference",
]
