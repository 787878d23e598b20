"""The exceptions a rehearsal raises: one tree, each saying what went wrong and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lab.rehearsal.records import WorkflowRun


class RehearsalError(Exception):
    """Raised when a WorkflowTemplate cannot be rehearsed as written (base of this tree).

    ``run`` holds the partial record when steps had already run before the error.
    """

    run: WorkflowRun | None = None


class TemplateNotFound(RehearsalError):
    """Raised when no WorkflowTemplate of the requested name is in the templates folder."""


class TemplateInvalid(RehearsalError):
    """Raised when a template file is not valid YAML or not a valid Argo WorkflowTemplate."""


class RehearsalUnsupported(RehearsalError):
    """Raised, before anything runs, when a template uses a feature a rehearsal cannot reproduce."""


class ParameterError(RehearsalError):
    """Raised when a parameter is unknown, missing, or outside its enum."""


class UnresolvedVariable(RehearsalError):
    """Raised when a ``{{...}}`` variable is unknown or has no value where it is used."""


class ConditionError(RehearsalError):
    """Raised when a ``when`` expression is not valid (Argo would reject it too)."""


class UnsupportedCondition(ConditionError, RehearsalUnsupported):
    """Raised when a ``when`` expression uses syntax the rehearsal does not evaluate."""


class StepRefused(RehearsalError):
    """Raised when a step cannot run on this machine (no local equivalent, missing secret…)."""
