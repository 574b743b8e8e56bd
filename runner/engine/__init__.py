"""The step engine: load a flow, run it against an HTTP client, report what happened."""

from __future__ import annotations

from orderspec.engine._clock import Clock, InstantClock, SystemClock
from orderspec.engine._errors import (
    CaptureError,
    ConnectionFailed,
    FlowError,
    FlowSourceError,
    OutcomeUnknown,
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
    StepPolled,
    StepRetried,
    StepSkipped,
    StepStarted,
    UploadProgress,
)
from orderspec.engine._flow import EFFECTS, Discard, Effect, Flow, Step, flow_from_document, load_flow
from orderspec.engine._run import FlowContext, FlowResult, PendingStep, StepResult, discard_flow, draft_of, run_flow

__all__ = [
    "EFFECTS",
    "CaptureError",
    "Clock",
    "ConnectionFailed",
    "Discard",
    "Effect",
    "Event",
    "Flow",
    "FlowContext",
    "FlowError",
    "FlowFinished",
    "FlowResult",
    "FlowSourceError",
    "InstantClock",
    "OutcomeUnknown",
    "PendingStep",
    "PickError",
    "PollFailed",
    "PollTimeout",
    "RequestFailed",
    "Step",
    "StepFailed",
    "StepFinished",
    "StepPolled",
    "StepResult",
    "StepRetried",
    "StepSkipped",
    "StepStarted",
    "SystemClock",
    "TemplateError",
    "UploadProgress",
    "discard_flow",
    "draft_of",
    "flow_from_document",
    "load_flow",
    "run_flow",
]
