"""Evaluating a flow's templates and expressions, with errors that name the step and position.

A failure inside Jinja (``EvalFailure``) or ``pick`` becomes a ``TemplateError`` (or a
``PickError``) built with the step path, the file position and the reason, secrets masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orderspec.engine._errors import FlowError, PickError, TemplateError
from orderspec.engine._flow import Capture, Expr
from orderspec.engine._template import EvalFailure, Renderer
from orderspec.engine._wording import Mask, reason
from orderspec.errors import Location

Explain = Callable[[EvalFailure], str]
"""Words for why a value could not be computed, from the failure."""


class Evaluator:
    """Runs compiled templates and expressions for one run (one set of secrets to mask)."""

    __slots__ = ("mask",)

    def __init__(self, mask: Mask) -> None:
        self.mask = mask

    def render(self, renderer: Renderer, ctx: dict[str, Any], label: str, location: Location, *, step: str | None = None) -> Any:
        """A template's value; ``label`` starts the message (``vars.service``, ``step 'x': url``)."""
        try:
            return renderer(ctx)
        except EvalFailure as exc:
            hint = None
            if exc.source.startswith("target."):
                hint = "target settings come from the spec's profile; `orderspec run` takes --base-url"
            raise TemplateError(self.mask(f"{label}: {reason(exc)}"), step=step or label, location=location, hint=hint) from None
        except PickError as exc:
            raise PickError(self.mask(f"{label}: {exc.message}"), step=step or label, location=location) from None

    def eval(self, expr: Expr, ctx: dict[str, Any], path: str) -> Any:
        """An expression's value at step ``path``."""
        try:
            return expr.fn(ctx)
        except EvalFailure as exc:
            raise TemplateError(self.mask(f"step {path!r}: `{expr.source}`: {exc.reason}"), step=path, location=expr.location) from None
        except PickError as exc:
            raise PickError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=expr.location) from None

    def assignment(
        self,
        item: Capture,
        ctx: dict[str, Any],
        path: str,
        *,
        error: type[FlowError],
        explain: Explain,
        hint: str | None = None,
    ) -> Any:
        """The value of one ``capture`` or ``set`` entry; ``explain`` and ``hint`` word a failure."""
        try:
            return item.expr.fn(ctx)
        except EvalFailure as exc:
            raise error(self.mask(f"step {path!r}: {explain(exc)}"), step=path, location=item.expr.location, hint=hint) from None
        except PickError as exc:
            raise PickError(self.mask(f"step {path!r}: {exc.message}"), step=path, location=item.expr.location, hint=hint) from None
