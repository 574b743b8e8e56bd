"""Rewriting HTTP Client ``{{name}}`` references into flow templates.

``{{customer_id}}`` becomes ``{{ vars.customer_id }}``; dynamic variables such as
``{{$uuid}}`` become Jinja expressions the flow engine can evaluate. Literal text
that Jinja would read as syntax (``{%``, ``{#``) is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

REFERENCE = re.compile(r"\{\{\s*+((?:(?!\{\{|\}\}).)*+)\}\}", re.DOTALL)
"""``{{ name }}``; group 1 is the name, with blanks after it (``name_of``). Never backtracks: linear in the text."""
_JINJA_SYNTAX = re.compile(r"\{[%#]|\{\{|\}\}|[%#]\}")


def name_of(match: re.Match[str]) -> str:
    """The name a ``REFERENCE`` match refers to, without the blanks around it."""
    return match.group(1).rstrip()


@dataclass(frozen=True, slots=True)
class Ref:
    """The Jinja expression for one reference; ``text`` says it always yields a string."""

    expression: str
    text: bool = False


Resolve = Callable[[str, int], Ref]


def rewrite(text: str, line: int, resolve: Resolve) -> str:
    """``text`` with every ``{{name}}`` replaced by ``{{ expression }}``."""
    parts: list[str] = []
    position = 0
    for match in REFERENCE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append("{{ " + resolve(name_of(match), line).expression + " }}")
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def rewrite_single(text: str, line: int, resolve: Resolve, *, keep_text: bool) -> str:
    """Like ``rewrite``; a string that is one reference and must stay text gets ``| string``.

    The engine gives a string that is exactly one ``{{ … }}`` the expression's type,
    while the HTTP Client substitutes text: ``"{{price}}"`` in JSON is a string there.
    """
    match = REFERENCE.fullmatch(text)
    if match:
        ref = resolve(name_of(match), line)
        keep = keep_text and not ref.text
        return "{{ " + ref.expression + (" | string }}" if keep else " }}")
    return rewrite(text, line, resolve)


def escape(literal: str) -> str:
    """Literal text made safe for Jinja: ``{%`` becomes ``{{ '{%' }}`` and so on."""
    return _JINJA_SYNTAX.sub(lambda m: "{{ '" + m.group(0) + "' }}", literal)


def references(text: str) -> list[str]:
    """The names referenced in ``text``, in order."""
    return [name_of(m) for m in REFERENCE.finditer(text)]


# -- dynamic variables ---------------------------------------------------------------

_INTEGER = re.compile(r"^\$random\.integer\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$")


def dynamic(name: str) -> Ref | None:
    """The expression for a dynamic variable the engine can compute, or None."""
    if name in ("$uuid", "$random.uuid"):
        return Ref("uuid()", text=True)
    if name == "$timestamp":
        return Ref("timestamp()")
    if name == "$isoTimestamp":
        return Ref("iso_timestamp()", text=True)
    if name == "$randomInt":
        return Ref("range(1000) | random")
    match = _INTEGER.match(name)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if high > low and high - low <= 100_000:
            return Ref(f"range({low}, {high}) | random")
    return None
