"""Catalogues: every name a spec can use on a target, read with read requests only.

    source = source_for_system("ctq", sandboxes=pool)      # or source_for(prepared)
    catalogue = read_catalogue(source)                     # a Catalogue value
    missing = unresolved_names(order, catalogue)           # every unknown name, closest match

Each built-in system names a catalogue flow in its descriptor (``runner/flows/catalogue/``);
a catalogue flow may only read. ``orderspec catalogue`` prints a catalogue, and ``plan``
uses ``explain_unknown_names`` to report every unresolved name of a spec at once.
"""

from orderspec.catalogue._model import KINDS, Catalogue, Entry, Kind, Section, kind_of
from orderspec.catalogue._read import (
    CatalogueFlowError,
    NoCatalogue,
    Source,
    catalogue_flow_path,
    load_catalogue_flow,
    read_catalogue,
    source_for,
    source_for_system,
)
from orderspec.catalogue._render import catalogue_text, yaml_scalar
from orderspec.catalogue._unresolved import Unresolved, UnresolvedNames, explain_unknown_names, unresolved_names

__all__ = [
    "KINDS",
    "Catalogue",
    "CatalogueFlowError",
    "Entry",
    "Kind",
    "NoCatalogue",
    "Section",
    "Source",
    "Unresolved",
    "UnresolvedNames",
    "catalogue_flow_path",
    "catalogue_text",
    "explain_unknown_names",
    "kind_of",
    "load_catalogue_flow",
    "read_catalogue",
    "source_for",
    "source_for_system",
    "unresolved_names",
    "yaml_scalar",
]
