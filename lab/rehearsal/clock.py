"""The rehearsal's clock: real time, plus the retry backoffs it skips.

A cluster waits a retry's full backoff (``10s``, then ``20s``…); a rehearsal waits at most
``MAX_WAIT_S`` and moves its clock on by the rest. Every deadline of a run (the
workflow's ``activeDeadlineSeconds``, a backoff's ``maxDuration``, a template's
``timeout``) is measured on this clock, so a run decides as a cluster would, only sooner.

The real pause is short: the services a rehearsal talks to run on this machine and are up
before a run starts, so a retry needs a breath, not the cluster's wait for a pod or a
network; every second paused is a second of a notebook cell spent idle.
"""

from __future__ import annotations

import time

MAX_WAIT_S = 0.25


class Clock:
    """Monotonic seconds that advance by real time and by skipped waits."""

    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self.max_wait_s = max_wait_s
        self.skipped = 0.0

    def now(self) -> float:
        """The current time on this clock."""
        return time.monotonic() + self.skipped

    def wait(self, seconds: float) -> float:
        """Let ``seconds`` pass on this clock; return how long that really took."""
        real = max(0.0, min(seconds, self.max_wait_s))
        time.sleep(real)
        self.skipped += max(0.0, seconds - real)
        return real

    def remaining(self, deadline: float | None) -> float | None:
        """Real seconds until ``deadline`` (a time on this clock), or None without one."""
        return None if deadline is None else deadline - self.now()
