"""httpx clients that share one TLS context.

Every httpx client builds a TLS context when it is made, and loads the CA bundle into it:
about 50 ms of CPU, even for a plain-HTTP URL that never uses it. The lab makes a client for
each thing it asks MLflow, a service or a registry (tens in one run of the notebooks), so
they all share one context instead: httpx's own default (certifi's bundle, or SSL_CERT_FILE
and SSL_CERT_DIR), built on first use. Verification is exactly as before.
"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once (an SSLContext may be shared between clients)."""
    return httpx.create_ssl_context()


def http_client(**kwargs: Any) -> httpx.Client:
    """``httpx.Client(**kwargs)`` on the shared TLS context."""
    return httpx.Client(verify=tls_context(), **kwargs)


def http_get(url: str, **kwargs: Any) -> httpx.Response:
    """``httpx.get(url, **kwargs)`` on the shared TLS context."""
    with http_client() as client:
        return client.get(url, **kwargs)
