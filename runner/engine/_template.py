"""Templates and expressions of flows, compiled once and evaluated many times.

Everything is Jinja2 in a ``SandboxedEnvironment`` with ``StrictUndefined``. Most
flow text is a constant or a plain path (``vars.basket_id``,
``response.body.results[0].id``); those compile to small Python closures that walk
the data directly, which keeps the per-step cost of the engine far below a
request's. Anything else (filters, tests, arithmetic) is left to Jinja.

Values that come from the context are data: a rendered string is never rendered
again, so ``{{ ... }}`` inside a spec value is sent as it is.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import mimetypes
import re
import time
import uuid as _uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment

from orderspec.engine._errors import PickError

Context = Mapping[str, Any]
Renderer = Callable[[Context], Any]

_SINGLE = re.compile(r"^\{\{-?((?:(?!\{\{|\}\}).)*?)-?\}\}$", re.DOTALL)


class EvalFailure(Exception):
    """A template or expression failed; ``source`` is its text, ``reason`` what went wrong."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"`{source}`: {reason}")
        self.source = source
        self.reason = reason


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, reading ``a.b`` on a mapping as its key ``b`` only.

    Plain Jinja tries the attribute first, so ``order.items`` would be ``dict.items``
    and ``body.count`` the method: in a flow the data always wins.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def pick(items: Any, name: Any, by: str = "name", what: str = "material", searched: bool = False) -> Any:
    """The element of ``items`` whose ``by`` field equals ``name``; a clear error otherwise.

    This is how names written in a spec ("PA12 White") become the target's ids. An
    exact match wins; otherwise a single case-insensitive match is accepted. ``searched``
    says ``items`` is what a search answered, so an empty list means nothing matched,
    not that the target has none.
    """
    if isinstance(items, Undefined):
        items._fail_with_undefined_error()
    if not isinstance(items, list):
        raise PickError(f"pick: expected a list of {what}s, got {type(items).__name__}")
    candidates = [item for item in items if isinstance(item, dict) and by in item]
    for item in candidates:
        if item[by] == name:
            return item
    wanted = str(name).casefold().strip()
    loose = [item for item in candidates if str(item[by]).casefold().strip() == wanted]
    if len(loose) == 1:
        return loose[0]
    names = [str(item[by]) for item in candidates]
    if not names:
        raise PickError(f"no {what} matches {name!r}" if searched else f"unknown {what} {name!r}: the target offers no {what}s")
    close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.0)
    listed = ", ".join(repr(n) for n in names[:40]) + (", ..." if len(names) > 40 else "")
    message = f"unknown {what} {name!r}; valid names: {listed}"
    if close:
        message += f"; closest match: {close[0]!r}"
    raise PickError(message)


def _tojson(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=str)


def _b64encode(value: Any) -> str:
    data = value if isinstance(value, bytes) else str(value).encode()
    return base64.b64encode(data).decode("ascii")


def _mimetype(value: Any) -> str:
    """The content type a file name suggests (``image/jpeg`` for ``a.JPG``); ``application/octet-stream`` otherwise."""
    return mimetypes.guess_type(str(value).lower())[0] or "application/octet-stream"


def _sha256(value: Any) -> str:
    data = value if isinstance(value, bytes) else str(value).encode()
    return hashlib.sha256(data).hexdigest()


ENV = _Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
ENV.filters.update(pick=pick, tojson=_tojson, b64encode=_b64encode, sha256=_sha256, mimetype=_mimetype)
# The dynamic values of JetBrains HTTP Client files ($uuid, $timestamp, $isoTimestamp).
ENV.globals.update(
    uuid=lambda: str(_uuid.uuid4()),
    timestamp=lambda: int(time.time()),
    iso_timestamp=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
)


# -- fast paths -----------------------------------------------------------------------

_MISSING = object()


def _describe(obj: Any) -> str:
    if obj is None:
        return "null"
    if isinstance(obj, dict):
        keys = ", ".join(map(str, list(obj)[:8])) + (", ..." if len(obj) > 8 else "")
        return f"an object with keys {keys}" if obj else "an empty object"
    if isinstance(obj, list):
        return f"a list of {len(obj)}" if obj else "an empty list"
    return f"a {type(obj).__name__}"


