"""Rehearse Argo WorkflowTemplates locally: run their steps for real, refuse what cannot run."""

from lab.rehearsal.engine import preflight, rehearse
from lab.rehearsal.errors import (
    ConditionError,
    ParameterError,
    RehearsalError,
    RehearsalUnsupported,
    StepRefused,
    TemplateInvalid,
    TemplateNotFound,
    UnresolvedVariable,
    UnsupportedCondition,
)
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext
from lab.rehearsal.records import Event, NodeRecord, Outputs, WorkflowRun
from lab.rehearsal.templates import load_templates

__all__ = [
    "ConditionError",
    "Event",
    "HandlerResult",
    "ImageHandler",
    "NodeRecord",
    "Outputs",
    "ParameterError",
    "RehearsalError",
    "RehearsalUnsupported",
    "StepContext",
    "StepRefused",
    "TemplateInvalid",
    "TemplateNotFound",
    "UnresolvedVariable",
    "UnsupportedCondition",
    "WorkflowRun",
    "load_templates",
    "preflight",
    "rehearse",
]
