"""lab.rehearsal.module_owners: the module → distribution map, kept on disk while still current."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.rehearsal import module_owners as owners


@pytest.fixture
def kept_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The map kept in a folder of the test's own; the in-process cache cleared around it."""
    folder = tmp_path / "share"
    monkeypatch.setattr(owners, "cache_dir", lambda: folder)
    owners.module_owners.cache_clear()
    yield folder
    owners.module_owners.cache_clear()


def test_the_map_names_the_distributions_of_installed_modules(kept_in: Path) -> None:
    found = owners.module_owners()
    assert found["httpx"] == ["httpx"]
    assert "torch" in found["torch"]
    assert found == owners.build()


def test_a_kept_map_is_read_back_instead_of_built(kept_in: Path) -> None:
    owners.module_owners()
    (kept,) = kept_in.glob("module-owners-*.json")
    kept.write_text(json.dumps({"marker": ["read-from-disk"]}))
    owners.module_owners.cache_clear()
    assert owners.module_owners() == {"marker": ["read-from-disk"]}


def test_installing_a_distribution_builds_the_map_anew(
    kept_in: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = owners.search_path_key()
    owners.module_owners()
    site = tmp_path / "site"
    (site / "newpkg").mkdir(parents=True)
    (site / "newpkg" / "__init__.py").write_text("")
    info = site / "newpkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: newpkg\nVersion: 1.0\n")
    (info / "RECORD").write_text("newpkg/__init__.py,,\n")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert owners.search_path_key() != before
    owners.module_owners.cache_clear()
    assert owners.module_owners()["newpkg"] == ["newpkg"]
    assert len(list(kept_in.glob("module-owners-*.json"))) == 2


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_a_damaged_file_is_built_again(kept_in: Path, content: str) -> None:
    kept_in.mkdir(parents=True)
    (kept_in / f"module-owners-{owners.search_path_key()}.json").write_text(content)
    assert owners.module_owners() == owners.build()


def test_a_read_only_environment_still_gets_the_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(owners, "cache_dir", lambda: Path("/proc/no-such-folder"))
    owners.module_owners.cache_clear()
    try:
        assert owners.module_owners() == owners.build()
    finally:
        owners.module_owners.cache_clear()
