"""Translating HTTP Client scripts into captures and variables.

Only the part of the JavaScript API that moves values is translated:
``client.global.set(name, value)`` (and ``request.variables.set`` in pre-request
scripts), with values that are literals or paths such as
``response.body.results[0].id``, which read the same in Jinja. ``client.log`` only
logs and is dropped. Any other statement is returned as a problem with its line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError

from orderspec.httpfile._model import Problem, Script

_DROPPED = re.compile(r"^(?:client\.log|console\.log)\s*\(")
_SETTERS = {"client.global.set": "global", "request.variables.set": "request"}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<ident>[A-Za-z_$][\w$]*)
      | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[.\[\](),!<>+\-*/%])
    )""",
    re.VERBOSE,
)
_OPERATORS = {"===": "==", "!==": "!=", "&&": "and", "||": "or", "!": "not"}
_LITERALS = {"true": "true", "false": "false", "null": "none", "undefined": "none"}


@dataclass(frozen=True, slots=True)
class Assignment:
    """``name`` gets the Jinja ``expression``, or the literal ``value`` when one was written."""

    name: str
    line: int
    expression: str | None = None
    value: str | int | float | bool | None = None
    is_literal: bool = False


@dataclass(frozen=True, slots=True)
class Translation:
    assignments: tuple[Assignment, ...]
    problems: tuple[Problem, ...]


def translate_script(script: Script, *, pre_request: bool) -> Translation:
    """The assignments a script makes, and what in it cannot be translated."""
    where = "pre-request script" if pre_request else "response handler"
    if script.path is not None:
        return Translation((), (Problem(script.line, f"{where} file {script.path} is not converted; move what it does into the flow"),))
    assignments: list[Assignment] = []
    problems: list[Problem] = []
    for offset, statement in split_statements(script.source):
        line = script.line + script.source[:offset].count("\n")
        if _DROPPED.match(statement):
            continue
        assignment = _assignment(statement, line, pre_request=pre_request)
        if assignment is None:
            problems.append(Problem(line, f"{where} statement not converted: {_excerpt(statement)}"))
        else:
            assignments.append(assignment)
    return Translation(tuple(assignments), tuple(problems))