def _step(getter: Renderer, key: Any, text: str, parent: str) -> Renderer:
    """One ``.key`` or ``[key]`` after ``getter``; missing keys fail with the path so far."""

    def get(ctx: Context) -> Any:
        obj = getter(ctx)
        if type(obj) is dict:
            value = obj.get(key, _MISSING)
            if value is not _MISSING:
                return value
        elif type(obj) is list and type(key) is int:
            if -len(obj) <= key < len(obj):
                return obj[key]
            raise EvalFailure(text, f"{text} is out of range ({parent} is {_describe(obj)})")
        else:
            value = _slow_get(obj, key)
            if value is not _MISSING:
                return value
        raise EvalFailure(text, f"{text} is undefined ({parent} is {_describe(obj)})")

    return get


def _slow_get(obj: Any, key: Any) -> Any:
    if isinstance(key, str):
        value = ENV.getattr(obj, key)
    else:
        value = ENV.getitem(obj, key)
    return _MISSING if isinstance(value, Undefined) else value


def _path_renderer(node: nodes.Node) -> tuple[Renderer, str] | None:
    """A closure for ``name(.attr|[const])*``, with its text; None for anything else."""
    if isinstance(node, nodes.Name) and node.ctx == "load":
        name = node.name

        def root(ctx: Context) -> Any:
            try:
                return ctx[name]
            except KeyError:
                raise EvalFailure(name, f"'{name}' is undefined") from None

        return root, name
    if isinstance(node, nodes.Getattr):
        inner = _path_renderer(node.node)
        if inner is None or node.attr.startswith("_"):
            return None
        text = f"{inner[1]}.{node.attr}"
        return _step(inner[0], node.attr, text, inner[1]), text
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _path_renderer(node.node)
        key = node.arg.value
        if inner is None or not isinstance(key, (int, str)) or (isinstance(key, str) and key.startswith("_")):
            return None
        text = f"{inner[1]}[{key!r}]"
        return _step(inner[0], key, text, inner[1]), text
    if isinstance(node, nodes.Const) and isinstance(node.value, (str, int, float, bool, type(None))):
        value = node.value
        return (lambda ctx: value), repr(value)
    return None


# -- compiling ------------------------------------------------------------------------


class Const:
    """A value without templates: rendered once, at load time."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self, ctx: Context) -> Any:
        return self.value


def _jinja_failure(source: str, exc: Exception) -> EvalFailure:
    if isinstance(exc, EvalFailure):
        return exc
    if isinstance(exc, SecurityError):
        return EvalFailure(source, f"not allowed in a flow: {exc}")
    if isinstance(exc, JinjaTemplateError):
        return EvalFailure(source, exc.message or type(exc).__name__)
    return EvalFailure(source, f"{type(exc).__name__}: {exc}")


def _guarded(source: str, func: Renderer) -> Renderer:
    """Wrap a Jinja-backed renderer so every failure becomes an ``EvalFailure``."""

    def run(ctx: Context) -> Any:
        try:
            value = func(ctx)
        except PickError:
            raise
        except Exception as exc:  # noqa: BLE001 - any error inside Jinja is the flow author's to fix
            raise _jinja_failure(source, exc) from None
        if isinstance(value, Undefined):
            try:
                value._fail_with_undefined_error()
            except Exception as exc:  # noqa: BLE001 - Jinja's own undefined error
                raise _jinja_failure(source, exc) from None
        return value

    return run


_EXPRESSIONS: dict[str, Renderer] = {}
_TEMPLATES: dict[str, Renderer] = {}


def compile_expression(source: str) -> Renderer:
    """Compile a bare expression (``response.body.id``); raises ``TemplateSyntaxError``."""
    cached = _EXPRESSIONS.get(source)
    if cached is not None:
        return cached
    parser = Parser(ENV, source, state="variable")
    node = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError("unexpected text after the expression", parser.stream.current.lineno)
    fast = _path_renderer(node)
    if fast is not None:
        renderer = fast[0]
    else:
        expression = ENV.compile_expression(source, undefined_to_none=False)
        renderer = _guarded(source, lambda ctx: expression(ctx))
    _EXPRESSIONS[source] = renderer
    return renderer


def _compile_string(source: str) -> Renderer:
    cached = _TEMPLATES.get(source)
    if cached is not None:
        return cached
    renderer: Renderer
    if "{{" not in source and "{%" not in source and "{#" not in source:
        renderer = Const(source)
    else:
        single = _SINGLE.match(source)
        if single:
            renderer = compile_expression(single.group(1).strip())
        else:
            renderer = _compile_text(source)
    _TEMPLATES[source] = renderer
    return renderer


def _fast_parts(tree: nodes.Template) -> tuple[Renderer | str, ...] | None:
    """The text and plain paths of a template made of nothing else; None when Jinja must render it."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    parts: list[Renderer | str] = []
    for child in tree.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            parts.append(child.data)
            continue
        fast = _path_renderer(child)
        if fast is None:
            return None
        parts.append(fast[0])
    return tuple(parts)


