"""lab.docker.buildargs: only what cannot be reached is replaced, and the flags say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.docker import buildargs
from lab.docker.buildargs import BuildSetup, describe, pip_find_links, torch_wheels_dir
from lab.docker.errors import DockerError


def test_no_replacement_means_no_flags_and_a_plain_sentence() -> None:
    setup = BuildSetup()
    assert setup.docker_args() == []
    assert list(describe(setup)) == [
        "No build args needed here: the Dockerfile's defaults can be reached."
    ]


def test_served_wheels_need_the_host_network_then_the_build_args(tmp_path: Path) -> None:
    setup = BuildSetup({"TORCH_INDEX_URL": "https://pypi.org/simple"}, ["why"], tmp_path)
    assert setup.docker_args() == [
        "--network",
        "host",
        "--build-arg",
        "TORCH_INDEX_URL=https://pypi.org/simple",
    ]
    assert list(describe(setup)) == ["  why"]


def test_find_links_come_from_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl").write_bytes(b"")
    monkeypatch.setenv("PIP_FIND_LINKS", f"{tmp_path} /does/not/exist")
    assert pip_find_links() == [tmp_path]
    assert torch_wheels_dir() == tmp_path


def test_no_torch_wheel_anywhere_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(DockerError, match="set PIP_FIND_LINKS"):
        torch_wheels_dir()


def test_an_unreachable_index_is_not_reachable() -> None:
    assert not buildargs.reachable("https://download.invalid/whl/cpu", timeout_s=5)
