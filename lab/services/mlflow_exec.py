"""`mlflow server` whose web server takes over its process, instead of running as its child.

`mlflow server` checks its options, prepares the stores and the environment, then starts
uvicorn as a child process and waits for it: a second Python process that holds all of MLflow
(about 200 MiB) only to wait. ``python -m lab.services.mlflow_exec ARGS`` (the arguments of
`mlflow server`) does all the same, then replaces itself with that uvicorn command
(``os.execvpe``): one process, whose PID is the one the lab records and stops.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

import mlflow
import mlflow.server
from mlflow.cli import cli


class MlflowLaunchError(RuntimeError):
    """Raised when this MLflow no longer starts its server the way this module relies on."""


def exec_in_place(
    cmd: Sequence[str], extra_env: Mapping[str, str] | None = None, **_: object
) -> None:
    """Replace this process with ``cmd``, the server that `mlflow server` would start."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvpe(cmd[0], list(cmd), {**os.environ, **(extra_env or {})})


def main(argv: Sequence[str]) -> None:
    """Run `mlflow server ARGV`, ending in an exec of its web server."""
    if not callable(getattr(mlflow.server, "_exec_cmd", None)):
        raise MlflowLaunchError(
            f"mlflow {mlflow.__version__} no longer starts its server through "
            "mlflow.server._exec_cmd: start it with `python -m mlflow server` instead "
            "(lab/services/mlflow_server.py)"
        )
    mlflow.server._exec_cmd = exec_in_place  # how `mlflow server` starts its child server
    cli(["server", *argv], prog_name="mlflow")


if __name__ == "__main__":
    main(sys.argv[1:])