def split_statements(source: str) -> list[tuple[int, str]]:
    """Top-level statements with their offsets; ends at ``;`` or a line break outside brackets."""
    statements: list[tuple[int, str]] = []
    depth = 0
    start = 0
    i = 0
    quote: str | None = None

    def flush(end: int) -> None:
        text = source[start:end]
        stripped = text.strip()
        if stripped:
            statements.append((start + len(text) - len(text.lstrip()), stripped))

    while i < len(source):
        char = source[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif source.startswith("//", i):
            flush(i)
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
            start = i
            continue
        elif source.startswith("/*", i):
            flush(i)
            end = source.find("*/", i + 2)
            i = len(source) if end < 0 else end + 2
            start = i
            continue
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth <= 0 and (char == ";" or char == "\n"):
            flush(i)
            start = i + 1
        i += 1
    flush(len(source))
    return statements


def _assignment(statement: str, line: int, *, pre_request: bool) -> Assignment | None:
    match = re.match(r"^([\w.]+)\s*\((.*)\)$", statement, re.DOTALL)
    if match is None or match.group(1) not in _SETTERS:
        return None
    if _SETTERS[match.group(1)] == "request" and not pre_request:
        return None
    args = _split_arguments(match.group(2))
    if len(args) != 2:
        return None
    name = _string_literal(args[0])
    if name is None:
        return None
    literal = _literal(args[1])
    if literal is not _NOT_LITERAL:
        return Assignment(name=name, line=line, value=literal, is_literal=True)  # type: ignore[arg-type]
    expression = js_to_jinja(args[1])
    if expression is None:
        return None
    return Assignment(name=name, line=line, expression=expression)


def _split_arguments(text: str) -> list[str]:
    args: list[str] = []
    depth = 0
    quote: str | None = None
    current = ""
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                current += text[i : i + 2]
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            args.append(current.strip())
            current = ""
            i += 1
            continue
        current += char
        i += 1
    if current.strip():
        args.append(current.strip())
    return args


_NOT_LITERAL = object()


def _string_literal(text: str) -> str | None:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        tokens = _tokens(text)
        if tokens is not None and len(tokens) == 1 and tokens[0][0] == "string":
            return _unquote(text)
    return None


def _literal(text: str) -> object:
    """The value of a JavaScript literal, or ``_NOT_LITERAL``."""
    string = _string_literal(text)
    if string is not None:
        return string
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return _NOT_LITERAL


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unquote(text: str) -> str:
    """The value of a JavaScript string literal (quotes included in ``text``)."""
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            following = body[i + 1]
            if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(following, following))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _tokens(text: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return None
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def js_to_jinja(text: str) -> str | None:
    """A Jinja expression meaning the same as the JavaScript ``text``, or None.

    Understood: ``response.…`` paths with ``.name``, ``[0]``, ``["key"]`` and
    ``.length``; ``response.headers.valueOf("Name")``; ``client.global.get("x")``;
    literals; comparisons and ``&&``, ``||``, ``!``.
    """
    tokens = _tokens(text)
    if not tokens:
        return None
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "ident":
            if value in _LITERALS:
                out.append(_LITERALS[value])
                i += 1
                continue
            root, i = _root(tokens, i)
            if root is None:
                return None
            path, i = _path(tokens, i, root)
            if path is None:
                return None
            out.append(path)
        elif kind == "string":
            out.append(jinja_string(_unquote(value)))
            i += 1
        elif kind == "number":
            out.append(value)
            i += 1
        elif value in _OPERATORS:
            out.append(_OPERATORS[value])
            i += 1
        elif value in ("==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "(", ")"):
            out.append(value)
            i += 1
        else:
            return None
    expression = _join(out)
    return expression if _parses(expression) else None  # unbalanced brackets, operators side by side


@functools.cache
def _jinja() -> Environment:
    return Environment()


def _parses(expression: str) -> bool:
    """Whether the flow engine can read ``expression`` (Jinja's grammar)."""
    try:
        _jinja().parse("{{ " + expression + " }}")
    except TemplateSyntaxError:
        return False
    return True


def _root(tokens: list[tuple[str, str]], i: int) -> tuple[str | None, int]:
    name = tokens[i][1]
    if name == "response":
        return "response", i + 1
    getters = {("client", "global", "get"), ("request", "variables", "get")}
    words = tuple(value for _, value in tokens[i : i + 5 : 2])
    dots = [value for _, value in tokens[i + 1 : i + 5 : 2]]
    if words in getters and dots == [".", "."] and len(tokens) > i + 7:
        open_, arg, close = tokens[i + 5], tokens[i + 6], tokens[i + 7]
        if open_[1] == "(" and arg[0] == "string" and close[1] == ")":
            return variable_reference(_unquote(arg[1])), i + 8
    return None, i


def variable_reference(name: str) -> str:
    """``vars.name``, or ``vars['name']`` for names Jinja cannot read as attributes."""
    if re.fullmatch(r"[A-Za-z_]\w*", name):
        return f"vars.{name}"
    return f"vars[{jinja_string(name)}]"


def _path(tokens: list[tuple[str, str]], i: int, root: str) -> tuple[str | None, int]:
    path = root
    while i < len(tokens):
        kind, value = tokens[i]
        if value == "." and i + 1 < len(tokens) and tokens[i + 1][0] == "ident":
            name = tokens[i + 1][1]
            calls = i + 2 < len(tokens) and tokens[i + 2][1] == "("
            if name == "valueOf" and calls and path.endswith(".headers"):
                if i + 4 < len(tokens) and tokens[i + 3][0] == "string" and tokens[i + 4][1] == ")":
                    path += f"[{jinja_string(_unquote(tokens[i + 3][1]).lower())}]"
                    i += 5
                    continue
                return None, i
            if calls:
                return None, i
            if name == "length":
                path += " | length"
            else:
                path += f".{name}"
            i += 2
        elif value == "[" and i + 2 < len(tokens) and tokens[i + 2][1] == "]" and tokens[i + 1][0] in ("number", "string"):
            index_kind, index = tokens[i + 1]
            path += f"[{index}]" if index_kind == "number" else f"[{jinja_string(_unquote(index))}]"
            i += 3
        elif kind == "op" and value in (".", "[", "("):
            return None, i
        else:
            break
    return path, i


def jinja_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _join(parts: list[str]) -> str:
    """Tokens with single spaces, none inside parentheses."""
    text = ""
    for part in parts:
        text += part if not text or text.endswith("(") or part == ")" else " " + part
    return text


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
