"""What reading and checking Argo files reports: findings with a severity, and exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters: an error fails a check; a warning fails only ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding: the file, where in it (a template, a step), what is wrong, the line."""

    file: str
    context: str
    message: str
    line: int | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        """Whether this finding fails a check without ``--strict``."""
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        """``FILE: CONTEXT: MESSAGE (line N)``; a warning says so after the file name."""
        head = [self.file] if self.is_error else [self.file, "warning"]
        text = ": ".join(
            [*head, self.context, self.message] if self.context else [*head, self.message]
        )
        return f"{text} (line {self.line})" if self.line else text


class ArgoModelError(Exception):
    """Base class of this package's exceptions."""


class ArgoFileError(ArgoModelError):
    """Raised when a path to read is missing or holds no YAML files."""


class TemplateNotFoundError(ArgoModelError):
    """Raised when a file has no WorkflowTemplate or template of the requested name."""


class UnknownArgoVersion(ArgoModelError):
    """Raised when no schema of the requested Argo version is vendored here."""
