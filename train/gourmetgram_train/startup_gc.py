"""Imports at start-up without the cyclic garbage collector walking what they build.

Importing torch, MLflow or Prefect builds millions of objects that live as long as the
process, yet the collector walks them again and again as they pile up: about 10% of the CPU
of those imports here (the service's: 8.9 s with it, 8.0 s without; Prefect's server: 7.8 s
against 6.8 s). The price: the imports' garbage is frozen with the rest, about 14 MiB for
the service. The lab's servers do the same (lab/services/startup_gc.py, not in the image).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collections in the block; then freeze every object (never walked again)
    and collect automatically again."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
