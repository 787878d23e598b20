"""One time budget for all the MLflow requests of a trigger: a hung server costs seconds.

MLflow's client sends every request (tracking, registry, artifacts) through `requests`,
each with its own timeout (MLFLOW_HTTP_REQUEST_TIMEOUT) and retries: against a server
that accepts connections and never answers, one trigger used to wait minutes. Inside
`mlflow_budget(seconds)`, every attempt of every request in this thread (retries and their
back-off included) waits at most what is left of the budget; once it is spent, the next
attempt fails at once with BudgetSpentError. Time spent training is not charged.

It works by wrapping `requests.adapters.HTTPAdapter.send` (installed by the first
`mlflow_budget`; outside a budget the wrapper only passes the call on), which hands urllib3
a Timeout whose per-attempt copies are cut to what is left.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import requests.adapters
from urllib3.util import Timeout

from gourmetgram_train.stopping import stop_deadline


class BudgetSpentError(TimeoutError):
    """Raised when a trigger's MLflow time budget is spent before a request could be sent."""


class MlflowBudget:
    """Seconds a trigger may spend waiting on MLflow, charged as its requests take time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self._since: float | None = None  # when the request in flight started

    def left(self) -> float:
        """Seconds left; also no more than what a stop request leaves (stopping.py)."""
        now = time.monotonic()
        in_flight = now - self._since if self._since is not None else 0.0
        left = self.seconds - self.spent - in_flight
        deadline = stop_deadline()
        return left if deadline is None else min(left, deadline - now)

    @property
    def exhausted(self) -> bool:
        """Whether nothing is left."""
        return self.left() <= 0

    def limit(self, seconds: float) -> float:
        """`seconds` or what is left, whichever is less; BudgetSpentError when nothing is."""
        left = self.left()
        if left <= 0:
            raise BudgetSpentError(f"the {self.seconds:g} s budget for MLflow requests is spent")
        return min(seconds, left)

    @contextmanager
    def charged(self) -> Iterator[None]:
        """Charge the time the block takes (one request, its retries included)."""
        if self._since is not None:  # nested (a redirect): the outer block charges it all
            yield
            return
        self._since = time.monotonic()
        try:
            yield
        finally:
            self.spent += time.monotonic() - self._since
            self._since = None


class _BudgetTimeout(Timeout):
    """A urllib3 Timeout that each attempt (urllib3 clones it per attempt) fits to the budget."""

    def __init__(self, budget: MlflowBudget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget

    def clone(self) -> Timeout:
        """A fresh timeout for the next attempt, no longer than what is left of the budget."""
        left = self.budget.limit(float("inf"))
        connect, read = self._connect, self._read
        return _BudgetTimeout(
            self.budget,
            connect=min(connect, left) if isinstance(connect, int | float) else left,
            read=min(read, left) if isinstance(read, int | float) else left,
            total=left,
        )


_current: ContextVar[MlflowBudget | None] = ContextVar("mlflow_budget", default=None)
_original_send = requests.adapters.HTTPAdapter.send


def _send_within_budget(
    self: requests.adapters.HTTPAdapter,
    request: requests.PreparedRequest,
    stream: bool = False,
    timeout: Any = None,
    **kwargs: Any,
) -> requests.Response:
    """HTTPAdapter.send, with timeouts fitted to the current budget when there is one."""
    budget = _current.get()
    if budget is None:
        return _original_send(self, request, stream=stream, timeout=timeout, **kwargs)
    if isinstance(timeout, Timeout):
        connect, read = timeout.connect_timeout, timeout.read_timeout
    elif isinstance(timeout, tuple):
        connect, read = timeout
    else:
        connect = read = timeout
    budget.limit(float("inf"))  # fail before sending anything once the budget is spent
    fitted = _BudgetTimeout(budget, connect=connect, read=read)
    with budget.charged():
        return _original_send(self, request, stream=stream, timeout=fitted, **kwargs)


@contextmanager
def mlflow_budget(seconds: float) -> Iterator[MlflowBudget]:
    """Give this thread's MLflow requests `seconds` in all, for the duration of the block."""
    requests.adapters.HTTPAdapter.send = _send_within_budget  # type: ignore[method-assign]
    budget = MlflowBudget(seconds)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)
