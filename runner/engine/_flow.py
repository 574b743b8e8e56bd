"""Loading a flow file into frozen values, with every problem reported at its position.

A flow is checked completely (schema, then the rules a schema cannot say, then every
template compiled) before a single request is sent.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from jinja2.exceptions import TemplateSyntaxError

from orderspec._resources import schema_path
from orderspec._yaml import Document, JsonPath, load_yaml
from orderspec.engine._contract import Contract, PlaceStep, read_contract
from orderspec.engine._errors import FlowSourceError
from orderspec.engine._template import Const, Renderer, compile_expression, compile_template, compile_url
from orderspec.errors import Location, SourceError

Effect = Literal["read", "write", "create", "place"]
EFFECTS: tuple[Effect, ...] = ("read", "write", "create", "place")
"""Effects from harmless to final; ``stop_before`` compares with this order."""
EFFECT_RANK: dict[str, int] = {name: rank for rank, name in enumerate(EFFECTS)}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that read by HTTP's own rules; any other read step reads only on its flow's word."""
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_CHANGING_METHODS = frozenset({"PUT", "PATCH", "DELETE"})
"""Never ``read``: plan would send them. A POST may declare ``read`` (a search sent as POST)."""
_BODIES = ("json", "form", "multipart", "content")
_REQUEST_KEYS = ("request", "expect", "capture", "poll", "paginate", "retry", "errors", "timeout", "effect", "safe_to_repeat", "recover")
"""Keys of a request step; neither a set step nor a for_each group has them."""
_RESERVED = frozenset({"order", "target", "secrets", "vars", "response", "loop"})


def default_effect(method: str) -> Effect:
    """The effect of a request step that declares none: the safe assumption for its method.

    GET, HEAD and OPTIONS read. A POST may create something (a basket, an order), so it
    counts as ``create``: never sent by ``plan``, never repeated blindly after a lost
    answer. PUT, PATCH and DELETE change what exists (``write``).
    """
    method = method.upper()
    if method in READ_METHODS:
        return "read"
    return "create" if method == "POST" else "write"


@dataclass(frozen=True, slots=True)
class Expr:
    """A compiled expression with its text and where it is written."""

    source: str
    fn: Renderer
    location: Location


@dataclass(frozen=True, slots=True)
class FileSource:
    """A file sent from disk: ``path`` (relative to the flow's folder), optional name and type."""

    path: Renderer
    filename: Renderer | None
    content_type: Renderer | None


@dataclass(frozen=True, slots=True)
class ZipSource:
    """A ZIP archive built while it is sent; ``entries`` renders to ``[{path, name}]`` or paths."""

    entries: Renderer
    filename: Renderer | None
    content_type: Renderer | None


Source = FileSource | ZipSource


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: Renderer
    params: Renderer | None
    headers: tuple[tuple[str, Renderer], ...]
    json: Renderer | None = None
    form: Renderer | None = None
    multipart_fields: Renderer | None = None
    multipart_files: tuple[tuple[str, Source], ...] | None = None
    content: Source | None = None

    @property
    def streams(self) -> bool:
        """Whether the body is read from disk while sending (and so is rebuilt per attempt)."""
        return bool(self.multipart_files) or self.content is not None


@dataclass(frozen=True, slots=True)
class Capture:
    """``name: expression`` of ``capture`` or ``set``; ``append`` for a name written ``name[]``."""

    name: str
    append: bool
    expr: Expr


@dataclass(frozen=True, slots=True)
class Poll:
    until: Expr
    fail_if: Expr | None
    every: float
    timeout: float


@dataclass(frozen=True, slots=True)
class Paginate:
    """Follow a list over its pages and collect the items into one variable.

    Either ``next`` (the next page's URL, absolute or relative; none or empty on the last
    page) or ``page_param`` (a query parameter set to 1, 2, 3, ...; the last page is the
    one where ``until`` holds, or else the first without items). ``max_pages`` bounds the
    requests: a longer list is an error, never cut off.
    """

    items: Expr
    into: str
    location: Location
    """Where ``paginate`` is written."""
    next: Expr | None = None
    page_param: str | None = None
    until: Expr | None = None
    max_pages: int = 100


