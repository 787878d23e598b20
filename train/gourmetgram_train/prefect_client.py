"""One Prefect API client for every flow run of the training thread, opened at the first.

A flow run that finds no client in its context opens its own and closes it at the end; each
new client builds a TLS context from certifi's CA bundle (about 50 ms of CPU here, even for
the local plain-http server) and a new connection. The training thread's runs share one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.context import SyncClientContext
from prefect.settings import get_current_settings


class SharedFlowClient:
    """A Prefect client context, opened once and made current around each flow run.

    It talks to the API that Prefect's settings name when it opens; should they name another
    later (a test's own server), it is closed and a new one opened for that API.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one opening even if two threads ask at once
        self._context: SyncClientContext | None = None
        self._api_url: str | None = None

    @contextmanager
    def current(self) -> Iterator[SyncClientContext]:
        """Make the shared client the current one for the block (Prefect's settings in force)."""
        context = self._open()
        token = SyncClientContext.__var__.set(context)  # what get_or_create() finds
        try:
            yield context
        finally:
            SyncClientContext.__var__.reset(token)

    def _open(self) -> SyncClientContext:
        api_url = get_current_settings().api.url
        with self._lock:
            if self._context is not None and api_url != self._api_url:
                self._close()
            if self._context is None:
                context = SyncClientContext()
                context.client.__enter__()
                # What SyncClientContext.__enter__ does for a new client (once per process).
                if get_current_settings().client.server_version_check_enabled:
                    context.client.raise_for_api_version_mismatch_once()
                self._context, self._api_url = context, api_url
            return self._context

    def close(self) -> None:
        """Close the client, if it was opened; the next run opens a new one."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._context is not None:
            self._context.client.__exit__(None, None, None)
            self._context = self._api_url = None
