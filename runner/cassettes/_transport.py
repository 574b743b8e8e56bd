"""The two transports: one records a session while passing it on, one answers from a cassette.

Both are ``httpx.BaseTransport`` objects, so anything that sends through an ``httpx.Client``
(the engine, ``plan``, ``apply``) records or replays by being given one. Request
bodies are read as a stream in both directions: a recording hashes an upload while it
goes out, a replay hashes it instead of sending it.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from difflib import SequenceMatcher
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
from vcr.matchers import get_matchers_results, requests_match
from vcr.request import Request as VcrRequest

from orderspec.cassettes._body import BodyReader, ObservedStream, read_body
from orderspec.cassettes._errors import CassetteError, CassetteMismatch, CassetteNotFound
from orderspec.cassettes._match import WEIGHTS, request_line
from orderspec.cassettes._pipeline import request_hook, response_hook
from orderspec.cassettes._scrub import PLACEHOLDER, Scrubber
from orderspec.cassettes._vcr import load_cassette, matchers, metadata_of, new_cassette, save

RERECORD_HINT = "if the change is intended, record the cassette again with --record"
_RECOMPUTED = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def _scrubber(secrets: Iterable[str], pairs: Iterable[tuple[str, str]], secret_headers: Iterable[str], secret_params: Iterable[str]) -> Scrubber:
    return Scrubber(secrets, pairs=pairs, headers=secret_headers, params=secret_params)


def _vcr_request(request: httpx.Request, body: Any) -> Any:
    return VcrRequest(request.method, str(request.url), body, dict(request.headers.items()))


def _response_record(response: httpx.Response, content: bytes) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    return {"status": {"code": response.status_code, "message": response.reason_phrase}, "headers": headers, "body": {"string": content}}


def _plain_response(response: httpx.Response, content: bytes) -> httpx.Response:
    """``response`` with its body read and decoded, as the client would have seen it."""
    headers = [(name, value) for name, value in response.headers.multi_items() if name.lower() not in _RECOMPUTED]
    headers.append(("content-length", str(len(content))))
    extensions = {key: value for key, value in response.extensions.items() if key in ("reason_phrase", "http_version")}
    return httpx.Response(response.status_code, headers=headers, stream=httpx.ByteStream(content), extensions=extensions)


class RecordingTransport(httpx.BaseTransport):
    """Sends every request through ``inner`` and keeps a scrubbed record of it.

    The request body streams through unchanged (hashed on the way, never held); the
    answer is read whole, as an API answer is small. Nothing is written until
    ``save()``; ``inner`` is not closed by this transport. ``metadata`` (JSON values) is
    written beside the interactions, as vcrpy's cassette metadata, scrubbed like an answer.
    """

    def __init__(self, path: str | PathLike[str], inner: httpx.BaseTransport, scrubber: Scrubber) -> None:
        self.path = Path(path)
        self._inner = inner
        self._scrubber = scrubber
        self._cassette = new_cassette(self.path, scrubber)
        self._lock = threading.Lock()
        self.metadata: dict[str, Any] = {}

    @property
    def interactions(self) -> int:
        """How many requests were recorded so far."""
        return len(self._cassette.data)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reader = BodyReader(request.headers.get("content-type"))
        stream = ObservedStream(request.stream, reader)
        request.stream = stream
        response = self._inner.handle_request(request)
        try:
            content = response.read()
        finally:
            response.close()
        stream.drain()
        record = _response_record(response, content)
        with self._lock:
            self._cassette.append(_vcr_request(request, reader.result()), record)
        return _plain_response(response, content)

    def save(self) -> None:
        """Write the cassette (every interaction scrubbed once more with all it learned), creating folders."""
        scrub_request, scrub_response = request_hook(self._scrubber), response_hook(self._scrubber)
        with self._lock:
            # Two passes: the first learns every value (a token in the last answer), the
            # second scrubs it from every interaction, also from those recorded before it.
            for _ in range(2):
                requests = [scrub_request(copy.deepcopy(request)) for request, _ in self._cassette.data]
                responses = [scrub_response(copy.deepcopy(response)) for _, response in self._cassette.data]
            metadata = scrub_metadata(self._scrubber, self.metadata)
            try:
                save(self.path, requests, responses, metadata)
            except OSError as exc:
                raise CassetteError(f"cannot write the cassette {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Nothing to release: ``inner`` belongs to the caller."""


