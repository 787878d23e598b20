"""This machine as the course cluster, for ``make test-chameleon``: node1, MLflow 3.9, Argo.

- node1: an sshd on the Docker bridge address (the floating IP's stand-in: containers reach
  it as they reach the real one), user ``cc`` in the docker group, a key made for the run,
  stand-in ``kubectl``/``docker`` first on its PATH (``scripts/standin-node1.sh``);
- MLflow: a real ``mlflow server`` 3.9.0, the course's version, on that address, port 8000;
- Argo: the stand-in server (``argo_server.py``) holding the course's own templates; what it
  runs is the local rehearsal, with the cluster's addresses mapped to this machine's and
  the BuildKit step done by the local Docker engine (``lab.targets.docker_build``).
Every process started here is stopped by its PID in :meth:`StandInCluster.stop`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import yaml

from lab.docker.buildargs import build_setup
from lab.docker.containers import stop_recorded
from lab.docker.engine import bridge_gateway
from lab.docker.registry import registry_address
from lab.docker.wheels import serve_wheels, wheels_url
from lab.rehearsal import rehearse
from lab.services.process import stop_all
from lab.targets.docker_build import make_docker_build_handler
from lab.targets.tunnel import free_port
from tests.chameleon.standin.argo_server import ArgoStandIn
from tests.chameleon.standin.https import serve

ROOT = Path(__file__).resolve().parents[3]
COURSE = ROOT / "tests" / "chameleon" / "data" / "course"
MLFLOW39 = ROOT / ".venv-mlflow39"
BUILDERS = ("moby/buildkit", "gcr.io/kaniko-project/executor")


class StandInError(RuntimeError):
    """Raised when this machine cannot stand in for the cluster; says what to do."""


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], check=True, capture_output=True, text=True, timeout=120
    ).stdout.strip()


class StandInCluster:
    """Start everything with :meth:`start`, stop it all with :meth:`stop`."""

    def __init__(self, work: Path, log: Callable[[str], Any] = print) -> None:
        self.work = work
        self.log = log
        self.address = bridge_gateway()
        self.state = work / "state"
        self.home = work / "student-home"
        self.public = Path(tempfile.mkdtemp(prefix="gourmetgram-standin-"))
        self.public.chmod(0o755)  # node1's user reads the repository and its config here
        self.repo_url = ""
        self.argo: ArgoStandIn | None = None
        self._server: Any = None
        self._mlflow: subprocess.Popen[bytes] | None = None
        self._stack = ExitStack()

    # -- start ---------------------------------------------------------------------------

    def start(self) -> None:
        """node1, MLflow, the Argo Server; fails with what to do if this machine cannot."""
        if os.geteuid() != 0:
            raise StandInError("make test-chameleon needs root: it adds user cc, starts sshd")
        if not (MLFLOW39 / "bin" / "mlflow").is_file():
            raise StandInError("no MLflow 3.9.0 venv: run scripts/standin-mlflow.sh")
        self.state.mkdir(parents=True)
        self._student_key()
        self._mirror()
        setup = build_setup(ROOT / "train" / "Dockerfile")
        build_args = setup.docker_args()
        if setup.wheels_dir is not None:
            # node1's build reaches the wheels on a port of its own: the build step of the
            # rehearsed workflow serves them on the usual one meanwhile.
            port = free_port()
            self._stack.enter_context(serve_wheels(setup.wheels_dir, port))
            build_args = [a.replace(wheels_url(), wheels_url(port)) for a in build_args]
        self._start_mlflow()
        self._start_argo()
        config = self.public / "node1"
        config.mkdir()
        (config / "argo-server-port").write_text(f"{self._server.server_port}\n")
        (config / "docker-build-args").write_text("\n".join(build_args) + "\n")
        for path in (config, *config.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        done = subprocess.run(
            ["bash", "scripts/standin-node1.sh", "start", str(self.state / "node1"),
             str(self.key) + ".pub", self.address, str(config)],
            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise StandInError(f"node1 stand-in did not start:\n{done.stdout}{done.stderr}")
        self.log(done.stdout.strip())

    def _student_key(self) -> None:
        """The student's key pair, and no memory of an earlier stand-in node1's host key.

        ssh keeps host keys in the known_hosts of the user running it (from the passwd
        entry, not $HOME); each run's node1 has a new host key, so the old entry for the
        bridge address, which only a stand-in node1 ever has, is removed first.
        """
        ssh = self.home / ".ssh"
        ssh.mkdir(parents=True, mode=0o700)
        self.key = ssh / "id_rsa_chameleon"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "student", "-f", str(self.key)],
            check=True,
            timeout=60,
        )
        known = Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "known_hosts"
        if known.is_file():
            subprocess.run(
                ["ssh-keygen", "-R", self.address, "-f", str(known)],
                capture_output=True, check=False, timeout=60,
            )  # fmt: skip
            known.with_name("known_hosts.old").unlink(missing_ok=True)

    def _mirror(self) -> None:
        """A bare copy of this clone that node1's user and the build can read (the 'remote')."""
        bare = self.public / "gourmetgram-lab.git"
        _git("clone", "--quiet", "--bare", str(ROOT), str(bare))
        for path in [bare, *bare.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.repo_url = str(bare)
        self.branch = _git("-C", str(ROOT), "symbolic-ref", "--short", "HEAD")

    def _start_mlflow(self) -> None:
        """MLflow 3.9.0 on the bridge address, port 8000, as the cluster serves it."""
        store = self.state / "mlflow"
        store.mkdir()
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        log = (self.state / "mlflow.log").open("wb")
        self._mlflow = subprocess.Popen(
            [str(MLFLOW39 / "bin" / "mlflow"), "server",
             "--backend-store-uri", f"sqlite:///{store}/mlflow.db",
             "--artifacts-destination", str(store / "artifacts"),
             "--workers", "1", "--host", self.address, "--port", "8000"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.mlflow_uri}/health", timeout=2).status_code == 200:
                    self.log(f"MLflow 3.9.0 (the course's version): {self.mlflow_uri}")
                    return
            except httpx.HTTPError:
                pass
            if self._mlflow.poll() is not None:
                break
            time.sleep(1)
        raise StandInError(f"MLflow 3.9.0 did not start; see {self.state / 'mlflow.log'}")

    @property
    def mlflow_uri(self) -> str:
        """The stand-in cluster's MLflow, on the floating IP's stand-in."""
        return f"http://{self.address}:8000"

    def _start_argo(self) -> None:
        """The stand-in Argo Server, holding the course's own templates to begin with."""
        course = [yaml.safe_load(p.read_text()) for p in sorted(COURSE.glob("*.yaml"))]
        self.argo = ArgoStandIn(self._rehearse, course)
        self._server = serve(self.argo, self.state)
        self.log(
            f"stand-in Argo Server (v3.6.5 paths): https://127.0.0.1:{self._server.server_port}"
        )

    def _rehearse(
        self, templates: dict[str, Any], name: str, given: dict[str, str], on_event: Any
    ) -> Any:
        """Run a held template here: the cluster's addresses are this machine's."""
        folder = Path(tempfile.mkdtemp(dir=self.state, prefix="templates-"))
        for held_name, held in templates.items():
            (folder / f"{held_name}.yaml").write_text(yaml.safe_dump(held))
        cluster = {"mlflow-uri": self.mlflow_uri, "registry": registry_address()}
        handler = make_docker_build_handler(self.state)
        return rehearse(
            folder,
            name,
            given,
            workdir=self.state / "runs",
            parameter_overrides={"build-container-image": cluster},
            image_handlers=dict.fromkeys(BUILDERS, handler),
            on_event=on_event,
            timeout_s=3600,
        )

    # -- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop node1's sshd, the training container, MLflow, the Argo Server; remove files."""
        subprocess.run(
            ["bash", "scripts/standin-node1.sh", "stop", str(self.state / "node1")],
            cwd=ROOT, check=False, timeout=60,
        )  # fmt: skip
        subprocess.run(
            ["docker", "rm", "-f", "gourmetgram-train"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        if self.argo is not None:
            self.argo.wait(5)
        if self._server is not None:
            self._server.shutdown()
        if self._mlflow is not None and self._mlflow.poll() is None:
            os.killpg(self._mlflow.pid, signal.SIGTERM)
            try:
                self._mlflow.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._mlflow.pid, signal.SIGKILL)
                self._mlflow.wait(timeout=20)
        stop_recorded(self.state)  # the build check's containers
        stop_all(self.state)  # the image registry, if this run started it
        self._stack.close()
        shutil.rmtree(self.public, ignore_errors=True)
