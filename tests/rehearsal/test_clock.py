"""The rehearsal's clock: long backoffs are skipped, and the clock moves on by them."""

from __future__ import annotations

from lab.rehearsal.clock import Clock


def test_a_long_wait_is_capped_and_counted() -> None:
    clock = Clock(max_wait_s=0.01)
    before = clock.now()
    real = clock.wait(30)
    assert real == 0.01
    assert clock.now() - before >= 30
    assert clock.remaining(clock.now() + 5) <= 5
    assert clock.remaining(None) is None


def test_a_short_wait_is_real() -> None:
    clock = Clock(max_wait_s=1)
    assert clock.wait(0.01) == 0.01 and clock.skipped == 0
