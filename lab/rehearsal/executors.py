"""Run one script or container step for real, as a local process, or through an image handler.

The image picks nothing but the interpreter, through ``command``: ``sh``/``ash``/``dash`` run
``/bin/sh``, ``bash`` runs bash, ``python``/``python3`` run this environment's interpreter;
any other command must exist on this machine. Builder images (BuildKit, kaniko…) have no local
equivalent: they run only through an image handler, or are refused.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.rehearsal.errors import RehearsalUnsupported, StepRefused
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext, find_handler
from lab.rehearsal.records import ERROR, FAILED, SUCCEEDED, Outputs
from lab.rehearsal.volumes import PodFiles

SHELLS = ("sh", "ash", "dash")
PYTHONS = ("python", "python3")
BUILDER_IMAGES = (
    "moby/buildkit",
    "docker.io/moby/buildkit",
    "gcr.io/kaniko-project/executor",
    "quay.io/buildah/",
    "docker:",
    "docker.io/library/docker:",
)
PASS_THROUGH_ENV = (
    "LANG",
    "LC_ALL",
    "TZ",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
MAX_RESULT = 256 * 1024  # Argo keeps at most the last 256 kB of stdout as outputs.result


class NodeLog:
    """A node's log file: stdout and stderr of every attempt, plus the rehearsal's own notes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def write(self, line: str) -> None:
        """Append one line (a newline is added)."""
        self.write_bytes((line.rstrip("\n") + "\n").encode())

    def write_bytes(self, data: bytes) -> None:
        """Append raw output."""
        with self._lock, self.path.open("ab") as handle:
            handle.write(data)


@dataclass(frozen=True)
class Attempt:
    """How one attempt of a step ended."""

    phase: str
    message: str
    outputs: Outputs
    handled_by: str | None = None


def builder_prefix(image: str) -> str | None:
    """The builder-image prefix ``image`` starts with, if it is one."""
    return next((p for p in BUILDER_IMAGES if image.startswith(p)), None)


def resolve_command(argv0: str, image: str, step: str, search_path: str) -> str:
    """The local program that stands for a container's first command word."""
    base = posixpath.basename(argv0)
    if base in SHELLS:
        return "/bin/sh"
    if base in PYTHONS or base.startswith("python3."):
        return sys.executable
    found = shutil.which(base, path=search_path)
    if found:
        return found
    raise StepRefused(
        f"step {step!r} runs image {image}: command {argv0!r} is not available on this "
        "machine: no local equivalent"
    )


def check_runnable(
    template: dict[str, Any],
    step: str,
    handlers: Mapping[str, ImageHandler] | None,
    secrets: Mapping[tuple[str, str], str],
    search_path: str,
) -> None:
    """Refuse, before anything runs, a step this machine cannot run (statically visible parts)."""
    section = template.get("script") or template.get("container")
    if section is None:
        return
    image = str(section.get("image", ""))
    if find_handler(image, handlers):
        return
    prefix = builder_prefix(image)
    if prefix:
        raise StepRefused(
            f"step {step!r} runs image {image}: no local equivalent (pass an image handler "
            f"for {prefix!r} to say what to do instead)"
        )
    check_mount_paths(section, step)
    command = section.get("command") or []
    if not command:
        raise StepRefused(
            f"step {step!r} runs image {image} with its built-in entrypoint (no command): "
            "no local equivalent"
        )
    if "{{" not in command[0]:
        resolve_command(command[0], image, step, search_path)
    for env in section.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if ref and "{{" not in f"{ref.get('name')}{ref.get('key')}":
            secret_value(ref, secrets, f"step {step!r} env {env['name']}")


def check_mount_paths(section: Mapping[str, Any], step: str) -> None:
    """Refuse commands that name a mount path: here each volume lives in another folder."""
    texts = [("source", section.get("source") or "")]
    texts += [(f"command[{i}]", c) for i, c in enumerate(section.get("command") or [])]
    texts += [(f"args[{i}]", a) for i, a in enumerate(section.get("args") or [])]
    for mount in section.get("volumeMounts") or []:
        mount_path = posixpath.normpath(mount["mountPath"])
        pattern = re.compile(rf"(?<![\w./-]){re.escape(mount_path)}(?![\w.-])")
        for field, text in texts:
            if isinstance(text, str) and pattern.search(text):
                raise RehearsalUnsupported(
                    f"step {step!r}: {field} refers to the mount path {mount_path} directly; "
                    "a rehearsal maps volumes to other folders, so use paths relative to "
                    "workingDir (set workingDir under the mount)"
                )


def secret_value(
    ref: Mapping[str, Any], secrets: Mapping[tuple[str, str], str], where: str
) -> str | None:
    """A secretKeyRef's value from ``secrets``; None if absent and optional, else refused."""
    key = (str(ref.get("name")), str(ref.get("key")))
    if key in secrets:
        return secrets[key]
    if ref.get("optional"):
        return None
    raise StepRefused(
        f"{where}: secret {key[0]!r} key {key[1]!r} is not provided here; pass "
        f"secrets={{({key[0]!r}, {key[1]!r}): ...}} or mark the secretKeyRef optional"
    )


def container_env(
    section: Mapping[str, Any], secrets: Mapping[tuple[str, str], str], where: str
) -> dict[str, str]:
    """The container's ``env`` with secrets resolved (an optional missing secret stays unset)."""
    env: dict[str, str] = {}
    for var in section.get("env") or []:
        if "valueFrom" in var:
            value = secret_value(
                var["valueFrom"]["secretKeyRef"], secrets, f"{where} env {var['name']}"
            )
            if value is not None:
                env[var["name"]] = value
        else:
            env[var["name"]] = str(var.get("value", ""))
    return env


