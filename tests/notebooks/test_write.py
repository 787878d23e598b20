"""Tests for writing outputs: atomic, only when changed, stale and missing reported."""

from __future__ import annotations

from pathlib import Path

from lab.notebooks.write import atomic_write, stale_outputs, write_outputs


def test_write_only_what_changed_and_leave_no_temp_files(tmp_path: Path) -> None:
    same, other = tmp_path / "same.txt", tmp_path / "sub" / "new.txt"
    same.write_bytes(b"a\n")
    same.chmod(0o640)
    mtime = same.stat().st_mtime_ns
    assert write_outputs({same: b"a\n", other: b"b\n"}) == [other]
    assert same.stat().st_mtime_ns == mtime and other.read_bytes() == b"b\n"
    atomic_write(same, b"c\n")
    assert same.read_bytes() == b"c\n" and same.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["new.txt", "same.txt", "sub"]


def test_stale_and_missing(tmp_path: Path) -> None:
    kept, edited = tmp_path / "a", tmp_path / "b"
    kept.write_bytes(b"1")
    edited.write_bytes(b"2")
    assert stale_outputs({kept: b"1", edited: b"x", tmp_path / "c": b""}) == [
        (edited, "stale"),
        (tmp_path / "c", "missing"),
    ]
