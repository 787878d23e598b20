"""The service's start-up imports: the collector paused, then what exists frozen, always resumed."""

from __future__ import annotations

import gc

import pytest

from gourmetgram_train.startup_gc import collector_paused

pytestmark = pytest.mark.usefixtures("collector_restored")


def test_paused_then_resumed_with_what_exists_frozen() -> None:
    with collector_paused():
        assert not gc.isenabled()
        built = [[] for _ in range(1000)]  # what the imports would build
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_a_failing_import_resumes_the_collector() -> None:
    with pytest.raises(ImportError), collector_paused():
        raise ImportError("no module named torch")
    assert gc.isenabled()