@dataclass(frozen=True, slots=True)
class Retry:
    """When to send a step again.

    ``transient``: connection errors, 429 and 502-504 (only for steps safe to repeat).
    ``when``: an answer that says nothing was done and the client should try again; such a
    step may be repeated whatever its effect. ``refresh``: sibling steps run again first.
    """

    attempts: int
    backoff: float
    max_wait: float
    transient: bool = True
    when: Expr | None = None
    refresh: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One step: a request, a ``set`` of variables computed without a request, or a ``for_each`` group."""

    name: str
    effect: str
    location: Location
    request: Request | None = None
    when: Expr | None = None
    for_each: Expr | None = None
    as_: str = "item"
    steps: tuple[Step, ...] = ()
    expect: frozenset[int] | None = None
    captures: tuple[Capture, ...] = ()
    sets: tuple[Capture, ...] = ()
    poll: Poll | None = None
    paginate: Paginate | None = None
    retry: Retry | None = None
    errors: tuple[tuple[int, str], ...] = ()
    safe_to_repeat: bool = False
    timeout: float | None = None
    recover: Recover | None = None
    """How to read back whether this create or place step took effect, when a run lost its outcome."""

    @property
    def rank(self) -> int:
        return EFFECT_RANK[self.effect]


@dataclass(frozen=True, slots=True)
class Recover:
    """A create or place step's read-back: sent instead of the step when its outcome is unknown.

    ``probe`` is a read step (the block's request, ``expect`` and ``capture``); ``done`` is
    ``placed_if`` or ``created_if``, evaluated against the probe's answer. When it holds the
    step took effect: the probe's captures stand in for the step's and the run goes on.
    Otherwise the step was not carried out and is sent.
    """

    probe: Step
    done: Expr


@dataclass(frozen=True, slots=True)
class Discard:
    """How to delete a draft the flow created but did not place (``plan --quote``, a failed apply).

    ``id`` names the draft in the variables a run left; there is nothing to delete while
    it is undefined or null. ``what`` is how messages name the draft ("order", "basket").
    """

    what: str
    id: Expr
    step: Step


RESPONSE_BYTES = 16 << 20
"""Default of ``limits.response_bytes``: a catalogue of thousands of materials fits many times over."""
REQUEST_SECONDS = 300.0
"""Default of ``limits.request_seconds``: a large upload over a slow link, and its answer."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of every request of a flow: the answer's size, and the whole request's time."""

    response_bytes: int = RESPONSE_BYTES
    request_seconds: float = REQUEST_SECONDS


@dataclass(frozen=True, slots=True)
class Flow:
    """A loaded, checked flow; ``folder`` anchors relative file paths."""

    name: str
    description: str
    file: str
    folder: Path
    base_url: Renderer | None
    headers: tuple[tuple[str, Renderer], ...]
    vars: tuple[tuple[str, Renderer], ...]
    steps: tuple[Step, ...]
    outputs: tuple[tuple[str, Expr], ...]
    timeout: float = 30.0
    discard: Discard | None = None
    plan_note: str = ""
    """What a plan that stops before the first create step cannot check, said by ``plan``."""
    contract: Contract | None = None
    """The names ``plan`` and ``apply`` read (order number, quote, resolved); None without a contract block."""
    limits: Limits = Limits()
    """How large an answer may be and how long a request may take (``limits:``)."""
    positions: dict[str, Location] = field(default_factory=dict, repr=False, compare=False)
    """Where ``base_url`` and each ``vars.<name>`` are written, for error messages."""

    def position(self, key: str) -> Location:
        return self.positions.get(key) or Location(self.file, 1, 1)

    def walk(self) -> list[tuple[str, Step]]:
        """Every step with its path (``lines[]/upload`` for steps inside ``for_each``)."""
        found: list[tuple[str, Step]] = []

        def visit(steps: tuple[Step, ...], prefix: str) -> None:
            for step in steps:
                path = prefix + step.name
                found.append((path, step))
                if step.for_each is not None:
                    visit(step.steps, path + "[]/")

        visit(self.steps, "")
        return found


@functools.cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path("flow.schema.json").read_text(encoding="utf-8"))
    return schema


