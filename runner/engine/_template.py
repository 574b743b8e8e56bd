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
import ctypes
import difflib
import functools
import hashlib
import json
import mimetypes
import re
import threading
import time
import uuid as _uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from jinja2 import StrictUndefined, Template, Undefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.parser import Parser
from jinja2.runtime import Context as Context_
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

from orderspec.engine._alarms import ALARMS
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


TEMPLATE_SIZE = 16 << 20
"""Most characters (or items) of any value a template or expression builds."""
TEMPLATE_SECONDS = 5.0
"""Longest one template or expression may take to evaluate."""
MAX_RANGE = 100_000
"""Most numbers ``range`` gives."""
_MAX_BITS = 1 << 16
"""Largest integer ``**`` may build (65536 bits, about 20,000 digits)."""
_FORMAT_WIDTH = re.compile(r"\d{6,}")


class TemplateLimit(SecurityError):
    """A template tried to build a value too large, or took too long."""


class _Timeout(Exception):
    """Raised into a thread whose template ran past its time budget."""


class _Budget(threading.local):
    """The deadline of the template the current thread evaluates (0: none)."""

    deadline = 0.0


_BUDGET = _Budget()


def _check_time() -> None:
    if _BUDGET.deadline and time.monotonic() > _BUDGET.deadline:
        raise TemplateLimit(f"it took longer than {TEMPLATE_SECONDS:g} s")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) else 0


def _check_size(value: Any) -> Any:
    if _size(value) > TEMPLATE_SIZE:
        raise TemplateLimit(f"a value of more than {TEMPLATE_SIZE} characters or items")
    return value


def _check_format(pattern: Any) -> None:
    """Refuse ``%0999999999d`` and ``{:>999999999}``: widths that allocate gigabytes."""
    if isinstance(pattern, str):
        for match in _FORMAT_WIDTH.finditer(pattern):
            if int(match.group(0)) > TEMPLATE_SIZE:
                raise TemplateLimit(f"a format width of {match.group(0)}")


class _Range:
    """``range`` in templates: at most ``MAX_RANGE`` numbers, checking the time budget as it is walked."""

    __slots__ = ("_numbers",)

    def __init__(self, *args: int) -> None:
        self._numbers = range(*args)
        if len(self._numbers) > MAX_RANGE:
            raise TemplateLimit(f"a range of {len(self._numbers)} numbers (at most {MAX_RANGE})")

    def __iter__(self) -> Iterator[int]:
        for count, number in enumerate(self._numbers):
            if not count % 1000:
                _check_time()
            yield number

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int) -> int:
        return self._numbers[index]

    def __contains__(self, value: object) -> bool:
        return value in self._numbers

    def __repr__(self) -> str:
        return repr(self._numbers)


class _Namespace(Namespace):
    """``namespace()`` whose attributes stay within the size limit (no doubling a string in a loop)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _check_time()
        super().__setitem__(name, _check_size(value))


def _estimate(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How large the result of a call that can multiply its input may get; 0 when it cannot."""
    first = args[0] if args else None
    if name in ("center", "ljust", "rjust", "zfill", "indent", "wordwrap", "truncate"):
        widths = [value for value in (*args[1:], *kwargs.values()) if isinstance(value, int)]
        width = max(widths, default=0)
        lines = first.count("\n") + 1 if isinstance(first, str) else 1
        return _size(first) + width * (lines if name == "indent" else 1)
    if name == "expandtabs" and isinstance(first, str):
        tab = next((value for value in (*args[1:], *kwargs.values()) if isinstance(value, int)), 8)
        return len(first) * max(tab, 1)
    if name == "replace" and isinstance(first, str) and len(args) >= 3:
        old, new = str(args[1]), str(args[2])
        return len(first) + (first.count(old) if old else len(first) + 1) * max(len(new) - len(old), 0)
    if name == "join":
        items = args[1] if len(args) > 1 else first
        separator = first if isinstance(first, str) and len(args) > 1 else str(kwargs.get("d", args[1] if len(args) > 1 else ""))
        if isinstance(items, (list, tuple, str)):
            return sum(_size(item) for item in items) + len(separator) * len(items)
    if name in ("tojson", "pprint"):
        indent = kwargs.get("indent", args[1] if len(args) > 1 else None)
        if isinstance(indent, int) and indent > 64:
            return TEMPLATE_SIZE + 1
    return 0


