"""The generated sample data set, made once at setup and copied into a fresh service state.

Without DATA_DIR, the training service generates its sample data set (770 small PNG files,
train/gourmetgram_train/sample_data.py) into its state on its first trigger: about 0.9 s of
CPU here, on that trigger's time. Process mode's stand-in for the training image is this
environment, so setup generates the set once into its share/ folder with the service's own
code, and a fresh state gets a copy before the service starts (as with the databases,
lab/db_templates.py). A state that already has a set keeps it; the service still generates
any set it lacks (another SEED or IMAGE_SIZE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lab.db_templates import share_dir
from lab.paths import repo_root

#: Where the service keeps generated sets inside its STATE_DIR (sample_data.py's cache).
DATA_IN_STATE = "data"
GENERATE = (
    "import sys; from pathlib import Path; "
    "from gourmetgram_train.config import Settings; "
    "from gourmetgram_train.sample_data import ensure_sample_dataset; "
    "d = Settings.model_fields; "
    "print(ensure_sample_dataset(Path(sys.argv[1]), d['seed'].default, d['image_size'].default))"
)


class DataTemplateError(RuntimeError):
    """Raised when setup cannot generate the sample data set."""


def template_dir(prefix: Path | None = None) -> Path:
    """Where this environment keeps its generated sets."""
    return share_dir(prefix) / DATA_IN_STATE


def make_template(target: Path | None = None, train_dir: Path | None = None) -> Path:
    """Generate the default sample set into ``target`` with the service's code; return its path."""
    target = target or template_dir()
    env = {**os.environ, "PYTHONPATH": str(train_dir or repo_root() / "train")}
    done = subprocess.run(
        [sys.executable, "-c", GENERATE, str(target)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DataTemplateError(f"generating the sample data set failed:\n{done.stderr[-2000:]}")
    return Path(done.stdout.strip())


def seed_sample_data(service_state: Path, template: Path | None = None) -> list[str]:
    """Copy each generated set the service's state lacks from the template; return their names.

    Each set is copied beside its final place and then renamed: the service never sees half
    a set. A set already there (a state in use) is never touched.
    """
    template = template or template_dir()
    if not template.is_dir():
        return []
    cache = service_state / DATA_IN_STATE
    copied = []
    for source in sorted(template.iterdir()):
        if not source.is_dir() or source.name.startswith(".") or (cache / source.name).exists():
            continue
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".seed-", dir=cache))
        try:
            shutil.copytree(source, staging / source.name)
            os.replace(staging / source.name, cache / source.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        copied.append(source.name)
    return copied


if __name__ == "__main__":
    print(make_template())
