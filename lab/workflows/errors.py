"""What the workflow checker reports: problems found in files, and its exceptions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: the file, where in it (a template, a step), what is wrong, the line."""

    file: str
    context: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        """Render as ``FILE: CONTEXT: MESSAGE (line N)``."""
        parts = (
            [self.file, self.context, self.message] if self.context else [self.file, self.message]
        )
        text = ": ".join(parts)
        return f"{text} (line {self.line})" if self.line else text


class WorkflowCheckError(Exception):
    """Base class of the checker's exceptions."""


class WorkflowFileError(WorkflowCheckError):
    """Raised when a path given to the checker is missing or holds no YAML files."""


class TemplateNotFoundError(WorkflowCheckError):
    """Raised when a file has no WorkflowTemplate or template of the requested name."""