def base_env(path: str, home: Path, python_path: Path) -> dict[str, str]:
    """What every step starts from: the shims' PATH and PYTHONPATH, a per-run HOME, locale."""
    env = {k: os.environ[k] for k in PASS_THROUGH_ENV if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    home.mkdir(parents=True, exist_ok=True)
    return {**env, "PATH": path, "HOME": str(home), "PYTHONPATH": str(python_path)}


def run_process(
    argv: list[str], *, cwd: Path, env: dict[str, str], log: NodeLog, timeout: float
) -> tuple[int | None, str]:
    """Run ``argv``; stream stdout+stderr to the log; return (exit code or None on timeout, stdout).

    The process gets its own session; when it ends (or times out) whatever it left behind in
    that session is killed, as a pod's processes end with its main container.
    """
    stdout: list[bytes] = []
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, log, stdout), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, log, None), daemon=True),
    ]
    for reader in readers:
        reader.start()
    code: int | None = None
    try:
        code = proc.wait(timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    finally:  # also on KeyboardInterrupt: nothing of the step outlives it
        _kill_group(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait(timeout=5)
        for reader in readers:
            reader.join(timeout=5)
    return code, b"".join(stdout).decode("utf-8", errors="replace")


def _pump(stream: Any, log: NodeLog, keep: list[bytes] | None) -> None:
    """Copy one pipe to the log (and keep it, for stdout)."""
    for chunk in iter(lambda: stream.readline(), b""):
        log.write_bytes(chunk)
        if keep is not None:
            keep.append(chunk)
    stream.close()


def _kill_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group the step started in (its PID), if anything is left in it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def trim_output(text: str, log: NodeLog | None = None) -> str:
    """Argo's result: one trailing newline dropped, and at most the last 256 kB kept."""
    text = text[:-1] if text.endswith("\n") else text
    if len(text.encode()) > MAX_RESULT:
        if log:
            log.write("rehearsal: output is larger than 256 kB; only the last 256 kB are kept")
        text = text.encode()[-MAX_RESULT:].decode("utf-8", errors="replace")
    return text


def run_pod_attempt(
    template: dict[str, Any],
    *,
    step: str,
    run_name: str,
    inputs: Mapping[str, str],
    files: PodFiles,
    env: dict[str, str],
    secrets: Mapping[tuple[str, str], str],
    handlers: Mapping[str, ImageHandler] | None,
    log: NodeLog,
    script_path: Path,
    timeout: float,
    search_path: str,
) -> Attempt:
    """One attempt of a (substituted) script or container template."""
    kind = "script" if "script" in template else "container"
    section = template[kind]
    image = str(section.get("image", ""))
    own_env = container_env(section, secrets, f"step {step!r}")
    handler = find_handler(image, handlers)
    if handler:
        prefix, function = handler
        log.write(f"rehearsal: image {image} is handled by the {prefix!r} image handler")
        context = StepContext(
            run_name=run_name,
            step=step,
            template=template,
            image=image,
            inputs=dict(inputs),
            env=own_env,
            workdir=files.cwd,
            mounts=dict(files.mounts),
            log=log.write,
            timeout_s=timeout,
        )
        result = function(context)
        if not isinstance(result, HandlerResult):
            raise TypeError(f"image handler {prefix!r} returned {result!r}, not a HandlerResult")
        outputs = Outputs(result.result, dict(result.parameters))
        return _collect(template, result.phase, result.message, outputs, files, step, prefix)
    command = [str(c) for c in section.get("command") or []]
    program = resolve_command(command[0], image, step, search_path)
    argv = [program, *command[1:]]
    if kind == "script":
        script_path.parent.mkdir(parents=True, exist_ok=True)
        script_path.write_text(section.get("source", ""), encoding="utf-8")
        argv.append(str(script_path))
    argv += [str(a) for a in section.get("args") or []]
    full_env = {**env, **{k: v for k, v in own_env.items() if k != "PATH"}}
    if own_env.get("PYTHONPATH"):  # the shims' folder stays first
        full_env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], own_env["PYTHONPATH"]])
    started = time.monotonic()
    code, stdout = run_process(argv, cwd=files.cwd, env=full_env, log=log, timeout=timeout)
    if code is None:
        elapsed = time.monotonic() - started
        return Attempt(
            FAILED,
            f"step exceeded its deadline of {timeout:.0f} s (ran {elapsed:.0f} s)",
            Outputs(),
        )
    if code != 0:
        return Attempt(FAILED, f"Error (exit code {code})", Outputs())
    return _collect(template, SUCCEEDED, "", Outputs(trim_output(stdout, log)), files, step, None)


def _collect(
    template: dict[str, Any],
    phase: str,
    message: str,
    outputs: Outputs,
    files: PodFiles,
    step: str,
    handled_by: str | None,
) -> Attempt:
    """Add the declared output parameters, read from the mapped files, to a finished attempt."""
    if phase != SUCCEEDED:
        return Attempt(phase, message, outputs, handled_by)
    for param in (template.get("outputs") or {}).get("parameters") or []:
        name = param["name"]
        if name in outputs.parameters:
            continue
        source = param["valueFrom"]
        where = f"step {step!r} outputs.parameters[{name}].valueFrom.path"
        path = files.translate(source["path"], where)
        try:
            outputs.parameters[name] = trim_output(path.read_text(encoding="utf-8"))
        except OSError as err:
            if "default" not in source:
                return Attempt(
                    ERROR,
                    f"failed to save outputs: {source['path']}: {err.strerror}",
                    outputs,
                    handled_by,
                )
            outputs.parameters[name] = str(source["default"])
    return Attempt(phase, message, outputs, handled_by)
