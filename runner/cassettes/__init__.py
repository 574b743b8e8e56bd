"""Cassettes: record an HTTP session once, replay it offline as a regression test.

    with record("cassettes/ctq-bracket.yaml", httpx.HTTPTransport(), secrets=[token]) as transport:
        run_flow(flow, context, transport=transport)      # written when the block succeeds

    with replay("cassettes/ctq-bracket.yaml") as transport:
        run_flow(flow, context, transport=transport, clock=InstantClock())   # no network

Built on vcrpy's cassette, matchers, serializer and persister, through transports of
our own (vcrpy's patching of httpx reads whole request bodies into memory). A cassette
holds no credential in any encoding and no uploaded bytes (name, size and SHA-256
instead), matches without host and port, and re-records byte-identically.
``check_cassettes`` lints cassette files (``orderspec cassette check``).
"""

from orderspec.cassettes._check import CheckReport, Finding, check_cassettes
from orderspec.cassettes._errors import CassetteError, CassetteMismatch, CassetteNotFound, CassetteUnreadable
from orderspec.cassettes._paths import cassette_path, scrub_options
from orderspec.cassettes._scrub import PLACEHOLDER, Scrubber
from orderspec.cassettes._sessions import Sessions
from orderspec.cassettes._transport import RecordingTransport, ReplayTransport, record, replay

__all__ = [
    "PLACEHOLDER",
    "CassetteError",
    "CassetteMismatch",
    "CassetteNotFound",
    "CassetteUnreadable",
    "CheckReport",
    "Finding",
    "RecordingTransport",
    "ReplayTransport",
    "Scrubber",
    "Sessions",
    "cassette_path",
    "check_cassettes",
    "record",
    "replay",
    "scrub_options",
]
