"""Rehearse Argo WorkflowTemplates locally: run their steps for real, refuse what cannot run.

Run records are in the neutral room :mod:`lab.runs.records`.
"""

from lab.rehearsal.engine import preflight, rehearse
from lab.rehearsal.errors import (
    ConditionError,
    ParameterError,
    RehearsalError,
    RehearsalUnsupported,
    StepRefused,
    TemplateInvalid,
    TemplateNotFound,
    UnknownArgoField,
    UnresolvedVariable,
    UnsupportedCondition,
)
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext
from lab.rehearsal.templates import load_templates

__all__ = [
    "ConditionError",
    "HandlerResult",
    "ImageHandler",
    "ParameterError",
    "RehearsalError",
    "RehearsalUnsupported",
    "StepContext",
    "StepRefused",
    "TemplateInvalid",
    "TemplateNotFound",
    "UnknownArgoField",
    "UnresolvedVariable",
    "UnsupportedCondition",
    "load_templates",
    "preflight",
    "rehearse",
]
