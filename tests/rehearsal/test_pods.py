"""Pod attempts: mount paths, secrets and the container's environment."""

from __future__ import annotations

import pytest

from lab.rehearsal.errors import RehearsalUnsupported, StepRefused
from lab.rehearsal.pods import builder_prefix, check_mount_paths, container_env, secret_value


def test_a_script_naming_its_mount_path_is_refused() -> None:
    section = {"source": "cat /data/x", "volumeMounts": [{"name": "v", "mountPath": "/data"}]}
    with pytest.raises(RehearsalUnsupported, match="refers to the mount path /data"):
        check_mount_paths(section, "s")
    check_mount_paths({**section, "source": "cat x; cat /database"}, "s")


def test_secrets_and_env() -> None:
    ref = {"name": "t", "key": "token"}
    assert secret_value(ref, {("t", "token"): "v"}, "w") == "v"
    assert secret_value({**ref, "optional": True}, {}, "w") is None
    with pytest.raises(StepRefused, match="secret 't' key 'token' is not provided"):
        secret_value(ref, {}, "w")
    section = {
        "env": [{"name": "A", "value": 1}, {"name": "B", "valueFrom": {"secretKeyRef": ref}}]
    }
    assert container_env(section, {("t", "token"): "s"}, "w") == {"A": "1", "B": "s"}


def test_builder_images() -> None:
    assert builder_prefix("moby/buildkit:v0.23.1-rootless") == "moby/buildkit"
    assert builder_prefix("alpine:3.21.3") is None
