"""The variables of an ``.http`` file and what each ``{{name}}`` becomes in a flow.

The HTTP Client substitutes text lazily, from globals that scripts set at any time.
A flow has initial ``vars`` (rendered once, in order, before the first step),
``capture`` entries, and ``secrets``. So:

- literal in-file variables and literal values of pre-request scripts become ``vars``;
- those that look like credentials become ``secrets``, and their value is dropped;
- values set by response handlers are captures, read as ``vars.name``;
- an in-file variable whose value refers to other variables becomes a ``vars``
  entry when it only refers to constants, and is otherwise written out where it is
  used (``'Bearer ' ~ vars.session``), since it may depend on a capture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from orderspec.httpfile._model import HttpFile, Problem, Script
from orderspec.httpfile._names import env_name, identifier, looks_like_credential
from orderspec.httpfile._script import Assignment, jinja_string, translate_script
from orderspec.httpfile._templates import REFERENCE, Ref, dynamic, name_of, references, rewrite

_ENVIRONMENT = re.compile(r"^\$(?:processEnv|env)\.(\w+)$")


@dataclass
class Variables:
    """Everything ``{{name}}`` can mean in one file; ``resolve`` answers for each reference."""

    warnings: list[Problem]
    vars: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # name -> suggested environment variable
    text: set[str] = field(default_factory=set)  # vars known to hold text
    constants: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    inline: dict[str, tuple[str, int]] = field(default_factory=dict)
    captures: dict[int, list[Assignment]] = field(default_factory=dict)  # request index -> handler sets
    _undefined: set[str] = field(default_factory=set)
    _expanding: set[str] = field(default_factory=set)

    # -- reading the file

    def collect(self, http: HttpFile) -> None:
        """Learn every name first, then write values, so order in the file does not matter."""
        templated: list[tuple[str, str, int]] = []
        for variable in http.variables:
            self._constant(variable.name, variable.value, variable.line, "set in the file", templated)
        expressions: list[Assignment] = []
        for index, request in enumerate(http.requests):
            for script in request.pre_scripts:
                for assignment in self._translate(script, pre_request=True):
                    if assignment.is_literal:
                        self._constant(assignment.name, assignment.value, assignment.line, "set by a pre-request script", templated)
                    else:
                        expressions.append(assignment)
                        self.defined.add(identifier(assignment.name))
            for script in request.handlers:
                for assignment in self._translate(script, pre_request=False):
                    self.captures.setdefault(index, []).append(assignment)
                    self.defined.add(identifier(assignment.name))
        for ident, value, line in templated:
            if all(self._is_constant(name) for name in references(value)):
                self.vars[ident] = rewrite(value, line, self.resolve)
                self.text.add(ident)
            else:
                self.inline[ident] = (value, line)
        for assignment in expressions:
            expression = assignment.expression or ""
            if "response" in expression:
                self.warnings.append(Problem(assignment.line, f"a pre-request script cannot read the response; {assignment.name!r} not converted"))
                continue
            self.vars.setdefault(identifier(assignment.name), "{{ " + expression + " }}")

    def _translate(self, script: Script, *, pre_request: bool) -> tuple[Assignment, ...]:
        translation = translate_script(script, pre_request=pre_request)
        self.warnings.extend(translation.problems)
        return translation.assignments

    def _constant(self, name: str, value: Any, line: int, where: str, templated: list[tuple[str, str, int]]) -> None:
        ident = identifier(name)
        if ident != name:
            self.warnings.append(Problem(line, f"variable {name!r} is called {ident!r} in the flow (flow names are letters, digits and _)"))
        if ident in self.defined or ident in self.secrets:
            if self.vars.get(ident, _typed(value)) != _typed(value) or ident in self.secrets:
                self.warnings.append(Problem(line, f"{name!r} is set again; the flow uses the first value"))
            return
        has_references = isinstance(value, str) and REFERENCE.search(value) is not None
        if not has_references and looks_like_credential(name) and value not in (None, ""):
            self._secret(ident, env_name(name), line, f"{name!r} ({where}) looks like a credential, so its value is not written into the flow")
            return
        self.defined.add(ident)
        if has_references:
            templated.append((ident, value, line))
            return
        typed = _typed(value)
        self.vars[ident] = typed
        self.constants.add(ident)
        if isinstance(typed, str):
            self.text.add(ident)

    def _secret(self, ident: str, env: str, line: int, why: str) -> None:
        if ident in self.secrets:
            return
        self.secrets[ident] = env
        self.warnings.append(Problem(line, f"{why}; the flow reads secrets.{ident}: export {env}=<value> and run with --secret {ident}={env}"))

    def secret_header(self, header_name: str, line: int) -> str:
        """The secret that stands for a credential written literally into a header."""
        ident = identifier(header_name.lower())
        self._secret(ident, env_name(ident), line, f"header {header_name} holds a literal credential, which is not written into the flow")
        return ident

    def _is_constant(self, name: str) -> bool:
        if name.startswith("$"):
            return dynamic(name) is not None
        return identifier(name) in self.constants

    # -- answering for references

    def resolve(self, name: str, line: int) -> Ref:
        """The flow expression for an HTTP Client reference ``{{name}}`` written on ``line``."""
        if name.startswith("$"):
            return self._dynamic(name, line)
        ident = identifier(name)
        if ident in self.secrets:
            return Ref(f"secrets.{ident}", text=True)
        if ident in self.inline:
            if ident not in self._expanding:
                return self._expand(ident)
            self.warnings.append(Problem(line, f"@{name} refers to itself; not converted"))
            return Ref(jinja_string("{{" + name + "}}"), text=True)
        if ident not in self.defined and ident not in self._undefined and looks_like_credential(name):
            # a credential from an HTTP Client environment file: a secret read from the environment, never a --var
            self._secret(
                ident, env_name(name), line, f"{{{{{name}}}}} is not defined in the file (an HTTP Client environment value?) and looks like a credential"
            )
            return Ref(f"secrets.{ident}", text=True)
        if ident not in self.defined and ident not in self._undefined:
            self._undefined.add(ident)
            self.warnings.append(
                Problem(line, f"{{{{{name}}}}} is not defined in the file (an HTTP Client environment value?); run the flow with --var {ident}=<value>")
            )
        return Ref(f"vars.{ident}", text=ident in self.text)

    def _expand(self, ident: str) -> Ref:
        """An in-file variable built from others, written out as one Jinja expression."""
        value, line = self.inline[ident]
        self._expanding.add(ident)
        try:
            parts: list[str] = []
            position = 0
            for match in REFERENCE.finditer(value):
                if match.start() > position:
                    parts.append(jinja_string(value[position : match.start()]))
                parts.append(self.resolve(name_of(match), line).expression)
                position = match.end()
            if position < len(value):
                parts.append(jinja_string(value[position:]))
        finally:
            self._expanding.discard(ident)
        if len(parts) == 1:
            return Ref(parts[0])
        return Ref("(" + " ~ ".join(p if _atomic(p) else f"({p})" for p in parts) + ")", text=True)

    def _dynamic(self, name: str, line: int) -> Ref:
        ref = dynamic(name)
        if ref is not None:
            return ref
        env = _ENVIRONMENT.match(name)
        if env:
            ident = identifier(env.group(1).lower())
            self._secret(ident, env.group(1), line, f"{{{{{name}}}}} reads the environment")
            return Ref(f"secrets.{ident}", text=True)
        self.warnings.append(Problem(line, f"dynamic variable {{{{{name}}}}} is not converted; it is sent as written"))
        return Ref(jinja_string("{{" + name + "}}"), text=True)

    # -- the flow's vars

    def origin(self, origin: str) -> str:
        """A var holding the common scheme and host, so ``--var host=...`` points the flow elsewhere."""
        ident = "host" if "host" not in self.vars and "host" not in self.secrets and "host" not in self.defined else "base_url"
        self.vars = {ident: origin, **self.vars}
        self.text.add(ident)
        return ident

    def ordered(self) -> dict[str, Any]:
        """Literal values first, then values rendered from them: vars are rendered in order."""
        literal = {k: v for k, v in self.vars.items() if not (isinstance(v, str) and REFERENCE.search(v))}
        return {**literal, **{k: v for k, v in self.vars.items() if k not in literal}}


def _atomic(expression: str) -> bool:
    """True for a path, a string literal or one parenthesised group: safe next to ``~``."""
    if re.fullmatch(r"[\w.]+(\[[^\]]*\])*|'(?:[^'\\]|\\.)*'", expression):
        return True
    if not expression.startswith("("):
        return False
    depth = 0
    quote = False
    for index, char in enumerate(expression):
        if char == "'" and (index == 0 or expression[index - 1] != "\\"):
            quote = not quote
        elif not quote and char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                return index == len(expression) - 1
    return False


def _typed(value: Any) -> Any:
    """Whole numbers written as text become numbers: the HTTP Client substitutes text, so
    ``{{count}}`` unquoted in JSON is a number there too."""
    if isinstance(value, str) and re.fullmatch(r"-?(0|[1-9]\d{0,17})", value):
        return int(value)
    return value
