"""One HTTP client for the service's short checks of local servers (MLflow, Prefect).

`httpx.get()` builds a new client each call, and with it a TLS context that loads the CA
bundle: about 50 ms of CPU, for plain-HTTP checks that take well under 1 ms. Polled every
0.1 s while Prefect's server boots, that was half a core. One client is built once instead.
It keeps no idle connections, so a server that restarted is never asked on a dead one.
"""

from __future__ import annotations

from functools import cache

import httpx


@cache
def probe_client() -> httpx.Client:
    """The shared client (thread-safe; each call passes its own timeout)."""
    return httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))