def _compile_text(source: str) -> Renderer:
    frozen = _fast_parts(ENV.parse(source))
    if frozen is None:
        template = ENV.from_string(source)
        return _guarded(source, lambda ctx: template.render(ctx))

    def render(ctx: Context) -> str:
        out = []
        for part in frozen:
            if isinstance(part, str):
                out.append(part)
            else:
                value = part(ctx)
                out.append(value if type(value) is str else str(value))
        return "".join(out)

    return render


def compile_template(value: Any) -> Renderer:
    """Compile a template value: strings are templates, containers are walked, the rest is data.

    A string that is exactly one ``{{ expression }}`` keeps the expression's type.
    Constant subtrees become ``Const`` and cost nothing when rendered.
    """
    if isinstance(value, str):
        return _compile_string(value)
    if isinstance(value, dict):
        items = [(key, compile_template(item)) for key, item in value.items()]
        if all(isinstance(item, Const) for _, item in items):
            return Const(value)
        return lambda ctx: {key: item(ctx) for key, item in items}
    if isinstance(value, list):
        elements = [compile_template(item) for item in value]
        if all(isinstance(item, Const) for item in elements):
            return Const(value)
        return lambda ctx: [item(ctx) for item in elements]
    return Const(value)



# -- URLs -----------------------------------------------------------------------------

_PATH_SAFE = "-._~!$&'()*+,;=:@"
"""Characters a value keeps in a path segment (RFC 3986 ``pchar`` without ``/``)."""
_QUERY_SAFE = "-._~!$'()*,;:@/?"
"""Characters a value keeps in a query or fragment (``&``, ``=``, ``+`` and ``#`` are encoded)."""
_ENCODED = re.compile(r"(%[0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def url_quote(text: str, part: str) -> str:
    """``text`` percent-encoded as a value in the ``path`` or ``query`` of a URL.

    ``%XX`` already in it is kept (``| urlencode`` in the template, an id the target
    encoded), so encoding twice changes nothing; a lone ``.`` or ``..`` is encoded too,
    or it would be read as a step up the path.
    """
    if part == "path" and text in (".", ".."):
        return text.replace(".", "%2E")
    safe = _PATH_SAFE if part == "path" else _QUERY_SAFE
    pieces = _ENCODED.split(text)
    return "".join(piece if index % 2 else quote(piece, safe=safe) for index, piece in enumerate(pieces))


def _url_part(prefix: str) -> str | None:
    """What a value continues after ``prefix``: ``path``, ``query``, or None at the start of the URL or in its host."""
    if not prefix:
        return None
    if "?" in prefix or "#" in prefix:
        return "query"
    scheme = _SCHEME.match(prefix)
    if scheme is not None and "/" not in prefix[scheme.end() :]:
        return None
    return "path"


_URLS: dict[str, Renderer] = {}


def compile_url(value: Any) -> Renderer:
    """Compile a request's ``url``: values inserted after its start are percent-encoded data.

    ``/orders/{{ vars.id }}/apply-discount/{{ order.discount_code }}`` cannot be steered
    to another path by a code holding ``/``, ``?``, ``#`` or ``..``; a value that starts
    the URL (``{{ target.base_url }}/x``, ``{{ vars.service }}/users/``, a signed URL) is
    inserted as written. A url built with ``{% %}`` blocks is rendered as written.
    """
    if not isinstance(value, str):
        return compile_template(value)
    cached = _URLS.get(value)
    if cached is not None:
        return cached
    plain = _compile_string(value)
    if isinstance(plain, Const) or _SINGLE.match(value):
        _URLS[value] = plain
        return plain
    tree = ENV.parse(value)
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        _URLS[value] = plain
        return plain
    parts: list[Renderer | str] = []
    for child in tree.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            parts.append(child.data)
            continue
        fast = _path_renderer(child)
        if fast is not None:
            parts.append(fast[0])
            continue
        single = nodes.Template([nodes.Output([child], lineno=child.lineno)], lineno=child.lineno)
        single.set_environment(ENV)
        template = ENV.from_string(single)
        parts.append(_guarded(value, template.render))
    frozen = tuple(parts)

    def render(ctx: Context) -> str:
        out = ""
        for part in frozen:
            if isinstance(part, str):
                out += part
                continue
            result = part(ctx)
            text = result if type(result) is str else str(result)
            where = _url_part(out)
            out += text if where is None else url_quote(text, where)
        return out

    _URLS[value] = render
    return render
