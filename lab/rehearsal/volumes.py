"""Map a workflow's volumes and a container's mounts and working directory to local folders.

A ``volumeClaimTemplates`` entry is one folder shared by every step of the run
(``<run>/volumes/<name>``); an ``emptyDir`` belongs to one pod, as in Kubernetes, so each step
gets its own (``<run>/pods/<node>/volumes/<name>``). Paths the container sees are translated
to these folders by the longest mount path that contains them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.rehearsal.errors import StepRefused


@dataclass
class PodFiles:
    """The local folders one step (pod) sees: container path → local path, and its cwd."""

    mounts: dict[str, Path] = field(default_factory=dict)
    cwd: Path | None = None
    workdir_in_container: str | None = None

    def translate(self, container_path: str, where: str) -> Path:
        """The local file for a path in the container; refuse paths no mount maps."""
        path = container_path
        if not posixpath.isabs(path):
            if self.workdir_in_container is None:
                raise StepRefused(
                    f"{where}: relative path {path!r} but the container sets no workingDir; "
                    "use an absolute path under a volume mount"
                )
            path = posixpath.join(self.workdir_in_container, path)
        path = posixpath.normpath(path)
        for mount_path in sorted(self.mounts, key=len, reverse=True):
            if path == mount_path or path.startswith(mount_path.rstrip("/") + "/"):
                rest = posixpath.relpath(path, mount_path)
                local = self.mounts[mount_path]
                return local if rest == "." else local / rest
        known = ", ".join(sorted(self.mounts)) or "none"
        raise StepRefused(
            f"{where}: {container_path!r} is not under a volume mount or the workingDir "
            f"(mapped here: {known}); the rehearsal can only read files it maps, so write it "
            "under a mounted volume"
        )


def shared_volumes(spec: dict[str, Any], run_dir: Path) -> dict[str, Path]:
    """Local folders for the workflow's ``volumeClaimTemplates``, created empty."""
    folders: dict[str, Path] = {}
    for claim in spec.get("volumeClaimTemplates") or []:
        name = claim["metadata"]["name"]
        folders[name] = run_dir / "volumes" / name
        folders[name].mkdir(parents=True, exist_ok=True)
    return folders


def pod_files(
    container: dict[str, Any],
    pod_volumes: dict[str, dict[str, Any]],
    shared: dict[str, Path],
    pod_dir: Path,
) -> PodFiles:
    """The mounts and working directory of one step, as local folders under ``pod_dir``.

    Args:
        container: the template's ``container`` or ``script`` section (substituted).
        pod_volumes: ``emptyDir`` volumes by name (workflow- and template-level).
        shared: the run's volume-claim folders by name.
        pod_dir: a fresh folder for this step.
    """
    files = PodFiles()
    for mount in container.get("volumeMounts") or []:
        name = mount["name"]
        if name in pod_volumes:
            base = pod_dir / "volumes" / name
        elif name in shared:
            base = shared[name]
        else:
            raise StepRefused(f"volumeMount {name!r} names no volume of this workflow")
        local = base / mount["subPath"] if mount.get("subPath") else base
        local.mkdir(parents=True, exist_ok=True)
        files.mounts[posixpath.normpath(mount["mountPath"])] = local
    working_dir = container.get("workingDir")
    if working_dir:
        working_dir = posixpath.normpath(working_dir)
        files.workdir_in_container = working_dir
        try:
            files.cwd = files.translate(working_dir, "workingDir")
        except StepRefused:
            # Outside every mount: the image's own folder, which here is a fresh one per step.
            files.cwd = pod_dir / "workdir"
            files.mounts[working_dir] = files.cwd
    else:
        files.cwd = pod_dir / "workdir"  # the image's WORKDIR is unknown here: a fresh folder
    files.cwd.mkdir(parents=True, exist_ok=True)
    return files
