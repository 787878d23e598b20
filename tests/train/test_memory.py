"""gourmetgram_train.memory: freed heap pages go back to the system (glibc's malloc_trim)."""

from __future__ import annotations

import psutil

from gourmetgram_train.memory import release_free_memory


def test_freed_memory_is_handed_back() -> None:
    me = psutil.Process()
    blocks = [bytearray(1000) for _ in range(100_000)]  # ~100 MB of small heap blocks
    blocks[-1][0] = 1  # keeps the heap's top in use: only a trim of the middle frees the rest
    keep = blocks[-1]
    del blocks
    held = me.memory_info().rss
    assert release_free_memory()
    assert me.memory_info().rss < held - 50 * 2**20
    assert keep[0] == 1
