"""Volumes as folders: shared claims, per-pod emptyDirs, container paths translated."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.rehearsal.errors import StepRefused
from lab.rehearsal.volumes import pod_files, shared_volumes


def test_paths_translate_through_the_longest_mount(tmp_path: Path) -> None:
    shared = shared_volumes({"volumeClaimTemplates": [{"metadata": {"name": "ws"}}]}, tmp_path)
    section = {
        "workingDir": "/ws/app",
        "volumeMounts": [{"name": "ws", "mountPath": "/ws"}, {"name": "tmp", "mountPath": "/ws/t"}],
    }
    files = pod_files(section, {"tmp": {"name": "tmp", "emptyDir": {}}}, shared, tmp_path / "pod")
    assert files.cwd == tmp_path / "volumes" / "ws" / "app"
    assert files.translate("out.txt", "w") == files.cwd / "out.txt"
    assert files.translate("/ws/t/x", "w") == tmp_path / "pod" / "volumes" / "tmp" / "x"
    with pytest.raises(StepRefused, match="not under a volume mount"):
        files.translate("/etc/passwd", "w")