class ReplayTransport(httpx.BaseTransport):
    """Answers every request from a cassette and never touches the network.

    Identical requests (polls) get their recorded answers in order; a request the
    cassette does not hold raises ``CassetteMismatch`` naming the nearest recorded one
    and how it differs.
    """

    def __init__(self, path: str | PathLike[str], scrubber: Scrubber | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CassetteNotFound(str(self.path))
        self._scrubber = scrubber or Scrubber()
        self._cassette = load_cassette(self.path, self._scrubber)
        self._matchers = matchers()
        self._lock = threading.Lock()
        self.metadata: dict[str, Any] = metadata_of(self._cassette)
        """What the recording kept beside its interactions (empty for a cassette without metadata)."""

    @property
    def interactions(self) -> int:
        """How many interactions the cassette holds."""
        return len(self._cassette.data)

    def unplayed(self) -> list[str]:
        """The recorded requests not asked for yet, as ``METHOD /path`` lines in recorded order."""
        with self._lock:
            return [request_line(request) for index, (request, _) in enumerate(self._cassette.data) if not self._cassette.play_counts[index]]

    def check_all_played(self) -> None:
        """Raise ``CassetteMismatch`` when the session sent fewer requests than were recorded."""
        missing = self.unplayed()
        if missing:
            shown = "; ".join(missing[:5]) + (f"; and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise CassetteMismatch(
                f"{self.path}: {len(missing)} recorded request{'s were' if len(missing) != 1 else ' was'} not sent in replay: {shown}",
                path=str(self.path),
                differences=tuple(missing),
                hint=RERECORD_HINT,
            )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        live = self._cassette.filter_request(_vcr_request(request, read_body(request)))
        with self._lock:
            record = self._play(live)
        return _replayed(record, request)

    def _play(self, live: Any) -> dict[str, Any]:
        """The answer of the first recorded request that matches ``live`` and was not played yet.

        What vcrpy's ``Cassette.play_response`` does, with method and path checked
        first: every matcher of a request that goes elsewhere need not run.
        """
        cassette = self._cassette
        method, path = live.method.upper(), unquote(live.parsed_uri.path or "/")
        for index, (recorded, response) in enumerate(cassette.data):
            if cassette.play_counts[index] or recorded.method.upper() != method:
                continue
            if unquote(recorded.parsed_uri.path or "/") != path and PLACEHOLDER not in recorded.uri:
                continue
            if requests_match(live, recorded, self._matchers):
                cassette.play_counts[index] += 1
                return dict(response)
        raise self._mismatch(live)

    def close(self) -> None:
        """Nothing to release."""

    # -- explaining a miss -----------------------------------------------------------------------

    def _mismatch(self, scrubbed: Any) -> CassetteMismatch:
        cassette = self._cassette
        line = request_line(scrubbed)
        matching = [index for index, (recorded, _) in enumerate(cassette.data) if requests_match(scrubbed, recorded, self._matchers)]
        if matching:
            count = len(matching)
            return CassetteMismatch(
                f"{self.path}: {line} was recorded {count} time{'s' if count != 1 else ''} and is sent once more (poll {count + 1} of {count} recorded)",
                path=str(self.path),
                differences=(f"poll {count + 1} of {count} recorded",),
                hint="the flow now repeats this request more often than when it was recorded; " + RERECORD_HINT,
            )
        nearest = self._nearest(scrubbed)
        if nearest is None:
            return CassetteMismatch(f"{self.path}: {line} is not in the cassette, which is empty", path=str(self.path), hint=RERECORD_HINT)
        index, failures = nearest
        recorded = cassette.data[index][0]
        differences = tuple(line for _, message in failures for line in (message or "").splitlines() if line)
        details = "".join(f"\n  {difference}" for difference in differences)
        return CassetteMismatch(
            f"{self.path}: no recorded request matches {line}; the nearest is interaction {index + 1}, {request_line(recorded)}:{details}",
            path=str(self.path),
            differences=differences,
            hint=RERECORD_HINT,
        )

    def _nearest(self, live: Any) -> tuple[int, list[tuple[str, str]]] | None:
        cassette = self._cassette
        played = [index for index in range(len(cassette.data)) if cassette.play_counts[index]]
        cursor = max(played) + 1 if played else 0
        best: tuple[tuple[float, int, int], int, list[tuple[str, str]]] | None = None
        for index, (recorded, _) in enumerate(cassette.data):
            successes, failures = get_matchers_results(live, recorded, self._matchers)
            score = float(sum(WEIGHTS.get(name, 1) for name in successes))
            if "path" not in successes:
                score += 3 * SequenceMatcher(None, live.parsed_uri.path, recorded.parsed_uri.path).ratio()
            key = (score, 0 if cassette.play_counts[index] else 1, -abs(index - cursor))
            if best is None or key > best[0]:
                best = (key, index, failures)
        return None if best is None else (best[1], best[2])


def scrub_metadata(scrubber: Scrubber, metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` as JSON data, with credentials and loopback ports scrubbed as in an answer."""
    if not metadata:
        return {}
    text = json.dumps(scrubber.data(metadata), ensure_ascii=False, default=str)
    return dict(json.loads(scrubber.text(text)))


def _replayed(record: dict[str, Any], request: httpx.Request) -> httpx.Response:
    body = record.get("body") or {}
    if body.get("base64") is not None:
        content = base64.b64decode(body["base64"])
    else:
        text = body.get("string") or b""
        content = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    headers = [(name, str(value)) for name, values in (record.get("headers") or {}).items() for value in (values if isinstance(values, list) else [values])]
    headers.append(("content-length", str(len(content))))
    status = record.get("status") or {}
    message = status.get("message")
    extensions = {"reason_phrase": message.encode("ascii", "replace")} if message else {}
    return httpx.Response(int(status.get("code", 200)), headers=headers, stream=httpx.ByteStream(content), extensions=extensions, request=request)


@contextmanager
def record(
    path: str | PathLike[str],
    inner: httpx.BaseTransport,
    *,
    secrets: Iterable[str] = (),
    pairs: Iterable[tuple[str, str]] = (),
    secret_headers: Iterable[str] = (),
    secret_params: Iterable[str] = (),
) -> Iterator[RecordingTransport]:
    """A transport that records every request sent through ``inner`` to the cassette at ``path``.

    The file is written (parent folders created, atomically) only when the block ends
    without an exception; a session that fails writes nothing and leaves an earlier
    cassette as it was. ``secrets`` (values), ``pairs`` ((username, password) sent as
    Basic auth), ``secret_headers`` (a profile's auth header) and ``secret_params``
    (a query-parameter credential) are scrubbed in any encoding, on top of the
    credential headers, parameters and JSON keys scrubbed always.
    """
    transport = RecordingTransport(path, inner, _scrubber(secrets, pairs, secret_headers, secret_params))
    yield transport
    transport.save()


@contextmanager
def replay(
    path: str | PathLike[str],
    *,
    secrets: Iterable[str] = (),
    pairs: Iterable[tuple[str, str]] = (),
    secret_headers: Iterable[str] = (),
    secret_params: Iterable[str] = (),
    strict: bool = False,
) -> Iterator[ReplayTransport]:
    """A transport that answers from the cassette at ``path``; nothing is sent anywhere.

    Raises ``CassetteNotFound`` when there is no such file. With ``strict``, a block
    that ends without an exception also checks that every recorded request was sent.
    The secret options are only needed to match a request whose credential appears
    where nothing else marks it as one (a recorded ``<scrubbed>`` matches any value).
    """
    transport = ReplayTransport(path, _scrubber(secrets, pairs, secret_headers, secret_params))
    yield transport
    if strict:
        transport.check_all_played()
