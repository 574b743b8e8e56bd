"""vcrpy configured for orderspec: our serializer, persister and matchers, registered on one ``VCR``.

Only vcrpy's library parts are used (``Cassette``, its play counts, matchers, the
serializer and persister interfaces); its global patching of HTTP libraries is not
(its httpx stubs read a whole request body into memory). Cassettes are made from
``VCR.get_merged_config`` the way ``use_cassette`` makes them, minus the patching.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import vcr
from vcr.cassette import Cassette

from orderspec.cassettes import _match
from orderspec.cassettes._format import NAME, Persister, Serializer
from orderspec.cassettes._pipeline import request_hook, response_hook
from orderspec.cassettes._scrub import Scrubber

MATCH_ON = ("method", "path", "query", "body")

_VCR = vcr.VCR(serializer=NAME, match_on=MATCH_ON, record_mode="none", record_on_exception=False, decode_compressed_response=False)
_VCR.register_serializer(NAME, Serializer())
_VCR.register_persister(Persister)
for _name, _matcher in _match.MATCHERS.items():
    _VCR.register_matcher(_name, _matcher)

_CASSETTE_ARGUMENTS = frozenset(inspect.signature(Cassette.__init__).parameters) - {"self"}


def _arguments(path: Path, scrubber: Scrubber, record_mode: str) -> dict[str, Any]:
    config = _VCR.get_merged_config(path=str(path), record_mode=record_mode, allow_playback_repeats=False)
    # the hooks copy what they change themselves: vcrpy's wrappers would deep-copy every request
    config["before_record_request"] = request_hook(scrubber)
    config["before_record_response"] = response_hook(scrubber)
    return {key: value for key, value in config.items() if key in _CASSETTE_ARGUMENTS}


def new_cassette(path: Path, scrubber: Scrubber) -> Any:
    """An empty ``vcr.cassette.Cassette`` for recording at ``path``, its hooks scrubbing with ``scrubber``."""
    return Cassette(**_arguments(path, scrubber, "all"))


def load_cassette(path: Path, scrubber: Scrubber) -> Any:
    """The cassette at ``path`` loaded for replay (record mode ``none``); the file must exist.

    vcrpy passes loaded interactions through the hooks too; they were scrubbed when
    recorded, so the hooks start working only once the file is in.
    """
    arguments = _arguments(path, scrubber, "none")
    request, response = arguments["before_record_request"], arguments["before_record_response"]
    loading = True
    arguments["before_record_request"] = lambda value: value if loading else request(value)
    arguments["before_record_response"] = lambda value: value if loading else response(value)
    cassette = Cassette.load(**arguments)
    loading = False
    return cassette


def matchers() -> list[Any]:
    """The matcher functions, in the order they are tried."""
    return list(_VCR.get_merged_config()["match_on"])


def save(path: Path, requests: list[Any], responses: list[Any], metadata: dict[str, Any] | None = None) -> None:
    """Write ``requests`` and ``responses`` (and vcrpy's cassette ``metadata``, if any) to ``path``
    through the registered persister and serializer."""
    config = _VCR.get_merged_config()
    cassette: dict[str, Any] = {"requests": requests, "responses": responses}
    if metadata:
        cassette["metadata"] = metadata
    config["persister"].save_cassette(str(path), cassette, serializer=config["serializer"])


def metadata_of(cassette: Any) -> dict[str, Any]:
    """The metadata a loaded cassette holds (vcrpy keeps it beside the interactions; empty if none)."""
    found = getattr(cassette, "_metadata", None)
    return dict(found) if isinstance(found, dict) else {}