@functools.cache
def _quick_validator() -> Any:
    """jsonschema-rs says valid or not in microseconds; python-jsonschema, slow to import, explains problems."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema())


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.validators.validator_for(_schema())(_schema())


def load_flow(path: str | Path, *, display_name: str | None = None) -> Flow:
    """Read, validate and compile the flow at ``path``; ``FlowSourceError`` with a position otherwise."""
    try:
        document = load_yaml(path, display_name=display_name)
    except SourceError as exc:
        if isinstance(exc, FlowSourceError):
            raise
        raise FlowSourceError(exc.message, location=exc.location, hint=exc.hint) from None
    return flow_from_document(document, folder=Path(path).resolve().parent)


def flow_from_document(document: Document, *, folder: Path) -> Flow:
    """Build a flow from an already parsed YAML document (e.g. a flow embedded elsewhere)."""
    _check_schema(document)
    return _Builder(document, folder).flow()


def _where(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _text_keys(value: Any) -> Any:
    """JSON's view of YAML data: mapping keys as text (``errors: {404: ...}`` has int keys)."""
    if isinstance(value, dict):
        return {str(key): _text_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_text_keys(item) for item in value]
    return value


def _check_schema(document: Document) -> None:
    if _quick_validator().is_valid(_text_keys(document.data)):
        return
    import jsonschema

    kinds = _schema()["$defs"]["step"]["oneOf"]
    # a step that is not exactly one kind is explained better by the builder, at its position
    errors = [item for item in _validator().iter_errors(document.data) if not (item.validator == "oneOf" and item.validator_value is kinds)]
    error = jsonschema.exceptions.best_match(errors)
    if error is None:
        return
    while error.validator in ("oneOf", "anyOf") and error.context:
        # a misspelt key is the likeliest reason no alternative matched: say that first
        unknown = [item for item in error.context if item.validator == "additionalProperties"]
        error = jsonschema.exceptions.best_match(unknown or error.context)
    path = tuple(error.absolute_path)
    message = error.message
    key = False
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)' was unexpected", message)
        if extra:
            path, key = path + (extra[0],), True
            allowed = sorted(error.schema.get("properties", {}))
            message = f"unknown key {extra[0]!r}" + (f"; expected one of {', '.join(allowed)}" if allowed else "")
    elif error.validator == "required":
        message = message.replace("is a required property", "is required")
    where = _where(path)
    text = f"{where}: {message}" if where and not key else message
    raise FlowSourceError(text, location=document.locate(path, key=key))


def _kinds_message(name: str, kinds: Sequence[str]) -> str:
    if not kinds:
        return f"step {name!r} needs one of request, set, or for_each with steps"
    return f"step {name!r} has both {kinds[0]} and {kinds[1]}; a step is exactly one of request, set, or for_each with steps"


