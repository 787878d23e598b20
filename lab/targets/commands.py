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
DEFAULT_NAMESPACE = "argo"  # where the course's Ansible installs Argo Workflows v3.6.5
ARGO_SERVICE = "svc/argo-server"
ARGO_PORT = 2746


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


def git_clone(
    repo_url: str, repo_dir: str = DEFAULT_REPO_DIR, branch: str | None = None
) -> list[str]:
    """Clone the lab's repository on node1 (only the newest commit, of ``branch`` if given)."""
    argv = ["git", "clone", "--depth", "1"]
    if branch:
        argv += ["--branch", branch]
    return [*argv, repo_url, repo_dir]


def git_head(repo_dir: str = DEFAULT_REPO_DIR) -> list[str]:
    """The commit a clone on node1 has checked out (fails if there is no clone)."""
    return ["git", "-C", repo_dir, "rev-parse", "HEAD"]


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


def argo_get(name: str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """Show a Workflow's steps and their phases."""
    return ["argo", "get", name, "-n", namespace]


def argo_list(selector: str | None = None, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """List the Workflows in the namespace (those whose labels match ``selector``)."""
    argv = ["argo", "list", "-n", namespace]
    return [*argv, "-l", selector] if selector else argv


def kubectl_apply(path: str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """Install (or update) a WorkflowTemplate from its file in the repository."""
    return ["kubectl", "apply", "-n", namespace, "-f", path]


def kubectl_port_forward(local_port: int | str, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
    """On node1: forward a port there to the argo-server Service (``""``: kubectl picks one)."""
    return ["kubectl", "-n", namespace, "port-forward", ARGO_SERVICE, f"{local_port}:{ARGO_PORT}"]


def ssh_forward(destination: str, local_port: int, remote_port: int) -> list[str]:
    """Here: forward a local port through SSH to a port on node1's loopback."""
    return ["ssh", "-L", f"{local_port}:127.0.0.1:{remote_port}", destination]
