"""Building the ``httpx.Request`` of a step: URL, merged headers, params and a streamed body.

Each attempt builds its request anew (a streamed body can be read only once), and
a build failure names the step: a template that cannot be rendered, a file that went
missing, a header that is not ASCII text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from orderspec.engine import _events as ev
from orderspec.engine._errors import ConnectionFailed, FlowError, PickError, TemplateError
from orderspec.engine._flow import Flow, Step
from orderspec.engine._http import Body, Roots, as_text, build_body, confine_to, join_url
from orderspec.engine._mask import Masker
from orderspec.engine._template import Const, EvalFailure, Renderer
from orderspec.engine._wording import Mask, reason

Origin = tuple[str, str, int | None]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL | None) -> Origin | None:
    """Scheme, host and port of an absolute http(s) URL; None for anything else."""
    if url is None or url == "":
        return None
    if isinstance(url, str):
        return _origin_of_text(url)
    return _origin_of_url(url)


@functools.lru_cache(maxsize=256)
def _origin_of_text(url: str) -> Origin | None:
    return _origin_of_url(url)


def _origin_of_url(url: str | httpx.URL) -> Origin | None:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        return None
    return parsed.scheme, parsed.host, parsed.port or _DEFAULT_PORTS[parsed.scheme]


def _shown(origin: Origin | None) -> str:
    if origin is None:
        return "nowhere (no base URL is set)"
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS.get(scheme) else f":{port}")


class _Secrets(Mapping[str, Any]):
    """``secrets`` as one request's templates see it: reading a value is noted, or refused with ``refusal``."""

    __slots__ = ("_values", "read", "refusal")

    def __init__(self, values: Mapping[str, Any], refusal: str | None = None) -> None:
        self._values = values
        self.refusal = refusal
        self.read = False

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if self.refusal is not None:
            raise EvalFailure(f"secrets.{key}", f"secrets.{key} cannot be used here: {self.refusal}")
        self.read = True
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<secrets {', '.join(self._values)}>"

Emit = Callable[[ev.Event], None]


@dataclass(frozen=True, slots=True)
class Built:
    """A request ready to send, with its method and masked URL for results and messages."""

    request: httpx.Request
    method: str
    url: str


class _UploadCounter:
    """Counts bytes of one streamed body and reports them as ``UploadProgress`` events."""

    __slots__ = ("emit", "path", "sent", "total")

    def __init__(self, emit: Emit, path: str) -> None:
        self.emit = emit
        self.path = path
        self.sent = 0
        self.total: int | None = None

    def __call__(self, count: int) -> None:
        self.sent += count
        self.emit(ev.UploadProgress(step=self.path, sent=self.sent, total=self.total))


