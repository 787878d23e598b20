"""Cooperative cancellation: the service's stop request, and the checks a run makes for it.

`docker stop` sends SIGTERM and kills the container 10 s later. The signal handler calls
`request_stop()`; a run checks `check_stop()` between training batches and before each
step that writes to MLflow, up to its registration. A run past that point finishes.
"""

from __future__ import annotations

import time

#: After a stop request, how long MLflow calls may still take in all (see budget.py):
#: enough to end the run FAILED, short enough to answer before `docker stop` kills us.
STOP_GRACE_S = 4.0


class ServiceStopping(RuntimeError):
    """Raised inside a run when the service was asked to stop before the run registered."""


class _StopRequest:
    """When a stop was requested (monotonic seconds), or None; set from a signal handler."""

    # A plain attribute, not a threading.Event: a signal handler must take no lock that the
    # interrupted main thread might hold.
    at: float | None = None


def request_stop() -> None:
    """Ask the running training (if any) to stop at its next check; safe in a signal handler."""
    if _StopRequest.at is None:
        _StopRequest.at = time.monotonic()


def stop_requested() -> bool:
    """Whether the service was asked to stop."""
    return _StopRequest.at is not None


def stop_deadline() -> float | None:
    """The monotonic time by which MLflow calls must be over, once a stop was requested."""
    return None if _StopRequest.at is None else _StopRequest.at + STOP_GRACE_S


def check_stop(stage: str) -> None:
    """Raise ServiceStopping naming `stage` (e.g. 'while training') if a stop was requested."""
    if _StopRequest.at is not None:
        raise ServiceStopping(f"the service is stopping (SIGTERM): the run was cancelled {stage}")


def clear_stop() -> None:
    """Forget a stop request (for tests that run the service in-process)."""
    _StopRequest.at = None
