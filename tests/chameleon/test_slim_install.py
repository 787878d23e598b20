"""The slim lab client, as a student installs it: ``pip install -e .`` in a fresh venv.

No torch, no Prefect, no MLflow server, no root. The chameleon cells' imports work, and a
preflight against an address where nothing answers reports what to fix instead of failing.
Run by ``make test-chameleon`` (it downloads the client's packages from PyPI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("LAB_CHAMELEON_E2E") != "1",
        reason="run by `make test-chameleon` (installs the client from PyPI into a fresh venv)",
    ),
]
PROBE = """
import importlib.util, sys
from lab.notebook import open_lab, run_summary
from lab.progress import progress
from lab.registry import model_versions
for heavy in ("torch", "prefect", "papermill", "hera"):
    assert importlib.util.find_spec(heavy) is None, f"{heavy} is installed"
lab = open_lab("chameleon", floating_ip="127.0.0.9", ssh_key=sys.argv[1], repo_url="https://example.org/lab.git")
report = lab.preflight()
print(report)
assert not report.ok and "SSH to node1" in str(report) and "fix:" in str(report)
"""


def test_the_slim_client_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    start = time.monotonic()
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "-q",
            "--disable-pip-version-check",
            "-e",
            str(ROOT),
        ],
        check=True,
        timeout=900,
    )
    seconds = time.monotonic() - start
    size = sum(p.stat().st_size for p in venv.rglob("*") if p.is_file()) / 1e6
    print(f"slim client: installed in {seconds:.0f} s, venv {size:.0f} MB")
    key = tmp_path / "id_key"
    key.write_text("not a key\n")
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE, str(key)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL  SSH to node1" in done.stdout
    assert size < 400, f"the slim client takes {size:.0f} MB"