def _limited_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a filter) checking the time budget, what its result could grow to, and what it returned."""

    @functools.wraps(func)
    def limited(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        values = args[1:] if getattr(func, "jinja_pass_arg", None) is not None else args
        if name == "format" and values:
            _check_format(values[0])
        if _estimate(name, tuple(values), kwargs) > TEMPLATE_SIZE:
            raise TemplateLimit(f"{name} would build a value of more than {TEMPLATE_SIZE} characters")
        return _check_size(func(*args, **kwargs))

    return limited


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, reading ``a.b`` on a mapping as its key ``b`` only, and bounded.

    Plain Jinja tries the attribute first, so ``order.items`` would be ``dict.items``
    and ``body.count`` the method: in a flow the data always wins.

    Nothing a flow evaluates may hang or exhaust memory: ``*``, ``**``, ``+`` and ``%``,
    every call and every filter are checked before they build a value larger than
    ``TEMPLATE_SIZE`` (a string repeated, a number raised to a huge power, a
    ``center(10**9)``), ``range`` is bounded, there is no ``lipsum``, and each evaluation
    has ``TEMPLATE_SECONDS``.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context_, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0 and left.bit_length() * right > _MAX_BITS:
                raise TemplateLimit(f"{left} ** {right} is too large a number")
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if _size(sequence) and isinstance(times, int) and _size(sequence) * times > TEMPLATE_SIZE:
                    raise TemplateLimit(f"repeating a value {times} times would build more than {TEMPLATE_SIZE} characters or items")
        elif operator == "+":
            if _size(left) + _size(right) > TEMPLATE_SIZE:
                raise TemplateLimit(f"a value of more than {TEMPLATE_SIZE} characters or items")
        elif operator == "%":
            _check_format(left)
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context_, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        name = getattr(__obj, "__name__", "")
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # str.format comes wrapped by the sandbox
        if isinstance(owner, str):
            if name in ("format", "format_map"):
                _check_format(owner)
            if _estimate(name, (owner, *args), kwargs) > TEMPLATE_SIZE:
                raise TemplateLimit(f"{name} would build a value of more than {TEMPLATE_SIZE} characters")
        for value in (*args, *kwargs.values()):
            _check_size(value)
        return _check_size(super().call(__context, __obj, *args, **kwargs))


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
ENV.filters.update({name: _limited_filter(name, func) for name, func in ENV.filters.items()})
del ENV.globals["lipsum"]  # pages of generated text: nothing a request needs
ENV.globals.update(range=_Range, namespace=_Namespace)
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


class _Watch:
    """Raises ``_Timeout`` into the evaluating thread once its budget is spent, unless it finished first."""

    __slots__ = ("active", "lock", "thread")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = True
        self.thread = threading.get_ident()

    def expire(self) -> None:
        with self.lock:
            if self.active:  # a loop that calls no hook: interrupt it between two bytecodes
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread), ctypes.py_object(_Timeout))

    def finish(self) -> None:
        with self.lock:
            self.active = False


def _within_budget(func: Renderer, ctx: Context) -> Any:
    """``func(ctx)`` within ``TEMPLATE_SECONDS``: checked by the sandbox's hooks, enforced by an alarm."""
    if _BUDGET.deadline:  # already inside an evaluation: its budget holds
        return func(ctx)
    _BUDGET.deadline = time.monotonic() + TEMPLATE_SECONDS
    watch = _Watch()
    token = ALARMS.schedule(TEMPLATE_SECONDS + 1.0, watch.expire)
    try:
        try:
            return func(ctx)
        finally:
            watch.finish()
            ALARMS.cancel(token)
            _BUDGET.deadline = 0.0
    except _Timeout:
        raise TemplateLimit(f"it took longer than {TEMPLATE_SECONDS:g} s") from None


def _guarded(source: str, func: Renderer) -> Renderer:
    """Wrap a Jinja-backed renderer so every failure becomes an ``EvalFailure``."""

    def run(ctx: Context) -> Any:
        try:
            value = _within_budget(func, ctx)
        except PickError:
            raise
        except RecursionError:
            raise EvalFailure(source, "nested too deeply (a macro calling itself without end?)") from None
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


def _not_too_deep(compile_: Callable[[Any], Renderer]) -> Callable[[Any], Renderer]:
    """``compile_`` raising ``TemplateSyntaxError`` for text nested too deeply for Jinja's parser, or that fails while it is compiled."""

    @functools.wraps(compile_)
    def checked(value: Any) -> Renderer:
        try:
            return compile_(value)
        except RecursionError:
            raise TemplateSyntaxError("nested too deeply (thousands of brackets or blocks)", 1) from None
        except TemplateSyntaxError:
            raise
        except JinjaTemplateError as exc:  # Jinja folding constants met an unsafe attribute or an undefined value
            raise TemplateSyntaxError(_jinja_failure("", exc).reason, 1) from None
        except SyntaxError as exc:  # Python refused the code Jinja generated (a keyword argument given twice)
            raise TemplateSyntaxError(exc.msg, 1) from None

    return checked


@_not_too_deep
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


def _render_bounded(template: Template, ctx: Context) -> str:
    """The template's text, stopped once it would pass ``TEMPLATE_SIZE`` characters."""
    parts: list[str] = []
    size = 0
    for part in template.generate(ctx):
        size += len(part)
        if size > TEMPLATE_SIZE:
            raise TemplateLimit(f"a text of more than {TEMPLATE_SIZE} characters")
        parts.append(part)
    return "".join(parts)


def _compile_text(source: str) -> Renderer:
    frozen = _fast_parts(ENV.parse(source))
    if frozen is None:
        template = ENV.from_string(source)
        return _guarded(source, lambda ctx: _render_bounded(template, ctx))

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


@_not_too_deep
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


@_not_too_deep
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
        parts.append(_guarded(value, functools.partial(_render_bounded, template)))
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
