"""A catalogue as people read it: one block per kind, each name as the spec's YAML writes it."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from orderspec.catalogue._model import Catalogue, Entry
from orderspec.catalogue._unresolved import Unresolved

_DETAIL = 72
"""Longest detail shown in text; the JSON output has it whole."""


def yaml_scalar(name: str) -> str:
    """``name`` as YAML must write it to read back as this very text: ``PA12``, ``'14631000'``."""
    dumped = yaml.safe_dump(name, default_flow_style=True, width=1 << 20, allow_unicode=True)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def catalogue_text(catalogue: Catalogue, unresolved: Sequence[Unresolved] | None = None, *, verbose: int = 0) -> str:
    """The catalogue as text; with ``unresolved`` (a spec was given) the spec's unknown names follow."""
    where = f"{catalogue.base_url} (sandbox)" if catalogue.sandbox else f"{catalogue.base_url} (profile {catalogue.profile})"
    blocks = [f"{catalogue.title} catalogue at {where}"]
    for section in catalogue.sections:
        field = f"  ({section.kind.field})" if section.kind.field else ""
        lines = [f"{section.kind.key}{field}"]
        rows = [_row(entry, verbose) for entry in section.entries]
        used = [column for column in range(3) if any(row[column] for row in rows)]
        widths = {column: max(len(row[column]) for row in rows) for column in used[:-1]}
        lines += ["  " + "  ".join(row[column].ljust(widths.get(column, 0)) for column in used).rstrip() for row in rows] or ["  (none)"]
        blocks.append("\n".join(lines))
    if catalogue.notes:
        blocks.append("\n".join(f"note: {note}" for note in catalogue.notes))
    if unresolved is not None:
        if unresolved:
            count = len(unresolved)
            lines = [f"{count} name{'s' if count != 1 else ''} of the spec {'are' if count != 1 else 'is'} not in this catalogue:"]
            lines += [f"  {entry}" for entry in unresolved]
            blocks.append("\n".join(lines))
        else:
            blocks.append("Every name of the spec is in this catalogue.")
    return "\n\n".join(blocks)


def _row(entry: Entry, verbose: int) -> tuple[str, str, str]:
    """Name, what scopes it, and its detail (with the remote id when verbose)."""
    within = ", ".join(f"{key.replace('_', '-')} {yaml_scalar(value)}" for key, value in entry.within.items())
    detail = entry.detail if verbose or len(entry.detail) <= _DETAIL else entry.detail[: _DETAIL - 1].rstrip() + "…"
    if verbose and entry.id is not None:
        detail = f"{detail}  [id {entry.id}]".strip()
    return yaml_scalar(entry.name), within, detail