class RequestBuilder:
    """Builds the requests of one run; headers and timeouts per step are worked out once."""

    def __init__(self, flow: Flow, client: httpx.Client, base_url: str | None, folder: Path, mask: Mask, emit: Emit | None) -> None:
        self.flow = flow
        self.client = client
        self.base_url = base_url
        self.folder = folder
        self.mask = mask
        self.emit = emit
        self._secret_origin: tuple[Origin | None] | None = None
        self._origins: dict[str, Origin | None] = {}
        self._headers: dict[int, tuple[tuple[str, Renderer], ...]] = {}
        self._timeouts: dict[int, httpx.Timeout] = {}

    def seconds(self, step: Step) -> float:
        """How long the step waits for an answer."""
        return step.timeout or self.flow.timeout

    def url(self, step: Step, ctx: dict[str, Any]) -> str:
        """The step's full URL, unmasked (to send or to resolve a relative link against)."""
        assert step.request is not None
        return join_url(self.base_url, as_text(step.request.url(ctx)))

    def _timeout(self, step: Step) -> httpx.Timeout:
        timeout = self._timeouts.get(id(step))
        if timeout is None:
            timeout = self._timeouts[id(step)] = httpx.Timeout(self.seconds(step))
        return timeout

    def _merged_headers(self, step: Step) -> tuple[tuple[str, Renderer], ...]:
        merged = self._headers.get(id(step))
        if merged is None:
            table: dict[str, tuple[str, Renderer]] = {}
            assert step.request is not None
            for name, renderer in self.flow.headers + step.request.headers:
                table[name.lower()] = (name, renderer)
            merged = tuple(item for item in table.values() if not (isinstance(item[1], Const) and item[1].value is None))
            self._headers[id(step)] = merged
        return merged

    @functools.cached_property
    def roots(self) -> Roots:
        """Files are sent from the spec's (the context's) folder and the flow's, nowhere else."""
        return confine_to(self.folder, self.flow.folder)

    def _origin(self, url: str) -> Origin | None:
        """``origin_of(url)``, remembered by the URL's scheme and authority (most requests of a run share one)."""
        scheme, sep, rest = url.partition("://")
        if not sep:
            return origin_of(url)
        authority = scheme + sep + rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if authority not in self._origins:
            self._origins[authority] = origin_of(authority)
        return self._origins[authority]

    def secret_origin(self, ctx: Mapping[str, Any]) -> Origin | None:
        """Where secrets may be sent: the origin of ``target.base_url`` (``--base-url``), else of the flow's ``base_url``."""
        if self._secret_origin is None:
            target = ctx.get("target")
            given = target.get("base_url") if isinstance(target, Mapping) else None
            self._secret_origin = (origin_of(as_text(given)) if given else origin_of(self.base_url),)
        return self._secret_origin[0]

    def build(self, step: Step, ctx: dict[str, Any], path: str, *, url: str | None = None, params: Mapping[str, Any] | None = None) -> Built:
        """The step's request; ``url`` replaces its own (a next page's link, which carries its query),
        ``params`` are added to its own (a page number).

        With secrets in the context, a request to another origin than ``secret_origin``
        may not read them, nor carry a value that holds one (in any encoding).
        """
        request = step.request
        assert request is not None
        label = f"step {path!r}"
        secrets = ctx.get("secrets")
        elsewhere: str | None = None
        try:
            if secrets:
                watched = _Secrets(secrets)
                ctx = {**ctx, "secrets": watched}
                target = self.url(step, ctx) if url is None else url
                allowed, going = self.secret_origin(ctx), self._origin(target)
                if going is None or going != allowed:
                    elsewhere = f"secrets are sent only to {_shown(allowed)}, and this request goes to {_shown(going) if going else repr(target)}"
                    if watched.read:
                        raise TemplateError(
                            self.mask(f"{label}: the url reads secrets; {elsewhere}"),
                            step=path,
                            location=step.location,
                            hint="secrets go to the origin of base_url (or --base-url) only",
                        )
                    ctx["secrets"] = _Secrets(secrets, refusal=elsewhere)
            else:
                target = self.url(step, ctx) if url is None else url
            headers: dict[str, str] = {}
            for name, renderer in self._merged_headers(step):
                value = renderer(ctx)
                if value is not None:
                    headers[name] = as_text(value)
            query: dict[str, Any] | None = None
            if request.params is not None and url is None:
                raw = request.params(ctx)
                query = {key: value for key, value in raw.items() if value is not None}
            if params:
                query = {**(query or {}), **params}
            progress = _UploadCounter(self.emit, path) if self.emit and request.streams else None
            body = build_body(request, ctx, self.folder, progress, self.roots)
            if progress is not None and body is not None:
                progress.total = body.length
        except EvalFailure as exc:
            raise TemplateError(self.mask(f"{label}: {reason(exc)}"), step=path, location=step.location) from None
        except PickError as exc:
            raise PickError(self.mask(f"{label}: {exc.message}"), step=path, location=step.location) from None
        except FlowError as exc:
            if isinstance(exc, TemplateError) and exc.step == path:
                raise
            raise type(exc)(self.mask(f"{label}: {exc.message}"), step=path, location=step.location, hint=exc.hint) from None
        content = None
        if body is not None:
            content = body.content
            if request.multipart_files is not None:  # only our boundary can describe our body
                headers = {name: value for name, value in headers.items() if name.lower() != "content-type"}
                headers["Content-Type"] = body.content_type or ""
            elif body.content_type and not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = body.content_type
            if body.streamed and body.length is not None:
                headers["Content-Length"] = str(body.length)
        try:
            # parsed once by the client, unless a query is added to the URL's own (httpx would replace it)
            address: httpx.URL | str = httpx.URL(target).copy_merge_params(query) if query else target
            built = self.client.build_request(request.method, address, headers=headers, content=content, timeout=self._timeout(step))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise ConnectionFailed(self.mask(f"{label}: invalid URL {target!r}: {exc}"), step=path, location=step.location) from None
        except UnicodeEncodeError:
            names = ", ".join(name for name, value in headers.items() if not value.isascii()) or "?"
            raise TemplateError(self.mask(f"{label}: a header value is not ASCII text (header {names})"), step=path, location=step.location) from None
        except TypeError as exc:  # e.g. a query parameter rendered to a mapping
            raise TemplateError(self.mask(f"{label}: cannot send the request: {exc}"), step=path, location=step.location) from None
        if elsewhere is not None and isinstance(self.mask, Masker) and _carries_secret(built, body, self.mask):
            raise TemplateError(
                self.mask(f"{label}: the request carries a secret; {elsewhere}"),
                step=path,
                location=step.location,
                hint="a value computed from a secret is a secret too; send it to the origin of base_url (or --base-url) only",
            )
        return Built(built, request.method, self.mask(str(built.url)))


def _carries_secret(built: httpx.Request, body: Body | None, mask: Masker) -> bool:
    """Whether a secret, in any of the forms the masker knows, is in the URL, a header or the rendered body."""
    texts = [str(built.url), *(f"{name}: {value}" for name, value in built.headers.items())]
    if body is not None:
        if isinstance(body.content, bytes):
            texts.append(body.content.decode("utf-8", "replace"))
        texts.extend(body.texts)
    return any(mask.found(text) for text in texts)
