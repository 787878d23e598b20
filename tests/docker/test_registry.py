"""Where the local registry keeps its images: the state folder, or LAB_REGISTRY_DATA."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lab.docker.registry import DATA_ENV, registry_config


def storage(config: Path) -> Path:
    """The storage folder a registry config names."""
    return Path(yaml.safe_load(config.read_text())["storage"]["filesystem"]["rootdirectory"])


def test_by_default_the_images_live_in_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATA_ENV, raising=False)
    config = registry_config(tmp_path / "state", 5000)
    assert storage(config) == (tmp_path / "state" / "docker-registry" / "data").resolve()
    assert storage(config).is_dir()
    assert yaml.safe_load(config.read_text())["http"]["addr"] == "127.0.0.1:5000"


def test_a_folder_that_outlives_the_state_can_hold_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "kept-images"
    monkeypatch.setenv(DATA_ENV, str(kept))
    first = registry_config(tmp_path / "state-1", 5000)
    second = registry_config(tmp_path / "state-2", 5000)
    assert storage(first) == storage(second) == kept.resolve()
    assert kept.is_dir() and not (tmp_path / "state-1" / "docker-registry" / "data").exists()
