"""The exact commands a student runs on Chameleon, as argv lists shared by notebooks and targets."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

IMAGE = "gourmetgram-train"
CONTAINER = "gourmetgram-train"
HOST_PORT = 9090
CONTAINER_PORT = 8000
UVICORN_LINE = "Uvicorn running on http://0.0.0.0:8000"
DEFAULT_REPO_DIR = "~/gourmetgram-lab"
DEFAULT_NAMESPACE = "argo-workflows"


def command_line(argv: Sequence[str]) -> str:
    """``argv`` as one shell line, quoted like ``shlex.join`` but keeping a leading ``~/`` live.

    A quoted ``'~/x'`` is not expanded by the shell, so home-relative paths keep their
    ``~/`` outside the quotes: ``~/'a b'`` means the same to the remote shell as ``~/a\\ b``.
    """
    return " ".join(_quote(arg) for arg in argv)


def _quote(arg: str) -> str:
    """One argument quoted for a POSIX shell, with a leading ``~/`` left unquoted."""
    if arg.startswith("~/") and len(arg) > 2:
        return "~/" + shlex.quote(arg[2:])
    return shlex.quote(arg)


def git_clone(repo_url: str, repo_dir: str = DEFAULT_REPO_DIR) -> list[str]:
    """Clone the lab's repository on node1 (only the newest commit)."""
    return ["git", "clone", "--depth", "1", repo_url, repo_dir]


def docker_build(repo_dir: str = DEFAULT_REPO_DIR) -> list[str]:
    """Build the training image from the repository's ``train/`` folder."""
    return ["docker", "build", "-t", IMAGE, f"{repo_dir.rstrip('/')}/train/"]


def docker_run(mlflow_uri: str) -> list[str]:
    """Start the training container in the background, port 9090 on node1 → 8000 inside."""
    return [
        "docker",
        "run",
        "--rm",
        "-d",
        "-p",
        f"{HOST_PORT}:{CONTAINER_PORT}",
        "-e",
        f"MLFLOW_TRACKING_URI={mlflow_uri.rstrip('/')}/",
        "-e",
        "GIT_PYTHON_REFRESH=quiet",
        "--name",
        CONTAINER,
        IMAGE,
    ]


def docker_inspect() -> list[str]:
    """Describe the training container as JSON (its ``State.Status``); fails if there is none."""
    return ["docker", "container", "inspect", CONTAINER]


def docker_logs(tail: int | None = None, *, follow: bool = False) -> list[str]:
    """Show the training container's log, all of it or the last ``tail`` lines."""
    argv = ["docker", "logs"]
    if follow:
        argv.append("-f")
    if tail is not None:
        if tail < 1:
            raise ValueError(f"tail must be at least 1, not {tail}")
        argv += ["--tail", str(tail)]
    return [*argv, CONTAINER]


def docker_stop() -> list[str]:
    """Stop the training container (``--rm`` then removes it)."""
    return ["docker", "stop", CONTAINER]


def argo_submit(
    template: str, parameters: Mapping[str, str], namespace: str = DEFAULT_NAMESPACE
) -> list[str]:
    """Submit a Workflow from a WorkflowTemplate with parameters, as the ``argo`` CLI does."""
    argv = ["argo", "submit", "--from", f"workflowtemplate/{template}"]
    for key, value in parameters.items():
        argv += ["-p", f"{key}={value}"]
    return [*argv, "-n", namespace]


def argo_watch(name: str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """Follow a Workflow's steps until it ends."""
    return ["argo", "watch", name, "-n", namespace]


def argo_list(selector: str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """List Workflows whose labels match ``selector``."""
    return ["argo", "list", "-n", namespace, "-l", selector]


def kubectl_apply(path: str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """Install (or update) a WorkflowTemplate from its file in the repository."""
    return ["kubectl", "apply", "-n", namespace, "-f", path]


def kubectl_create_token(
    service_account: str = "argo-server", namespace: str = DEFAULT_NAMESPACE
) -> list[str]:
    """Create a short-lived token for a service account, to use as the Argo token."""
    return ["kubectl", "create", "token", service_account, "-n", namespace]
