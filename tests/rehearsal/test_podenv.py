"""A pod's environment: only its image's commands on PATH, its own HOME, the pod variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.rehearsal.errors import StepRefused
from lab.rehearsal.podenv import check_command, prepare_pod, step_env
from lab.rehearsal.shims import install_shims, real_path


def test_the_pod_path_holds_the_image_s_commands_only(tmp_path: Path) -> None:
    shim_dir = install_shims(tmp_path / "shims")
    bin_dir = prepare_pod("alpine:3.21.3", "s", tmp_path / "pod", shim_dir, real_path())
    names = {p.name for p in bin_dir.iterdir()}
    assert {"sh", "cat", "apk"} <= names and not {"curl", "python", "jq"} & names
    assert (bin_dir / "apk").resolve() == (shim_dir / "apk").resolve()
    env = step_env(bin_dir, tmp_path / "home", shim_dir)
    assert env["PATH"] == str(bin_dir) and env["LAB_REHEARSAL_POD"] == str(tmp_path / "pod")
    assert (tmp_path / "home").is_dir()


def test_a_python_image_has_its_own_site_packages(tmp_path: Path) -> None:
    shim_dir = install_shims(tmp_path / "shims")
    prepare_pod("python:3.11.14-slim", "s", tmp_path / "pod", shim_dir, real_path())
    site = {p.name for p in (tmp_path / "pod" / "site-packages").iterdir()}
    assert "pip" in site and "yaml" not in site


def test_commands_are_refused_when_the_image_or_this_machine_lacks_them() -> None:
    check_command("sh", "alpine:3.21.3", "s", real_path())
    with pytest.raises(StepRefused, match="command 'curl' is not in that image"):
        check_command("curl", "alpine:3.21.3", "s")
    with pytest.raises(StepRefused, match="not available on this machine"):
        check_command("sh", "alpine:3.21.3", "s", search_path="/nonexistent")
