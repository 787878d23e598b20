"""The package-manager shims: install lines are checked against this machine, never installed.

Each test runs in a pod of an image from the catalog: its PATH holds only that image's
commands and what its install lines add.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from lab.rehearsal.podenv import prepare_pod, step_env
from lab.rehearsal.shims import install_shims, python_path, real_path

ALPINE, DEBIAN, PYTHON = "alpine:3.21.3", "debian:bookworm-slim", "python:3.11.14-slim"


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_shims(tmp_path_factory.mktemp("shims"))


def pod(shim_dir: Path, folder: Path, image: str) -> dict[str, str]:
    """The environment of a fresh pod of ``image`` under ``folder``."""
    bin_dir = prepare_pod(image, "probe", folder / "pod", shim_dir, real_path())
    return step_env(bin_dir, folder / "home", shim_dir)


@pytest.fixture
def shim_env(shim_dir: Path, tmp_path: Path) -> dict[str, str]:
    """A python:3.11.14-slim pod (pip, python, apt-get)."""
    return pod(shim_dir, tmp_path, PYTHON)


@pytest.fixture
def alpine_env(shim_dir: Path, tmp_path: Path) -> dict[str, str]:
    """An alpine pod (BusyBox commands and apk)."""
    return pod(shim_dir, tmp_path, ALPINE)


def sh(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", line], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_apk_add_is_satisfied_by_local_commands(alpine_env: dict[str, str]) -> None:
    done = sh("apk add --no-cache curl jq ca-certificates", alpine_env)
    assert done.returncode == 0, done.stderr
    assert "apk add curl jq ca-certificates satisfied by local curl, jq" in done.stderr
    assert done.stdout == ""


def test_apk_options_before_the_subcommand_and_pins(alpine_env: dict[str, str]) -> None:
    done = sh("apk --no-cache add curl=8.5.0-r0", alpine_env)
    assert done.returncode == 0, done.stderr
    assert "versions not checked" in done.stderr


def test_apk_add_names_what_is_missing(alpine_env: dict[str, str]) -> None:
    done = sh("apk add --no-cache curl rehearsal-no-such-tool", alpine_env)
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
    shim_env: dict[str, str], shim_dir: Path, tmp_path: Path
) -> None:
    env = {**shim_env, "PYTHONPATH": str(python_path(shim_dir))}
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


def test_commands_are_only_what_the_image_ships_until_installed(
    alpine_env: dict[str, str],
) -> None:
    assert sh("jq --version", alpine_env).returncode == 127  # not in alpine
    assert sh("python3 -V", alpine_env).returncode == 127
    assert sh("mktemp && sleep 0 && wget --help >/dev/null 2>&1; echo ok", alpine_env).stdout
    done = sh("apk add --no-cache jq >&2 && jq -n 1", alpine_env)
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr
    assert sh("jq --version", alpine_env).returncode == 0  # installed for the rest of the pod


def test_apt_get_install_adds_the_command(shim_dir: Path, tmp_path: Path) -> None:
    env = pod(shim_dir, tmp_path, DEBIAN)
    assert sh("git --version", env).returncode == 127  # debian slim has no git
    done = sh("apt-get install -y git >&2 && git --version", env)
    assert done.returncode == 0 and done.stdout.startswith("git version"), done.stderr


def test_python_imports_only_the_image_s_packages_until_pip_installs_them(
    shim_env: dict[str, str],
) -> None:
    have = importlib.metadata.version("PyYAML")
    missing = sh("python -c 'import yaml'", shim_env)
    assert missing.returncode == 1
    assert "No module named 'yaml'" in missing.stderr
    assert "this machine has PyYAML, but the step's image does not" in missing.stderr
    probe = sh("python -c 'import importlib.util as u; print(u.find_spec(\"yaml\"))'", shim_env)
    assert probe.stdout.strip() == "None"  # a probe sees it missing, as in the image
    line = f"pip install pyyaml=={have} >&2 && python -c 'import yaml; print(yaml.__version__)'"
    done = sh(line, shim_env)
    assert (done.returncode, done.stdout.strip()) == (0, have), done.stderr


def test_an_undeclared_import_fails_even_after_other_installs(shim_env: dict[str, str]) -> None:
    have = importlib.metadata.version("PyYAML")
    done = sh(f"pip install pyyaml=={have} >&2 && python -c 'import torch'", shim_env)
    assert done.returncode == 1
    assert "No module named 'torch'" in done.stderr
