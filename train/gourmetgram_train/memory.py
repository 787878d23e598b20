"""Hand the C heap's free pages back to the system after the training thread's work.

A training run allocates and frees many tensors and Python objects; glibc keeps the freed
pages in its heaps for later, so the service grows with each run (about 30 MB more after the
warm-up and the first runs here) though the memory is free. ``malloc_trim(0)`` returns it.
It takes milliseconds, and runs in the training thread after a run has answered. Where the C
library has no ``malloc_trim`` (not glibc), nothing is done.
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any


@cache
def _malloc_trim() -> Any:
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; whether any were returned."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
