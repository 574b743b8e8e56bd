"""Hypothesis strategies for hostile inputs: mutated sources, template payloads, credentials, paths, answers.

Shared by the tests (``tests/fuzz/test_*.py``, a few hundred derandomized cases) and the
bench (``bench/_fuzz.py``, thousands). Every mutation starts from a real file the project
ships or tests with, so the inputs stay close to what a user writes.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

HTTP_SEEDS = {
    "inline.http": b"""@host = https://api.example.test
@token = secret-token

### create a basket
# @name basket
POST {{host}}/baskets
Authorization: Bearer {{token}}
Content-Type: application/json

{"currency": "EUR", "items": [{"sku": "A-1", "quantity": 2}]}

> {% client.global.set("basket_id", response.body.id); %}

### upload
POST {{host}}/baskets/{{basket_id}}/files
Content-Type: multipart/form-data; boundary=b

--b
Content-Disposition: form-data; name="file"; filename="cube.stl"

< ./models/cube.stl
--b--

### order
POST {{host}}/orders?basket={{basket_id}}
Content-Type: application/x-www-form-urlencoded

basket={{basket_id}}&note=hello

### poll
GET {{host}}/orders/{{$random.uuid}}
Accept: application/json
""",
}


@functools.cache
def seeds(kind: str) -> tuple[tuple[str, bytes], ...]:
    """The files mutations start from: ``spec``, ``flow``, ``profiles`` or ``http``."""
    if kind == "spec":
        paths = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
    elif kind == "flow":
        paths = sorted((ROOT / "runner" / "flows").glob("*.yaml"))
    elif kind == "profiles":
        paths = [ROOT / "orderspec.yaml"]
    elif kind == "http":
        found = tuple((path.name, path.read_bytes()) for path in sorted((ROOT / "tests").rglob("*.http")))
        return found + tuple(HTTP_SEEDS.items())
    else:
        raise ValueError(kind)
    return tuple((path.name, path.read_bytes()) for path in paths)


# -- values a hostile or careless author writes ------------------------------------------------

_ODD_TEXT = [
    "",
    " ",
    "\t",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;aGk=\x07",
    "\r\n",
    "\u202e\u2066",
    "\ufeff",
    "\ud7ff\ue000",
    "ß" * 3,
    "😀" * 5,
    "a" * 5000,
    "{{ 7*7 }}",
    "{% for x in range(10) %}x{% endfor %}",
    "${HOME}",
    "%s%n%x",
    "../../../etc/passwd",
    "/dev/zero",
    "*&anchor",
    "!!python/object:os.system",
    "- a\n- b",
    "key: value",
    "null",
    "NaN",
    ".inf",
    "0x1F",
    "1e999",
    "2001-02-03",
]


def scalars() -> st.SearchStrategy[Any]:
    """Scalar values of every YAML type, ordinary and extreme."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 2**31, 2**63, 2**64 + 1, 10**100, -(10**100)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(_ODD_TEXT),
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), max_size=20),
    )


def values(depth: int = 3) -> st.SearchStrategy[Any]:
    """Any value: scalars, lists and mappings (keys of any type), nested up to ``depth``."""
    keys = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.sampled_from(_ODD_TEXT[:14]))
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=12,
    )


def deeply_nested() -> st.SearchStrategy[Any]:
    """A list or mapping nested far deeper than any spec needs."""

    def build(args: tuple[int, bool]) -> Any:
        depth, as_list = args
        value: Any = "x"
        for _ in range(depth):
            value = [value] if as_list else {"k": value}
        return value

    return st.tuples(st.integers(40, 400), st.booleans()).map(build)


def hostile_values() -> st.SearchStrategy[Any]:
    return st.one_of(scalars(), values(), deeply_nested())


# -- mutations --------------------------------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``data`` (mapping keys and list indexes), the root included."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any, how: str) -> Any:
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[str(value)[:40] if not isinstance(value, (dict, list)) else "renamed"] = parent.pop(last)
    elif how == "wrap":
        parent[last] = [parent[last]] if not isinstance(parent[last], list) else {"wrapped": parent[last]}
    else:
        parent[last] = value
    return data


def _dump(data: Any) -> bytes:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, RecursionError, ValueError):
        return yaml.safe_dump({"unrepresentable": True}).encode()


