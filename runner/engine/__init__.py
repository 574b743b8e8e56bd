"""The step engine: load a flow, run it against an HTTP client, report what happened as events."""

from __future__ import annotations

from orderspec.engine._clock import Clock, InstantClock, SystemClock
from orderspec.engine._context import FlowContext
from orderspec.engine._contract import Contract
from orderspec.engine._errors import (
    CaptureError,
    ConnectionFailed,
    FlowError,
    FlowFailed,
    FlowSourceError,
    OutcomeUnknown,
    PaginationError,
    PickError,
    PollFailed,
    PollTimeout,
    RequestFailed,
    TemplateError,
)
from orderspec.engine._events import (
    Event,
    FlowFinished,
    StepFailed,
    StepFinished,
    StepPaged,
    StepPolled,
    StepRetried,
    StepSkipped,
    StepStarted,
    UploadProgress,
    event_to_dict,
)
from orderspec.engine._flow import EFFECTS, READ_METHODS, Discard, Effect, Flow, Recover, Step, flow_from_document, load_flow
from orderspec.engine._journal import Journal, PendingStep
from orderspec.engine._mask import MASK, Masker
from orderspec.engine._recover import READ_BACK, can_recover, find_step
from orderspec.engine._results import FlowResult, StepResult
from orderspec.engine._run import discard_flow, draft_of, run_flow

__all__ = [
    "EFFECTS",
    "MASK",
    "READ_BACK",
    "READ_METHODS",
    "CaptureError",
    "Clock",
    "ConnectionFailed",
    "Contract",
    "Discard",
    "Effect",
    "Event",
    "Flow",
    "FlowContext",
    "FlowError",
    "FlowFailed",
    "FlowFinished",
    "FlowResult",
    "FlowSourceError",
    "InstantClock",
    "Journal",
    "Masker",
    "OutcomeUnknown",
    "PaginationError",
    "PendingStep",
    "PickError",
    "PollFailed",
    "PollTimeout",
    "Recover",
    "RequestFailed",
    "Step",
    "StepFailed",
    "StepFinished",
    "StepPaged",
    "StepPolled",
    "StepResult",
    "StepRetried",
    "StepSkipped",
    "StepStarted",
    "SystemClock",
    "TemplateError",
    "UploadProgress",
    "can_recover",
    "discard_flow",
    "draft_of",
    "event_to_dict",
    "find_step",
    "flow_from_document",
    "load_flow",
    "run_flow",
]
