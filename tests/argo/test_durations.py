"""Durations and counts read as Argo v3.6.5's Go code reads them."""

from __future__ import annotations

import pytest

from lab.argo.durations import DurationError, argo_duration, go_duration, int_or_string


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("1m30s", 90), ("1.5h", 5400), ("2h45m", 9900), ("0", 0), ("10us", 1e-5)],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["30", "1.5", "", "5 s", "1d", "s"])
def test_not_go_durations(text: str) -> None:
    with pytest.raises(DurationError):
        go_duration(text)


@pytest.mark.parametrize(
    ("value", "seconds"), [("10", 10), (10, 10), ("10s", 10), ("500ms", 0.5), ("2m", 120)]
)
def test_backoff_durations_take_whole_seconds_or_go_durations(value, seconds) -> None:
    assert argo_duration(value) == pytest.approx(seconds)


def test_a_backoff_duration_in_fractional_seconds_is_an_error() -> None:
    with pytest.raises(DurationError, match=r"unable to parse '1\.5' as a duration"):
        argo_duration("1.5")


@pytest.mark.parametrize(("value", "number"), [(3, 3), ("3", 3), ("-1", -1)])
def test_int_or_string(value, number: int) -> None:
    assert int_or_string(value) == number


@pytest.mark.parametrize("value", ["1.5", "two", True, 1.5])
def test_int_or_string_refuses_what_argo_cannot_read(value) -> None:
    with pytest.raises(DurationError):
        int_or_string(value)
