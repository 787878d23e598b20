"""train/ as a Docker build context: what can be checked without a Docker engine."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from lab.docker.dockerfile import arg_defaults, base_images
from lab.services import TRAIN_COMMAND

TRAIN = Path(__file__).resolve().parents[2] / "train"
DOCKERFILE = TRAIN / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def requirement_pins() -> dict[str, str]:
    """name -> exact version from train/requirements.txt."""
    pins = {}
    for line in (TRAIN / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"not pinned exactly: {line}"
            pins[name.lower()] = version
    return pins


def test_base_image_is_an_exact_slim_python_311() -> None:
    froms = base_images(DOCKERFILE)  # FROM ${BASE_IMAGE}, with the ARG's default
    assert len(froms) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim", froms[0])


def test_build_args_default_to_what_node1_reaches() -> None:
    assert arg_defaults(DOCKERFILE) == {
        "BASE_IMAGE": base_images(DOCKERFILE)[0],
        "TORCH_INDEX_URL": "https://download.pytorch.org/whl/cpu",
        "PIP_FIND_LINKS": "",
    }


def test_the_state_folder_exists_before_prefect_migrates_into_it() -> None:
    # The student's first `docker build` failed here: sqlite cannot create a file in a
    # folder that does not exist.
    run = next(args for keyword, args in instructions() if "database upgrade" in args)
    assert run.index('mkdir -p "$STATE_DIR/prefect"') < run.index("database upgrade")


def test_every_copy_source_exists_and_is_not_ignored() -> None:
    ignored = (TRAIN / ".dockerignore").read_text().split()
    copies = [args for keyword, args in instructions() if keyword == "COPY"]
    assert copies
    for args in copies:
        parts = [p for p in shlex.split(args) if not p.startswith("--")]
        for source in parts[:-1]:
            assert (TRAIN / source).exists(), f"COPY source {source} is missing from train/"
            assert source not in ignored


def test_torch_in_the_dockerfile_is_the_pinned_cpu_build() -> None:
    pins = requirement_pins()
    assert pins["torch"].endswith("+cpu")
    runs = " ".join(args for keyword, args in instructions() if keyword == "RUN")
    assert f'--index-url "$TORCH_INDEX_URL" torch=={pins["torch"]}' in runs
    assert arg_defaults(DOCKERFILE)["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_requirements_pin_the_lean_stack() -> None:
    pins = requirement_pins()
    assert pins["mlflow-skinny"] == "3.17.2"
    assert "mlflow" not in pins, "the image needs the client (mlflow-skinny), not the server"
    assert pins["prefect"] == "3.9.1"
    major, minor, _ = (int(x) for x in pins["fastapi"].split("."))
    assert (major, minor) < (0, 151)


def test_start_command_port_user_and_healthcheck() -> None:
    parsed = instructions()
    keywords = [keyword for keyword, _ in parsed]
    cmd = [args for keyword, args in parsed if keyword == "CMD"]
    assert cmd == ['["python", "-m", "gourmetgram_train"]']
    assert tuple(json.loads(cmd[0])) == TRAIN_COMMAND  # the command the lab and the tests run
    assert ("EXPOSE", "8000") in parsed
    users = [args for keyword, args in parsed if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert keywords.index("USER") < keywords.index("CMD")
    healthcheck = next(args for keyword, args in parsed if keyword == "HEALTHCHECK")
    assert "/health" in healthcheck and "curl" not in healthcheck


@pytest.mark.parametrize("name", ["README.md", "requirements.txt", ".dockerignore"])
def test_build_context_files_exist(name: str) -> None:
    assert (TRAIN / name).is_file()
