"""One HTTP client for polling local services while they start and run.

`httpx.get()` builds a client per call, whose TLS context loads the CA bundle: about 50 ms
of CPU for a plain-HTTP poll that takes well under 1 ms. Polled every 0.2 s while the
services boot, that was a quarter of a core. One client is built once instead. It keeps no
idle connections, so a service that restarted is never asked on a dead one.
"""

from __future__ import annotations

from functools import cache

import httpx

from lab.httpclients import http_client


@cache
def probe_client() -> httpx.Client:
    """The shared client (thread-safe; each call passes its own timeout)."""
    return http_client(limits=httpx.Limits(max_keepalive_connections=0))