class _Builder:
    """Turns checked plain data into ``Flow``; reports rule violations at their position."""

    def __init__(self, document: Document, folder: Path) -> None:
        self.doc = document
        self.folder = folder
        self.place_at: JsonPath | None = None
        """Where the first ``place`` step's effect is written."""

    def fail(self, path: JsonPath, message: str, *, key: bool = False, hint: str | None = None) -> FlowSourceError:
        return FlowSourceError(message, location=self.doc.locate(path, key=key), hint=hint)

    def template(self, value: Any, path: JsonPath) -> Renderer:
        try:
            return compile_template(value)
        except TemplateSyntaxError as exc:
            bad = self._first_bad(value, path)
            raise self.fail(bad, f"template syntax: {exc.message}") from None

    def url(self, value: Any, path: JsonPath) -> Renderer:
        """A request's ``url``: values inserted after its start are sent percent-encoded (``compile_url``)."""
        try:
            return compile_url(value)
        except TemplateSyntaxError as exc:
            raise self.fail(path, f"template syntax: {exc.message}") from None

    def _first_bad(self, value: Any, path: JsonPath) -> JsonPath:
        """The path of the first string inside ``value`` that does not compile."""
        if isinstance(value, str):
            return path
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            try:
                compile_template(item)
            except TemplateSyntaxError:
                return self._first_bad(item, path + (key,))
        return path

    def expr(self, source: str, path: JsonPath) -> Expr:
        text = source.strip()
        if text.startswith("{{") and text.endswith("}}"):
            raise self.fail(path, "an expression is written without {{ }}", hint=f"write {text[2:-2].strip()!r}")
        try:
            fn = compile_expression(text)
        except TemplateSyntaxError as exc:
            raise self.fail(path, f"expression syntax: {exc.message}") from None
        return Expr(text, fn, self.doc.locate(path))

    def headers(self, value: dict[str, Any] | None, path: JsonPath) -> tuple[tuple[str, Renderer], ...]:
        if not value:
            return ()
        out = []
        for name, item in value.items():
            out.append((str(name), Const(None) if item is None else self.template(str(item), path + (name,))))
        return tuple(out)

    def flow(self) -> Flow:
        data = self.doc.data
        vars_ = tuple((name, self.template(value, ("vars", name))) for name, value in (data.get("vars") or {}).items())
        outputs = tuple((name, self.expr(source, ("outputs", name))) for name, source in (data.get("outputs") or {}).items())
        base_url = data.get("base_url")
        steps = self.steps(data["steps"], ("steps",))
        return Flow(
            name=data["name"],
            description=data.get("description", ""),
            file=self.doc.file,
            folder=self.folder,
            base_url=None if base_url is None else self.template(base_url, ("base_url",)),
            headers=self.headers(data.get("headers"), ("headers",)),
            vars=vars_,
            steps=steps,
            outputs=outputs,
            timeout=float(data.get("timeout", 30.0)),
            limits=Limits(
                response_bytes=int((data.get("limits") or {}).get("response_bytes", RESPONSE_BYTES)),
                request_seconds=float((data.get("limits") or {}).get("request_seconds", REQUEST_SECONDS)),
            ),
            discard=self.discard(data["discard"]) if "discard" in data else None,
            plan_note=str(data.get("plan_note", "")),
            contract=self.contract(data.get("contract"), steps, [name for name, _ in outputs], [name for name, _ in vars_]),
            positions={
                "base_url": self.doc.locate(("base_url",)),
                **{f"vars.{name}": self.doc.locate(("vars", name)) for name in (data.get("vars") or {})},
            },
        )

    def contract(self, data: dict[str, Any] | None, steps: tuple[Step, ...], outputs: list[str], variables: list[str]) -> Contract | None:
        """The ``contract`` block, checked against the outputs and the variables set before the first place step."""
        assigned: set[str] = set(variables)
        place: PlaceStep | None = None

        def visit(items: tuple[Step, ...]) -> None:
            nonlocal place
            for step in items:
                if place is None and step.request is not None and step.effect == "place" and self.place_at is not None:
                    place = PlaceStep(step.name, self.place_at, frozenset(assigned))
                assigned.update(item.name for item in step.captures + step.sets)
                if step.paginate is not None:
                    assigned.add(step.paginate.into)
                visit(step.steps)

        visit(steps)
        return read_contract(data, outputs=outputs, assigned=assigned, place=place, fail=self.fail)

    def discard(self, data: dict[str, Any]) -> Discard:
        path: JsonPath = ("discard",)
        request = self.request(data["request"], path + ("request",))
        step = Step(name="discard", effect="write", location=self.doc.locate(path, key=True), request=request)
        return Discard(str(data.get("what", "draft")), self.expr(data["id"], path + ("id",)), step)

    def steps(self, items: list[dict[str, Any]], path: JsonPath) -> tuple[Step, ...]:
        seen: dict[str, int] = {}
        out = []
        for index, item in enumerate(items):
            name = item["name"]
            if name in seen:
                raise self.fail(
                    path + (index, "name"), f"step name {name!r} is used twice (first in step {seen[name] + 1})", hint="names must be unique among siblings"
                )
            seen[name] = index
            out.append(self.step(item, path + (index,)))
        return tuple(self._with_refresh(out, items, path))

    def _with_refresh(self, steps: list[Step], items: list[dict[str, Any]], path: JsonPath) -> list[Step]:
        """Resolve ``retry.refresh`` names to the sibling steps they name."""
        by_name = {step.name: step for step in steps}
        refreshes = {item["name"] for item in items if (item.get("retry") or {}).get("refresh")}
        out = []
        for index, (step, item) in enumerate(zip(steps, items, strict=True)):
            names = (item.get("retry") or {}).get("refresh") or []
            if not names or step.retry is None:
                out.append(step)
                continue
            refresh = []
            for number, name in enumerate(names):
                where = path + (index, "retry", "refresh", number)
                target = by_name.get(name)
                if target is None:
                    raise self.fail(where, f"retry.refresh names no sibling step {name!r}", hint=f"steps here: {', '.join(by_name)}")
                if target is step or target.for_each is not None or target.effect != "read" or name in refreshes:
                    raise self.fail(
                        where,
                        f"step {name!r} cannot be refreshed",
                        hint="refresh names other read or set steps next to this one (not for_each groups, not steps that refresh others)",
                    )
                refresh.append(target)
            out.append(replace(step, retry=replace(step.retry, refresh=tuple(refresh))))
        return out

    def step(self, data: dict[str, Any], path: JsonPath) -> Step:
        location = self.doc.locate(path + ("name",))
        when = self.expr(data["when"], path + ("when",)) if "when" in data else None
        kinds = [key for key in ("request", "set", "for_each") if key in data]
        if len(kinds) != 1:
            raise self.fail(path if not kinds else path + (kinds[1],), _kinds_message(data["name"], kinds), key=len(kinds) > 1)
        if "for_each" in data:
            return self._group(data, path, location, when)
        for key in ("as", "steps"):
            if key in data:
                raise self.fail(path + (key,), f"{key!r} belongs to a for_each step", key=True)
        if "set" in data:
            return self._set(data, path, location, when)
        request = self.request(data["request"], path + ("request",))
        effect = data.get("effect") or default_effect(request.method)
        if effect == "read" and request.method in _CHANGING_METHODS:
            raise self.fail(
                path + ("effect",),
                f"step {data['name']!r} ({request.method}) cannot have effect read: {request.method} changes what it names",
                hint=f"plan sends every read step; leave effect out (a {request.method} is write)",
            )
        if effect == "place" and self.place_at is None:
            self.place_at = path + ("effect",)
        safe = bool(data.get("safe_to_repeat", False))
        retry = None
        if "retry" in data:
            raw = data["retry"]
            repeatable = safe or effect == "read" or (effect == "write" and request.method in _IDEMPOTENT_METHODS)
            if not repeatable and "when" not in raw:
                raise self.fail(
                    path + ("retry",),
                    f"step {data['name']!r} ({request.method}, effect {effect}) must not be retried",
                    key=True,
                    hint=(
                        "repeating it could do the same thing twice; add safe_to_repeat: true only if the target ignores repeats, "
                        "or retry.when for an answer that says nothing was done"
                    ),
                )
            again = self.expr(raw["when"], path + ("retry", "when")) if "when" in raw else None
            retry = Retry(int(raw.get("attempts", 3)), float(raw.get("backoff", 0.5)), float(raw.get("max_wait", 60.0)), repeatable, again)
        poll = None
        if "poll" in data:
            raw = data["poll"]
            poll_path = path + ("poll",)
            poll = Poll(
                until=self.expr(raw["until"], poll_path + ("until",)),
                fail_if=self.expr(raw["fail_if"], poll_path + ("fail_if",)) if "fail_if" in raw else None,
                every=float(raw.get("every", 1.0)),
                timeout=float(raw.get("timeout", 300.0)),
            )
        paginate = self.paginate(data, path, effect) if "paginate" in data else None
        recover = self.recover(data, path, effect) if "recover" in data else None
        expect = data.get("expect")
        return Step(
            name=data["name"],
            effect=effect,
            location=location,
            request=request,
            when=when,
            expect=None if expect is None else frozenset([expect] if isinstance(expect, int) else expect),
            captures=self.assignments(data.get("capture"), path + ("capture",)),
            poll=poll,
            paginate=paginate,
            retry=retry,
            errors=tuple((int(code), message) for code, message in (data.get("errors") or {}).items()),
            safe_to_repeat=safe,
            timeout=data.get("timeout"),
            recover=recover,
        )

    def recover(self, data: dict[str, Any], path: JsonPath, effect: str) -> Recover:
        """The ``recover`` block of a create or place step: a read request and the condition that says it took effect."""
        raw = data["recover"]
        where = path + ("recover",)
        if effect not in ("create", "place"):
            raise self.fail(
                where,
                f"step {data['name']!r} (effect {effect}) has no outcome to recover",
                key=True,
                hint="recover belongs to create and place steps; other steps are sent again when a run resumes",
            )
        wanted, other = ("placed_if", "created_if") if effect == "place" else ("created_if", "placed_if")
        if other in raw:
            raise self.fail(where + (other,), f"a {effect} step's recover says {wanted}, not {other}", key=True)
        if wanted not in raw:
            raise self.fail(where, f"the recover block of a {effect} step needs {wanted}: the condition that says it took effect", key=True)
        request = self.request(raw["request"], where + ("request",))
        if request.method not in READ_METHODS:
            raise self.fail(where + ("request", "method"), f"recover reads the target; {request.method} is not a read", hint="use GET (or HEAD)")
        expect = raw.get("expect")
        probe = Step(
            name=data["name"],
            effect="read",
            location=self.doc.locate(where, key=True),
            request=request,
            expect=None if expect is None else frozenset([expect] if isinstance(expect, int) else expect),
            captures=self.assignments(raw.get("capture"), where + ("capture",)),
            retry=Retry(attempts=3, backoff=0.5, max_wait=60.0),
        )
        return Recover(probe, self.expr(raw[wanted], where + (wanted,)))

    def paginate(self, data: dict[str, Any], path: JsonPath, effect: str) -> Paginate:
        """The ``paginate`` block of a request step: only on read steps, next link or page numbers."""
        raw = data["paginate"]
        where = path + ("paginate",)
        if effect != "read":
            raise self.fail(
                where,
                f"step {data['name']!r} (effect {effect}) cannot follow pages",
                key=True,
                hint="paginate reads a list; only read steps (GET, or effect: read) follow pages",
            )
        if "poll" in data:
            raise self.fail(where, "a step either polls or follows pages, not both", key=True)
        styles = [key for key in ("next", "page_param") if key in raw]
        if len(styles) != 1:
            message = "paginate needs either next (a link to the next page) or page_param (a page number parameter)"
            raise self.fail(where + (styles[1],) if styles else where, message if not styles else "paginate has both next and page_param; use one", key=True)
        if "until" in raw and "next" in raw:
            raise self.fail(where + ("until",), "until belongs to page_param; a next link ends the list by being null or empty", key=True)
        return Paginate(
            items=self.expr(raw["items"], where + ("items",)),
            into=raw["into"],
            location=self.doc.locate(where + ("max_pages",) if "max_pages" in raw else where, key="max_pages" not in raw),
            next=self.expr(raw["next"], where + ("next",)) if "next" in raw else None,
            page_param=raw.get("page_param"),
            until=self.expr(raw["until"], where + ("until",)) if "until" in raw else None,
            max_pages=int(raw.get("max_pages", 100)),
        )

    def assignments(self, data: dict[str, str] | None, path: JsonPath) -> tuple[Capture, ...]:
        out = []
        for name, source in (data or {}).items():
            append = name.endswith("[]")
            out.append(Capture(name[:-2] if append else name, append, self.expr(source, path + (name,))))
        return tuple(out)

    def _set(self, data: dict[str, Any], path: JsonPath, location: Location, when: Expr | None) -> Step:
        for key in _REQUEST_KEYS:
            if key in data:
                raise self.fail(path + (key,), f"a set step sends nothing, so it has no {key!r}", key=True, hint="compute values with set, or send a request")
        return Step(name=data["name"], effect="read", location=location, when=when, sets=self.assignments(data["set"], path + ("set",)))

    def _group(self, data: dict[str, Any], path: JsonPath, location: Location, when: Expr | None) -> Step:
        for key in _REQUEST_KEYS:
            if key in data:
                raise self.fail(path + (key,), f"a for_each step has no {key!r}; put it on a nested step", key=True)
        if "steps" not in data:
            raise self.fail(path + ("for_each",), "for_each needs nested 'steps'", key=True)
        name = data.get("as", "item")
        if name in _RESERVED:
            raise self.fail(path + ("as",), f"'as: {name}' would hide the flow's own {name!r}", hint="choose another name, e.g. line")
        children = self.steps(data["steps"], path + ("steps",))
        effect = EFFECTS[max(child.rank for child in children)]
        return Step(
            name=data["name"],
            effect=effect,
            location=location,
            when=when,
            for_each=self.expr(data["for_each"], path + ("for_each",)),
            as_=name,
            steps=children,
        )

    def request(self, data: dict[str, Any], path: JsonPath) -> Request:
        bodies = [key for key in _BODIES if key in data]
        if len(bodies) > 1:
            raise self.fail(path + (bodies[1],), f"a request has at most one body; found {' and '.join(bodies)}", key=True)
        params = data.get("params")
        fields: dict[str, Any] = {}
        multipart_fields = multipart_files = None
        if "multipart" in data:
            raw = data["multipart"]
            fields = raw.get("fields") or {}
            multipart_fields = self.template(fields, path + ("multipart", "fields"))
            multipart_files = tuple(
                (name, self.source(item, path + ("multipart", "files", name))) for name, item in (raw.get("files") or {}).items()
            )
        return Request(
            method=data["method"],
            url=self.url(data["url"], path + ("url",)),
            params=None if params is None else self.template(params, path + ("params",)),
            headers=self.headers(data.get("headers"), path + ("headers",)),
            json=self.template(data["json"], path + ("json",)) if "json" in data else None,
            form=self.template(data["form"], path + ("form",)) if "form" in data else None,
            multipart_fields=multipart_fields,
            multipart_files=multipart_files,
            content=self.source(data["content"], path + ("content",)) if "content" in data else None,
        )

    def source(self, data: dict[str, Any], path: JsonPath) -> Source:
        filename = self.template(data["filename"], path + ("filename",)) if "filename" in data else None
        content_type = self.template(data["content_type"], path + ("content_type",)) if "content_type" in data else None
        if "zip" in data:
            return ZipSource(self.template(data["zip"], path + ("zip",)), filename, content_type)
        return FileSource(self.template(data["path"], path + ("path",)), filename, content_type)
