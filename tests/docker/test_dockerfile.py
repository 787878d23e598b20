"""lab.docker.dockerfile: build-arg defaults and the base image, read without Docker."""

from __future__ import annotations

from pathlib import Path

from lab.docker.dockerfile import arg_defaults, base_images

REPO = Path(__file__).resolve().parents[2]


def test_arg_defaults_unquote_and_keep_empty_ones(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        'ARG BASE_IMAGE="python:3.11.14-slim"\nFROM ${BASE_IMAGE}\nARG EMPTY=\narg lower=x\n'
        "ARG NO_DEFAULT\n"
    )
    assert arg_defaults(dockerfile) == {
        "BASE_IMAGE": "python:3.11.14-slim",
        "EMPTY": "",
        "lower": "x",
        "NO_DEFAULT": "",
    }


def test_base_images_resolve_args_and_build_args_win(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG B=python:3.11-slim\nFROM $B AS one\nFROM ${B}\nFROM alpine:3\n")
    assert base_images(dockerfile) == ["python:3.11-slim", "python:3.11-slim", "alpine:3"]
    assert base_images(dockerfile, {"B": "stand-in"})[:2] == ["stand-in", "stand-in"]


def test_both_lab_dockerfiles_default_to_the_official_slim_python() -> None:
    for room in ("train", "app"):
        assert base_images(REPO / room / "Dockerfile") == ["python:3.11.14-slim"]
