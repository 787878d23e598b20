"""The package-manager shims: install lines are checked against this machine, never installed."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from lab.rehearsal.shims import install_shims, python_path, step_path


@pytest.fixture(scope="module")
def shim_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    bin_dir = install_shims(tmp_path_factory.mktemp("shims") / "bin")
    return {"PATH": step_path(bin_dir), "HOME": str(tmp_path_factory.mktemp("home"))}


def sh(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", line], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_apk_add_is_satisfied_by_local_commands(shim_env: dict[str, str]) -> None:
    done = sh("apk add --no-cache curl jq ca-certificates", shim_env)
    assert done.returncode == 0, done.stderr
    assert "apk add curl jq ca-certificates satisfied by local curl, jq" in done.stderr
    assert done.stdout == ""


def test_apk_options_before_the_subcommand_and_pins(shim_env: dict[str, str]) -> None:
    done = sh("apk --no-cache add curl=8.5.0-r0", shim_env)
    assert done.returncode == 0, done.stderr
    assert "versions not checked" in done.stderr


def test_apk_add_names_what_is_missing(shim_env: dict[str, str]) -> None:
    done = sh("apk add --no-cache curl rehearsal-no-such-tool", shim_env)
    assert done.returncode == 1
    assert (
        "apk add rehearsal-no-such-tool: not available on this machine; "
        "install rehearsal-no-such-tool" in done.stderr
    )


def test_apt_get_update_and_install(shim_env: dict[str, str]) -> None:
    done = sh("apt-get update -qq && apt-get install -y --no-install-recommends git", shim_env)
    assert done.returncode == 0, done.stderr
    assert "apt-get install git satisfied by local git" in done.stderr
    refused = sh("apt-get remove git", shim_env)
    assert refused.returncode == 1
    assert "not rehearsed" in refused.stderr


def test_pip_install_checks_the_exact_pin(shim_env: dict[str, str]) -> None:
    have = importlib.metadata.version("PyYAML")
    done = sh(f"pip install --no-cache-dir -q pyyaml=={have}", shim_env)
    assert done.returncode == 0, done.stderr
    assert f"PyYAML {have}" in done.stderr or f"pyyaml {have}" in done.stderr


def test_pip_install_names_the_version_this_environment_has(shim_env: dict[str, str]) -> None:
    have = importlib.metadata.version("PyYAML")
    done = sh("pip3 install pyyaml==0.0.1", shim_env)
    assert done.returncode == 1
    assert f"pip install pyyaml==0.0.1: this environment has pyyaml {have}" in done.stderr
    assert "add it to requirements.txt" in done.stderr
    absent = sh("pip install rehearsal-no-such-dist==1.0", shim_env)
    assert absent.returncode == 1
    assert "this environment has no rehearsal-no-such-dist" in absent.stderr


def test_python_is_this_environment_and_python_m_pip_is_the_shim(
    shim_env: dict[str, str],
) -> None:
    done = sh("python3 -c 'import sys; print(sys.prefix)'", shim_env)
    assert done.stdout.strip() == sys.prefix
    refused = sh("python -m pip install rehearsal-no-such-dist==1.0", shim_env)
    assert refused.returncode == 1
    assert "this environment has no rehearsal-no-such-dist" in refused.stderr


def test_pip_requirements_file(shim_env: dict[str, str], tmp_path: Path) -> None:
    have = importlib.metadata.version("PyYAML")
    (tmp_path / "requirements.txt").write_text(f"# pins\npyyaml=={have}\n")
    done = subprocess.run(
        ["/bin/sh", "-c", "pip install -r requirements.txt"],
        env=shim_env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"pip install pyyaml=={have} satisfied" in done.stderr


def test_sys_executable_m_pip_reaches_the_shim_through_pythonpath(
    shim_env: dict[str, str], tmp_path: Path
) -> None:
    bin_dir = Path(shim_env["PATH"].split(":")[0])
    env = {**shim_env, "PYTHONPATH": str(python_path(bin_dir))}
    have = importlib.metadata.version("PyYAML")
    ok = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-cache-dir", "--quiet", f"pyyaml=={have}"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "satisfied by this environment's" in ok.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "pip", "install", "rehearsal-no-such-dist==1.0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "add it to requirements.txt" in refused.stderr
