"""lab.docker.engine: the mode variable wins over what answers, and bad values are refused."""

from __future__ import annotations

import pytest

from lab.docker.engine import MODE_VARIABLE, local_mode


@pytest.mark.parametrize("value", ["docker", "process", " Process "])
def test_the_mode_variable_forces_a_mode(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(MODE_VARIABLE, value)
    assert local_mode() == value.strip().lower()


def test_a_wrong_mode_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "kubernetes")
    with pytest.raises(ValueError, match="use 'docker', 'process'"):
        local_mode()
