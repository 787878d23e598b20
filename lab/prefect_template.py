"""An empty, migrated Prefect database that process mode copies into a fresh state.

The training image runs Prefect's database migrations when it is built (train/Dockerfile),
so a container's Prefect server starts on a migrated database. Process mode's stand-in for
the image is the lab's virtual environment: setup (scripts/setup.sh) migrates one empty
database there the same way, named by Prefect's version, and a fresh state gets a copy of it
(migrating from nothing takes about 11 s of CPU here; copying, milliseconds). Without the
template the service's Prefect server migrates at start-up, as before.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

#: The service's Prefect home inside its STATE_DIR (train/gourmetgram_train/__main__.py,
#: and the same folder the Dockerfile migrates).
PREFECT_HOME_IN_STATE = "prefect"
DB_NAME = "prefect.db"


class PrefectTemplateError(RuntimeError):
    """Raised when the template database cannot be made."""


def template_path(prefix: Path | None = None) -> Path:
    """Where the template for this environment's Prefect lives (in its share/ folder)."""
    base = prefix or Path(sys.prefix)
    return base / "share" / "gourmetgram-train" / f"prefect-{version('prefect')}.db"


def make_template(target: Path | None = None, timeout_s: float = 600) -> Path:
    """Migrate an empty database with `prefect server database upgrade` into target, once."""
    target = target or template_path()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".prefect-home-") as home:
        env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        migrated = Path(home) / DB_NAME
        if done.returncode != 0 or not migrated.exists():
            raise PrefectTemplateError(
                f"`prefect server database upgrade` failed (exit {done.returncode}):\n"
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
            raise PrefectTemplateError(f"{db} has no migration version after the upgrade")
    connection.close()


def seed_prefect_home(service_state: Path, template: Path | None = None) -> bool:
    """Copy the template into a service state that has no Prefect database yet.

    Returns whether it copied. An existing database (a state in use) is never touched.
    """
    template = template or template_path()
    home = service_state / PREFECT_HOME_IN_STATE
    if (home / DB_NAME).exists() or not template.exists():
        return False
    home.mkdir(parents=True, exist_ok=True)
    partial = home / f".{DB_NAME}.partial"
    shutil.copyfile(template, partial)
    os.replace(partial, home / DB_NAME)  # atomic: never a half-copied database
    return True


if __name__ == "__main__":
    print(make_template())
