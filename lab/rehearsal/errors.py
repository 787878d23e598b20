"""The exceptions a rehearsal raises: one tree, each saying what went wrong and what to do.

They mean "this cannot be rehearsed as written". What Argo itself would report while a
workflow runs (a step that fails, an invalid ``when``, a ``withParam`` that is not a JSON
list) is not an exception: it is a node in phase ``Failed`` or ``Error``, as on a cluster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lab.runs.records import WorkflowRun


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


class UnknownArgoField(TemplateInvalid, RehearsalUnsupported):
    """Raised when a template uses a field Argo does not know: neither runs it as meant."""


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


class NodeErrored(Exception):
    """Raised inside a run where Argo would end a node in phase Error; never leaves rehearse().

    The node is recorded with this message (an invalid ``when``, a ``withParam`` that is
    not a JSON list, a ``depends`` that cannot be evaluated), as on a cluster.
    """
