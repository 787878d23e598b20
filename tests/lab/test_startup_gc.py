"""startup_gc: the collector is paused while a server starts, and always resumed once."""

from __future__ import annotations

import gc

import pytest

from lab.services.startup_gc import collector_paused, pause_collector, resume_collector

pytestmark = pytest.mark.usefixtures("collector_restored")


def test_paused_then_resumed_with_what_exists_frozen() -> None:
    with collector_paused():
        assert not gc.isenabled()
        built = [[] for _ in range(1000)]  # what imports would build
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_a_failing_start_resumes_the_collector() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the server could not start")
    assert gc.isenabled()


def test_resumed_once_even_when_asked_again() -> None:
    pause_collector()
    resume_collector()  # before serving
    gc.disable()  # someone else's pause, later: not ours to end
    resume_collector()
    assert not gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
