"""`mlflow server` that serves in its own process, so MLflow is imported once, not twice.

`mlflow server` checks its options, prepares the stores and the environment, then starts
``python -m uvicorn … mlflow.server.fastapi_app:app`` as a child process and waits for it:
a second Python that imports all of MLflow again (about 5 s of CPU) and holds it (about
200 MiB) while the first only waits. ``python -m lab.services.mlflow_serve ARGS`` (the
arguments of `mlflow server`) does all the same, then runs that uvicorn command line in this
process, where MLflow is already imported: one process, whose PID is the one the lab records
and stops.

MLflow is imported, and its app built, with the collector paused (lab/services/startup_gc.py).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence

from lab.services.startup_gc import collector_paused, resume_collector


class MlflowLaunchError(RuntimeError):
    """Raised when this MLflow no longer starts its server the way this module relies on."""


def serve_here(cmd: Sequence[str], extra_env: Mapping[str, str] | None = None, **_: object) -> None:
    """Run ``cmd``, the ``python -m uvicorn ARGS`` that `mlflow server` would start, here.

    uvicorn's own command line parses ARGS and serves until SIGTERM, then exits the process.
    """
    import mlflow
    import uvicorn

    if list(cmd[1:3]) != ["-m", "uvicorn"]:
        raise MlflowLaunchError(
            f"mlflow {mlflow.__version__} starts its server with {list(cmd)[:3]}, not "
            "`python -m uvicorn`: start it with `python -m mlflow server` instead "
            "(lab/services/mlflow_server.py)"
        )
    os.environ.update(extra_env or {})  # the stores and options, read by the app's handlers
    if "--env-file" not in cmd:  # uvicorn would read that file before it imports the app
        importlib.import_module(cmd[-1].partition(":")[0])  # the app, as uvicorn imports it
    resume_collector()  # serving: its garbage is collected as usual
    uvicorn.main.main(args=list(cmd[3:]), prog_name="uvicorn")


def main(argv: Sequence[str]) -> None:
    """Run `mlflow server ARGV`, serving in this process."""
    with collector_paused():  # resumed before serving (serve_here), or if this fails
        import mlflow
        import mlflow.server
        from mlflow.cli import cli

        if not callable(getattr(mlflow.server, "_exec_cmd", None)):
            raise MlflowLaunchError(
                f"mlflow {mlflow.__version__} no longer starts its server through "
                "mlflow.server._exec_cmd: start it with `python -m mlflow server` instead "
                "(lab/services/mlflow_server.py)"
            )
        mlflow.server._exec_cmd = serve_here  # how `mlflow server` starts its child server
        cli(["server", *argv], prog_name="mlflow")


if __name__ == "__main__":
    main(sys.argv[1:])
