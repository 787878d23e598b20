"""Empty, migrated databases (Prefect's and MLflow's) that process mode copies into a fresh state.

The training image runs Prefect's database migrations when it is built (train/Dockerfile),
so a container's Prefect server starts on a migrated database. Process mode's stand-in for
the image is the lab's virtual environment: setup (scripts/setup.sh) migrates one empty
database of each kind there, named by the package's version, and a fresh state gets a copy
(migrating from nothing costs about 11 s of CPU for Prefect and 1.5 s for MLflow here;
copying, milliseconds). Without a template a server migrates at start-up, as before. A
state already in use keeps its database, which its server migrates forward if needed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path


class DbTemplateError(RuntimeError):
    """Raised when a template database cannot be made."""


@dataclass(frozen=True)
class DbTemplate:
    """One kind of database: its package, its file name, and how to migrate it in a folder."""

    package: str
    db_name: str
    migrate: Callable[[Path], tuple[list[str], dict[str, str]]]  # folder -> (command, env)

    def path(self, prefix: Path | None = None) -> Path:
        """Where this environment's template lives (in its share/ folder)."""
        return share_dir(prefix) / f"{self.package}-{version(self.package)}.db"


def share_dir(prefix: Path | None = None) -> Path:
    """The folder of an environment (default: this one) where setup keeps what it made."""
    return (prefix or Path(sys.prefix)) / "share" / "gourmetgram-train"


def _prefect_upgrade(home: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"], env


def _mlflow_upgrade(folder: Path) -> tuple[list[str], dict[str, str]]:
    uri = f"sqlite:///{folder / MLFLOW.db_name}"
    return [sys.executable, "-m", "mlflow", "db", "upgrade", uri], dict(os.environ)


#: The service's Prefect home inside its STATE_DIR (train/gourmetgram_train/__main__.py,
#: and the same folder the Dockerfile migrates).
PREFECT_HOME_IN_STATE = "prefect"
PREFECT = DbTemplate("prefect", "prefect.db", _prefect_upgrade)
MLFLOW = DbTemplate("mlflow", "mlflow.db", _mlflow_upgrade)  # lab/services/mlflow_server.py
TEMPLATES = (PREFECT, MLFLOW)


def make_template(template: DbTemplate, target: Path | None = None, timeout_s: float = 600) -> Path:
    """Migrate an empty database into target (default: template.path()), once."""
    target = target or template.path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{template.package}-") as tmp:
        command, env = template.migrate(Path(tmp))
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        migrated = Path(tmp) / template.db_name
        if done.returncode != 0 or not migrated.exists():
            raise DbTemplateError(
                f"`{' '.join(command[1:])}` failed (exit {done.returncode}):\n"
                f"{(done.stdout + done.stderr)[-2000:]}"
            )
        _fold_write_ahead_log(migrated)
        os.replace(migrated, target)
    return target


def _fold_write_ahead_log(db: Path) -> None:
    """Move any write-ahead log into the file itself, so the one file holds the whole database."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        if not connection.execute("SELECT version_num FROM alembic_version").fetchall():
            raise DbTemplateError(f"{db} has no migration version after the upgrade")
    connection.close()


def seed_database(db: Path, template: Path) -> bool:
    """Copy the template to db if there is no database there yet; return whether it copied.

    An existing database (a state in use) is never touched.
    """
    if db.exists() or not template.exists():
        return False
    db.parent.mkdir(parents=True, exist_ok=True)
    partial = db.with_name(f".{db.name}.partial")
    shutil.copyfile(template, partial)
    os.replace(partial, db)  # atomic: never a half-copied database
    return True


def seed_prefect_home(service_state: Path, template: Path | None = None) -> bool:
    """Copy the Prefect template into a training service's state that has none yet."""
    db = service_state / PREFECT_HOME_IN_STATE / PREFECT.db_name
    return seed_database(db, template or PREFECT.path())


if __name__ == "__main__":
    for template in TEMPLATES:
        print(make_template(template))
