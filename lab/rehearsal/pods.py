"""Run one attempt of a script or container step: as a local process in its image's world, or
through an image handler.

The process sees what its image would give it (:mod:`lab.rehearsal.podenv`): the image's
commands on PATH, its Python packages, the container's env, its volumes as folders. Builder
images (BuildKit, kaniko…) have no local equivalent: they run only through an image
handler, or are refused.
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.rehearsal.errors import RehearsalUnsupported, StepRefused
from lab.rehearsal.hooks import HandlerResult, ImageHandler, StepContext, find_handler
from lab.rehearsal.podenv import check_command, image_for, prepare_pod, step_env
from lab.rehearsal.processes import NodeLog, run_process, trim_output
from lab.rehearsal.volumes import PodFiles
from lab.runs.records import ERROR, FAILED, SUCCEEDED, Outputs

BUILDER_IMAGES = (
    "moby/buildkit",
    "docker.io/moby/buildkit",
    "gcr.io/kaniko-project/executor",
    "quay.io/buildah/",
    "docker:",
    "docker.io/library/docker:",
)


@dataclass(frozen=True)
class Attempt:
    """How one attempt of a step ended."""

    phase: str
    message: str
    outputs: Outputs
    handled_by: str | None = None


@dataclass(frozen=True)
class PodRequest:
    """Everything one attempt of a (substituted) script or container template needs."""

    template: dict[str, Any]
    step: str
    run_name: str
    inputs: Mapping[str, str]
    files: PodFiles
    pod_dir: Path
    home: Path
    shim_dir: Path
    search_path: str
    secrets: Mapping[tuple[str, str], str]
    handlers: Mapping[str, ImageHandler]
    log: NodeLog
    timeout: float


def builder_prefix(image: str) -> str | None:
    """The builder-image prefix ``image`` starts with, if it is one."""
    return next((p for p in BUILDER_IMAGES if image.startswith(p)), None)


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
    if "{{" not in image:
        if "{{" not in str(command[0]):
            check_command(str(command[0]), image, step, search_path)
        image_for(image, step)
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
            ref = var["valueFrom"]["secretKeyRef"]
            value = secret_value(ref, secrets, f"{where} env {var['name']}")
            if value is not None:
                env[var["name"]] = value
        else:
            env[var["name"]] = str(var.get("value", ""))
    return env


def run_pod_attempt(req: PodRequest) -> Attempt:
    """One attempt of a (substituted) script or container template."""
    kind = "script" if "script" in req.template else "container"
    section = req.template[kind]
    image = str(section.get("image", ""))
    own_env = container_env(section, req.secrets, f"step {req.step!r}")
    handler = find_handler(image, req.handlers)
    if handler:
        return _handled(req, handler, image, own_env)
    bin_dir = prepare_pod(image, req.step, req.pod_dir, req.shim_dir, req.search_path)
    command = [str(c) for c in section.get("command") or []]
    program = bin_dir / posixpath.basename(command[0])
    if not (program.exists() or program.is_symlink()):
        check_command(command[0], image, req.step)  # raises for a command the image lacks
        raise StepRefused(
            f"step {req.step!r} runs image {image}: command {command[0]!r} is in that image "
            "but not on this machine: no local equivalent"
        )
    argv = [str(program), *command[1:]]
    if kind == "script":
        script = req.pod_dir / "script"
        script.write_text(section.get("source", ""), encoding="utf-8")
        argv.append(str(script))
    argv += [str(a) for a in section.get("args") or []]
    base = step_env(bin_dir, req.home, req.shim_dir)
    env = {**base, **{k: v for k, v in own_env.items() if k != "PATH"}}
    if own_env.get("PYTHONPATH"):  # the import guard's folder stays first
        env["PYTHONPATH"] = os.pathsep.join([base["PYTHONPATH"], own_env["PYTHONPATH"]])
    started = time.monotonic()
    code, stdout = run_process(argv, cwd=req.files.cwd, env=env, log=req.log, timeout=req.timeout)
    if code is None:
        elapsed = time.monotonic() - started
        message = f"step exceeded its deadline of {req.timeout:.0f} s (ran {elapsed:.0f} s)"
        return Attempt(FAILED, message, Outputs())
    if code != 0:
        return Attempt(FAILED, f"Error (exit code {code})", Outputs())
    outputs = Outputs(trim_output(stdout, req.log))
    return _collect(req.template, SUCCEEDED, "", outputs, req.files, req.step, None)


def _handled(req: PodRequest, handler: tuple[str, ImageHandler], image: str, env: dict) -> Attempt:
    """An attempt done by an image handler instead of the image's command."""
    prefix, function = handler
    req.log.write(f"rehearsal: image {image} is handled by the {prefix!r} image handler")
    context = StepContext(
        run_name=req.run_name,
        step=req.step,
        template=req.template,
        image=image,
        inputs=dict(req.inputs),
        env=env,
        workdir=req.files.cwd,
        mounts=dict(req.files.mounts),
        log=req.log.write,
        timeout_s=req.timeout,
    )
    result = function(context)
    if not isinstance(result, HandlerResult):
        raise TypeError(f"image handler {prefix!r} returned {result!r}, not a HandlerResult")
    outputs = Outputs(result.result, dict(result.parameters))
    return _collect(
        req.template, result.phase, result.message, outputs, req.files, req.step, prefix
    )


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
                reason = f"failed to save outputs: {source['path']}: {err.strerror}"
                return Attempt(ERROR, reason, outputs, handled_by)
            outputs.parameters[name] = str(source["default"])
    return Attempt(phase, message, outputs, handled_by)
