"""Errors raised by the local service helpers, each saying which service and what to do."""

from __future__ import annotations


class ServiceError(RuntimeError):
    """Raised when a local service cannot be started, reached or stopped."""


class PortInUseError(ServiceError):
    """Raised when the port a service should listen on is already taken."""


class ServiceDiedError(ServiceError):
    """Raised when a service's process exits while we wait for it to become ready."""


class ServiceTimeoutError(ServiceError):
    """Raised when a service does not become ready in time."""
