"""lab.prefect_template: one migrated Prefect database, copied into a fresh service state."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from lab.prefect_template import (
    DB_NAME,
    PREFECT_HOME_IN_STATE,
    PrefectTemplateError,
    make_template,
    seed_prefect_home,
    template_path,
)


def test_the_template_is_named_by_prefects_version_in_the_environment() -> None:
    path = template_path(Path("/venv"))
    assert path.parent == Path("/venv/share/gourmetgram-train")
    assert path.name.startswith("prefect-3.") and path.suffix == ".db"


@pytest.mark.slow
def test_the_template_is_migrated_once_and_holds_the_whole_database(tmp_path: Path) -> None:
    target = make_template(tmp_path / "prefect.db")
    with sqlite3.connect(target) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert revision and {"flow", "flow_run", "task_run"} <= tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prefect.db"], "no WAL, no temp home"
    made = target.stat().st_mtime_ns
    assert make_template(target) == target and target.stat().st_mtime_ns == made, "made once"


def test_a_failed_migration_says_so_and_leaves_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(PrefectTemplateError, match=r"database upgrade` failed \(exit 1\)"):
        make_template(tmp_path / "prefect.db")
    assert list(tmp_path.iterdir()) == []


def test_a_fresh_state_gets_a_copy_and_a_state_in_use_is_never_touched(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"migrated")
    fresh = tmp_path / "fresh"
    assert seed_prefect_home(fresh, template)
    assert (fresh / PREFECT_HOME_IN_STATE / DB_NAME).read_bytes() == b"migrated"
    in_use = tmp_path / "in-use"
    (in_use / PREFECT_HOME_IN_STATE).mkdir(parents=True)
    (in_use / PREFECT_HOME_IN_STATE / DB_NAME).write_bytes(b"runs of a week")
    assert not seed_prefect_home(in_use, template)
    assert (in_use / PREFECT_HOME_IN_STATE / DB_NAME).read_bytes() == b"runs of a week"
    assert sorted(p.name for p in (fresh / PREFECT_HOME_IN_STATE).iterdir()) == [DB_NAME]


def test_without_a_template_the_service_migrates_as_before(tmp_path: Path) -> None:
    assert not seed_prefect_home(tmp_path / "state", tmp_path / "missing.db")
    assert not (tmp_path / "state").exists()
