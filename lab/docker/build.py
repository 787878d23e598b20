"""`docker build` with this machine's build args: command shown, Step lines echoed, log kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lab.docker.buildargs import build_setup, describe
from lab.docker.cli import docker, stream
from lab.targets.commands import command_line

BUILD_TIMEOUT_S = 1800  # a cold build installs torch and friends: minutes
SHOWN_PREFIXES = ("Step ", "Successfully ")


def build_argv(context: Path, tag: str, extra: list[str]) -> list[str]:
    """``docker build -t TAG [extra] CONTEXT``: the student's command plus this machine's flags."""
    return ["docker", "build", "-t", tag, *extra, str(context)]


def build_image(
    context: Path,
    tag: str,
    *,
    log_path: Path,
    echo: Callable[[str], None] = print,
    timeout_s: float = BUILD_TIMEOUT_S,
    no_cache: bool = False,
) -> str:
    """Build ``context`` (its Dockerfile) as ``tag`` and return the image ID.

    The full output goes to ``log_path``; ``echo`` gets the command, the build args added on
    this machine with their reasons, and the ``Step`` and ``Successfully`` lines.
    """
    setup = build_setup(context / "Dockerfile", echo)
    for line in describe(setup):
        echo(line)
    argv = build_argv(context, tag, setup.docker_args() + (["--no-cache"] if no_cache else []))
    echo(f"$ {command_line(argv)}")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(f"$ {command_line(argv)}\n", encoding="utf-8")

    def show(line: str) -> None:
        if line.startswith(SHOWN_PREFIXES):
            echo(line)

    with setup.serving():
        stream(argv, log_path=log_path, timeout_s=timeout_s, on_line=show)
    return image_id(tag)


def image_id(image: str) -> str:
    """The engine's ID of ``image`` (``sha256:…``)."""
    return docker("image", "inspect", "--format", "{{.Id}}", image, timeout_s=30).stdout.strip()


def image_size(image: str) -> int:
    """The size of ``image`` in bytes, as ``docker image inspect`` reports it."""
    out = docker("image", "inspect", "--format", "{{.Size}}", image, timeout_s=30).stdout
    return int(out.strip())
