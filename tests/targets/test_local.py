"""The local target's own logic: pins, build-context checks, refusals and clear errors."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.docker.dockerfile import copy_sources, missing_sources
from lab.rehearsal.hooks import StepContext
from lab.requirements import unmet_pins
from lab.runs.records import FAILED
from lab.services.app_forkserver import FORKSERVER_NAME
from lab.services.errors import PortInUseError
from lab.services.ports import free_port
from lab.services.process import find_service, stop_all
from lab.targets import UnknownTargetError, connect
from lab.targets.local import LocalSetupError, LocalTarget, _current_branch
from lab.targets.local_build import make_build_handler

REPO = Path(__file__).resolve().parents[2]


def test_unknown_target_names_the_choices() -> None:
    with pytest.raises(UnknownTargetError, match="'local', 'chameleon'"):
        connect("kubernetes")


def test_unmet_pins_names_each_mismatch(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\n"
        "pytest==9.0.3\n"
        "pytest-other-name-that-is-not-installed==1.0  # why\n"
        "PyYAML==0.0.1\n"
        "-r other.txt\n"
    )
    problems = unmet_pins(requirements)
    assert problems == [
        "pytest-other-name-that-is-not-installed is not installed (wanted 1.0)",
        "PyYAML is 6.0.4, wanted 0.0.1",
    ]


def test_this_environment_meets_the_training_image_pins() -> None:
    assert unmet_pins(REPO / "train" / "requirements.txt") == []


def test_copy_sources_of_the_app_dockerfile() -> None:
    assert copy_sources(REPO / "app" / "Dockerfile") == [
        "requirements.txt",
        "gourmetgram_app/",
        "model/",
    ]


def test_copy_sources_skip_stages_and_flags(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11.14-slim AS base\n"
        "COPY --chown=app a.txt b/ /dst/\n"
        "COPY --from=base /x /y\n"
        "ADD c.tar \\\n    /opt/\n"
        "RUN echo COPY nothing\n"
    )
    assert copy_sources(tmp_path / "Dockerfile") == ["a.txt", "b/", "c.tar"]
    (tmp_path / "a.txt").write_text("a")
    assert missing_sources(tmp_path) == ["b/", "c.tar"]


def _context(tmp_path: Path, version: str = "3") -> StepContext:
    lines: list[str] = []
    return StepContext(
        run_name="build-container-image-abcde",
        step="build-image",
        template={},
        image="moby/buildkit:v0.23.1-rootless",
        inputs={},
        env={
            "REGISTRY": "registry.example:5000",
            "IMAGE_NAME": "gourmetgram-app",
            "MODEL_VERSION": version,
            "BUILD_CONTEXT": "source/app",
        },
        workdir=tmp_path,
        mounts={"/workspace": tmp_path},
        log=lines.append,
        timeout_s=60,
    )


@pytest.fixture
def build_state(tmp_path: Path) -> Iterator[Path]:
    """A state folder for the build handler; its fork server (preloading) is stopped after."""
    state = tmp_path / "state"
    yield state
    assert FORKSERVER_NAME in stop_all(state), "the handler starts preloading the app's imports"


def test_build_handler_fails_plainly_on_an_incomplete_context(
    tmp_path: Path, build_state: Path
) -> None:
    context = tmp_path / "source" / "app"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text((REPO / "app" / "Dockerfile").read_text())
    (context / "requirements.txt").write_text("")
    result = make_build_handler(build_state)(_context(tmp_path))
    assert result.phase == FAILED
    assert "registry.example:5000/gourmetgram-app:staging-1.0.3 NOT built" in result.message
    assert "gourmetgram_app/, model/" in result.message


def test_build_handler_needs_a_dockerfile(tmp_path: Path, build_state: Path) -> None:
    result = make_build_handler(build_state)(_context(tmp_path))
    assert result.phase == FAILED
    assert "source/app/Dockerfile is missing" in result.message


def test_a_taken_mlflow_port_is_named_and_nothing_is_left_running(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        target = LocalTarget(
            state=tmp_path, mlflow_port=port, service_port=free_port(), echo=lambda _: None
        )
        with pytest.raises(PortInUseError, match=f"port {port} on 127.0.0.1 is already in use"):
            target.start_training_service()
    # The training service started beside it is stopped again: nothing is left running.
    assert not list((tmp_path / "services").glob("*.json"))
    assert find_service("gourmetgram-train", tmp_path) is None


def test_waiting_for_a_service_that_is_not_running_says_what_to_do(tmp_path: Path) -> None:
    target = LocalTarget(state=tmp_path, echo=lambda _: None)
    with pytest.raises(LocalSetupError, match="run the cell that starts it first"):
        target.wait_for_uvicorn(timeout_s=1)
    with pytest.raises(LocalSetupError, match="not running"):
        target.training_logs()


def test_no_runs_recorded_yet(tmp_path: Path) -> None:
    assert LocalTarget(state=tmp_path).latest_run("build-container-image") is None


def test_detached_head_is_refused_with_the_fix(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    assert _current_branch(tmp_path) == "main"
    git("checkout", "-q", "--detach")
    with pytest.raises(LocalSetupError, match="git switch main"):
        _current_branch(tmp_path)


def test_cluster_defaults_are_replaced_through_parameters(tmp_path: Path) -> None:
    target = LocalTarget(state=tmp_path, mlflow_port=8123)
    overrides = target.cluster_overrides()
    assert overrides["mlflow-uri"] == "http://127.0.0.1:8123"
    assert overrides["app-repo"] == str(REPO)
    assert set(overrides) == {"mlflow-uri", "app-repo", "app-revision"}
