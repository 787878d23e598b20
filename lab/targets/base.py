"""The interface every lab target implements: what a notebook cell can ask for."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lab.runs.records import WorkflowRun


class Target(ABC):
    """One place the lab runs: the real Chameleon cluster, or local processes."""

    name: str = ""
    builds_images: bool = True
    """Whether the build step can build and push an image here (not so without Docker)."""

    @property
    @abstractmethod
    def mlflow_uri(self) -> str:
        """The MLflow tracking and registry URI that this target's services use."""

    @property
    @abstractmethod
    def endpoint_ip(self) -> str:
        """The address to pass as train-model's ``endpoint-ip`` parameter."""

    @abstractmethod
    def describe(self) -> str:
        """A short paragraph for the student: where each part runs."""

    @abstractmethod
    def preflight(self) -> Any:
        """Check what the lab needs here; a report to print, whose ``ok`` says if it is ready."""

    @abstractmethod
    def build_training_image(self) -> None:
        """Build the ``gourmetgram-train`` image (or say plainly why it is not built)."""

    @abstractmethod
    def start_training_service(self) -> None:
        """Start the training service (reusing one that already runs)."""

    @abstractmethod
    def wait_for_uvicorn(self, timeout_s: float = 300) -> str:
        """Wait for the service's ``Uvicorn running on`` log line and return it."""

    @abstractmethod
    def training_logs(self, tail: int = 40) -> str:
        """The last lines of the training service's log."""

    @abstractmethod
    def submit_workflow(
        self,
        template: str,
        parameters: dict[str, str],
        *,
        on_event: Callable[[Any], None] | None = None,
        timeout_s: float = 1800,
    ) -> WorkflowRun:
        """Run a WorkflowTemplate with parameters and follow it, and what it spawns, to the end."""

    @abstractmethod
    def latest_run(self, template: str) -> WorkflowRun | None:
        """The newest run of ``template`` that this target knows of, or None."""

    @abstractmethod
    def stop(self) -> None:
        """Stop what this target started."""
