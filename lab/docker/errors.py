"""Errors raised by the Docker helpers, each saying what failed and what to do."""

from __future__ import annotations


class DockerError(RuntimeError):
    """Raised when a docker command fails; the message holds the command and its output."""


class DockerUnavailableError(DockerError):
    """Raised when no Docker engine answers (or the ``docker`` CLI is missing)."""


class DockerTimeoutError(DockerError):
    """Raised when a docker command does not finish within its time limit."""


class BaseImageError(DockerError):
    """Raised when neither the Dockerfiles' base image nor the stand-in can be had."""