@st.composite
def structural_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` parsed, one to three values replaced, removed, renamed or wrapped, and written back."""
    data = yaml.safe_load(seed)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths[1:] if len(paths) > 1 else paths))
        how = draw(st.sampled_from(["replace", "replace", "replace", "delete", "rename", "wrap"]))
        if not path and how != "replace":
            how = "replace"
        data = _set(data, path, draw(hostile_values()), how)
    return _dump(data)


@st.composite
def byte_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with one to eight byte-level edits: flips, inserts, deletes, duplicated or truncated runs."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate", "interesting"]))
        if op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))] * draw(st.integers(1, 50))
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.sampled_from(_INTERESTING_BYTES))
    return bytes(data)


_INTERESTING_BYTES = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\r",
    b"\t",
    b"\x1b[2J",
    b": ",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!binary ",
    b"!!python/name:os.system ",
    b"? ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"'",
    b'"',
    b"\\",
    b"{",
    b"[",
    b"}}",
    b"{{",
    b"{%",
    b"#",
    b"|",
    b">",
    b"@",
    b"\n###\n",
    b"\n< /etc/passwd\n",
    b"\n> {% client.global.set('x', 1) %}\n",
    "ü".encode(),
    "\u2028".encode(),
    b"9" * 400,
    b"1e99999",
    b".nan",
]


@st.composite
def line_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with lines deleted, swapped, repeated, re-indented or replaced."""
    lines = seed.split(b"\n")
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            lines = [b""]
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "swap", "repeat", "indent", "dedent", "replace", "tabs"]))
        if op == "delete":
            del lines[at]
        elif op == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "repeat":
            lines[at:at] = [lines[at]] * draw(st.integers(1, 300))
        elif op == "indent":
            lines[at] = b" " * draw(st.integers(1, 9)) + lines[at]
        elif op == "dedent":
            lines[at] = lines[at].lstrip()
        elif op == "tabs":
            lines[at] = lines[at].replace(b"  ", b"\t")
        else:
            lines[at] = draw(st.sampled_from(_INTERESTING_BYTES)) + lines[at][len(lines[at]) // 2 :]
    return b"\n".join(lines)


@st.composite
def http_mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with lines an .http file may hold put in odd places: requests, headers, variables, files, scripts."""
    lines = seed.split(b"\n")
    fragments = st.one_of(
        st.sampled_from(
            [
                b"GET",
                b"POST {{host}}/{{",
                b"PATCH https://x.test/a?b={{c}}&d HTTP/2",
                b"DELETE /relative",
                b"OPTIONS *",
                b"X-Header:",
                b": value",
                b"Authorization: Basic {{user}} {{password}}",
                b"@host =",
                b"@ = x",
                b"@v = {{v}}",
                b"< ",
                b"< ../../../etc/passwd",
                b"< /dev/zero",
                b"<> response.json",
                b"> {%",
                b"%}",
                b"> script.js",
                b"# @name",
                b"# @no-redirect",
                b"// @timeout 0",
                b"###",
                b"--boundary",
                b'Content-Disposition: form-data; name="f"; filename="../x"',
                b"Content-Type: multipart/form-data; boundary=",
                b'{"a": ',
                b"{{$random.integer(1, 1000000000000)}}",
                b"{{$timestamp}}{{$uuid}}{{$processEnv HOME}}",
            ]
        ),
        st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = [draw(fragments)]
    return b"\n".join(lines)


def mutated(kind: str) -> st.SearchStrategy[tuple[str, bytes]]:
    """(seed name, mutated text) for sources of ``kind``: byte, line and structure-aware mutations."""
    options: list[st.SearchStrategy[tuple[str, bytes]]] = []
    for name, seed in seeds(kind):
        ways: list[st.SearchStrategy[bytes]] = [byte_mutation(seed), line_mutation(seed)]
        ways.append(http_mutation(seed) if kind == "http" else structural_mutation(seed))
        options.append(st.tuples(st.just(name), st.one_of(ways)))
    return st.one_of(options)


# -- templates --------------------------------------------------------------------------------

TEMPLATE_PAYLOADS = [
    "{{ 7*7 }}",
    "{{ ''.__class__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch CANARY').read() }}",
    "{{ namespace.__init__.__globals__['__builtins__']['open']('CANARY', 'w') }}",
    "{{ lipsum.__globals__['os'].popen('touch CANARY') }}",
    "{{ self._TemplateReference__context }}",
    "{{ config }}",
    "{{ request.environ }}",
    "{{ vars.__class__.__init__.__globals__ }}",
    "{{ (vars | attr('__class__')) }}",
    "{{ ''['\\x5f\\x5fclass\\x5f\\x5f'] }}",
    "{{ 9**9**9 }}",
    "{{ 'a'*10**9 }}",
    "{{ [0]*10**9 }}",
    "{{ range(10**10) | list }}",
    "{{ 'x' | center(10**10) }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '{:>9999999999}'.format(1) }}",
    "{{ {'a': 1} | tojson(indent=10**9) }}",
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "{% set ns = namespace(s='x') %}{% for i in range(80) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{% for %}",
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{% if 1 %}" * 500 + "x" + "{% endif %}" * 500,
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "{{ }}",
    "{{",
    "}}{{",
    "{# #}",
]

_ATOMS = ["''", "'x'", "[0]", "vars", "order", "range(3)", "namespace()", "cycler", "joiner", "lipsum", "10", "9", "1e308", "{}", "()"]
_OPERATORS = ["*", "**", "+", "~", "%", "//"]
_ATTRIBUTES = ["__class__", "__mro__", "__subclasses__()", "__globals__", "__init__", "__dict__", "__builtins__", "mro()", "format", "__reduce__()"]
_FILTERS = [
    "list",
    "string",
    "join",
    "center(10**9)",
    "indent(10**9)",
    "replace('x', 'x'*1000)",
    "tojson",
    "attr('__class__')",
    "map('string')",
    "sum",
    "urlencode",
    "b64encode",
    "length",
    "format(1)",
    "batch(10**9)",
    "wordwrap(1)",
    "truncate(10**9)",
]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """A Jinja expression built from atoms, operators, attribute walks and filters, some enormous."""
    if depth > 3 or draw(st.booleans()):
        text = draw(st.sampled_from(_ATOMS))
    else:
        left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
        text = f"({left} {draw(st.sampled_from(_OPERATORS))} {right})"
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["attr", "filter", "item", "call"]))
        if kind == "attr":
            text += "." + draw(st.sampled_from(_ATTRIBUTES))
        elif kind == "filter":
            text = f"({text} | {draw(st.sampled_from(_FILTERS))})"
        elif kind == "item":
            text += f"[{draw(st.sampled_from(['0', '-1', repr('__class__'), '10**9', '1:']))}]"
        else:
            text += "()"
    return text


def template_payloads() -> st.SearchStrategy[str]:
    """Template text an attacker writes: known payloads and generated expressions, loops and blocks."""
    generated = expressions().map(lambda text: "{{ " + text + " }}")
    looped = st.tuples(expressions(), expressions()).map(lambda pair: "{% for a in " + pair[0] + " %}{{ " + pair[1] + " }}{% endfor %}")
    return st.one_of(st.sampled_from(TEMPLATE_PAYLOADS), generated, looped)


# -- credentials, paths, answers ----------------------------------------------------------------

_SECRET_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))


def secret_values() -> st.SearchStrategy[str]:
    """A credential as it may be set in an environment variable: 12 to 40 characters, some unusual."""
    return st.text(_SECRET_ALPHABET, min_size=12, max_size=40).filter(lambda text: text.strip() == text and len(set(text)) > 4)


def user_names() -> st.SearchStrategy[str]:
    """A basic-auth user name: no colon, 10 to 24 characters."""
    return st.text(_SECRET_ALPHABET.filter(lambda c: c != ":"), min_size=10, max_size=24).filter(lambda text: text.strip() == text and len(set(text)) > 4)


ESCAPES = [
    "{canary}",
    "../canary.txt",
    "../../canary.txt",
    "./../canary.txt",
    "models/../../canary.txt",
    "link-to-canary",
    "link-to-outside/canary.txt",
    "fifo",
    "/dev/zero",
    "/dev/urandom",
    "/proc/self/environ",
    "/etc/hostname",
    "~/../canary.txt",
    "%2e%2e/canary.txt",
    "file://{canary}",
    "..\\canary.txt",
    "models/\x00/../canary.txt",
    "models/" + "../" * 30 + "{canary_relative}",
    "",
    ".",
    "..",
    "models",
]


def upload_paths() -> st.SearchStrategy[str]:
    """Paths a flow may name for a file to send, most pointing out of the allowed folders."""
    return st.one_of(st.sampled_from(ESCAPES), st.text(max_size=30))


OVERSIZED = ["/huge?bytes={size}", "/endless", "/bomb?bytes={size}", "/deep?depth={depth}"]


ECHO_ROUTES = [f"/{echo}/{status}" for echo in ("echo", "echo-text", "echo-escaped", "echo-urlencoded", "echo-spaced", "echo-padded") for status in (200, 400, 500)]
"""Answers that hold the request, credentials included: as errors, and as successes (which are recorded in the cassette)."""


@st.composite
def hostile_orders(draw: st.DrawFn, base_url: str) -> dict[str, Any]:
    """The fields of a ``properties.Order``: an auth kind, random credentials, and where the server echoes or redirects."""
    port = base_url.rsplit(":", 1)[1]
    elsewhere = f"http://localhost:{port}"
    routes = st.one_of(
        st.sampled_from(ECHO_ROUTES),
        st.sampled_from(["/ok", "/deep?depth=5000", "/huge?bytes=20000000", "/bomb?bytes=20000000"]),
        st.sampled_from(ECHO_ROUTES).map(lambda route: f"/redirect/302?to={route}"),
        st.sampled_from(ECHO_ROUTES).map(lambda route: f"/redirect/307?to={elsewhere}{route}"),
    )
    return {
        "auth": draw(st.sampled_from(["basic", "bearer", "token", "header", "query"])),
        "user": draw(user_names()),
        "secret": draw(secret_values()),
        "read": draw(st.one_of(st.just("/ok"), routes)),
        "create": draw(st.one_of(st.just("/ok"), routes)),
        "place": draw(st.one_of(st.just("/ok"), routes)),
    }
