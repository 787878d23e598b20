"""lab.db_templates: migrated empty databases (Prefect's, MLflow's), copied into a fresh state."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from lab.db_templates import (
    MLFLOW,
    PREFECT,
    PREFECT_HOME_IN_STATE,
    DbTemplate,
    DbTemplateError,
    make_template,
    seed_database,
    seed_prefect_home,
)
from lab.services import free_port, start_mlflow_server, stop_service

# A table each kind of database has once migrated.
TABLES = {"prefect": {"flow", "flow_run", "task_run"}, "mlflow": {"experiments", "runs"}}


@pytest.mark.parametrize("template", [PREFECT, MLFLOW], ids=lambda t: t.package)
def test_a_template_is_named_by_its_packages_version_in_the_environment(
    template: DbTemplate,
) -> None:
    path = template.path(Path("/venv"))
    assert path.parent == Path("/venv/share/gourmetgram-train")
    assert path.name.startswith(f"{template.package}-3.") and path.suffix == ".db"


@pytest.mark.slow
@pytest.mark.parametrize("template", [PREFECT, MLFLOW], ids=lambda t: t.package)
def test_the_template_is_migrated_once_and_holds_the_whole_database(
    template: DbTemplate, tmp_path: Path
) -> None:
    target = make_template(template, tmp_path / "template.db")
    with sqlite3.connect(target) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert revision and TABLES[template.package] <= tables
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template.db"], "no WAL, no temp dir"
    made = target.stat().st_mtime_ns
    assert make_template(template, target) == target and target.stat().st_mtime_ns == made


def test_a_failed_migration_says_so_and_leaves_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(DbTemplateError, match=r"database upgrade -y` failed \(exit 1\)"):
        make_template(PREFECT, tmp_path / "prefect.db")
    assert list(tmp_path.iterdir()) == []


def test_a_fresh_state_gets_a_copy_and_a_state_in_use_is_never_touched(tmp_path: Path) -> None:
    template = tmp_path / "template.db"
    template.write_bytes(b"migrated")
    fresh = tmp_path / "fresh"
    assert seed_prefect_home(fresh, template)
    assert (fresh / PREFECT_HOME_IN_STATE / PREFECT.db_name).read_bytes() == b"migrated"
    in_use = tmp_path / "in-use"
    (in_use / PREFECT_HOME_IN_STATE).mkdir(parents=True)
    (in_use / PREFECT_HOME_IN_STATE / PREFECT.db_name).write_bytes(b"runs of a week")
    assert not seed_prefect_home(in_use, template)
    assert (in_use / PREFECT_HOME_IN_STATE / PREFECT.db_name).read_bytes() == b"runs of a week"
    assert sorted(p.name for p in (fresh / PREFECT_HOME_IN_STATE).iterdir()) == [PREFECT.db_name]


def test_without_a_template_the_server_migrates_as_before(tmp_path: Path) -> None:
    assert not seed_database(tmp_path / "state" / "mlflow.db", tmp_path / "missing.db")
    assert not (tmp_path / "state").exists()


@pytest.mark.slow
def test_mlflow_serves_a_fresh_state_from_the_environments_template(tmp_path: Path) -> None:
    assert MLFLOW.path().exists(), "setup (scripts/setup.sh) makes the environment's template"
    mlflow = start_mlflow_server(tmp_path, port=free_port(), reuse=False)
    try:
        with sqlite3.connect(tmp_path / "mlflow" / MLFLOW.db_name) as db:
            experiments = db.execute("SELECT experiment_id, name FROM experiments").fetchall()
    finally:
        stop_service(mlflow, tmp_path)
    assert "Creating initial MLflow database tables" not in mlflow.log_path.read_text()
    assert experiments == [(0, "Default")], "the server made its default experiment as before"
