"""prefect_client: the training thread's flow runs share one Prefect client, on a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gourmetgram_train.prefect_server import PrefectServer

TRAIN = Path(__file__).resolve().parents[2] / "train"

# Two real servers; flows run under the shared client against the first, then the second.
SCRIPT = """
import json, sys
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.context import SettingsContext, get_settings_context
from prefect.settings import get_current_settings
from gourmetgram_train.prefect_client import SharedFlowClient

@flow
def which_client() -> int:
    return id(get_client(sync_client=True))

shared, seen, keep = SharedFlowClient(), [], []  # keep: ids stay unique
for url in sys.argv[1:]:
    settings = get_current_settings().copy_with_update(updates={"api.url": url})
    with SettingsContext(profile=get_settings_context().profile, settings=settings):
        for _ in range(2):
            with shared.current() as context:
                keep.append(context.client)
                seen.append({"url": url, "client": which_client(), "shared": id(context.client)})
                names = {r.state_name for r in context.client.read_flow_runs()}
                seen[-1]["states"] = sorted(names)
shared.close()
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_flow_runs_share_one_client_per_api_and_complete(tmp_path: Path) -> None:
    servers = [PrefectServer(tmp_path / f"prefect-{n}") for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        env = {**os.environ, **servers[0].client_env()}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, *(server.api_url for server in servers)],
            cwd=TRAIN,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        for server in servers:
            server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    # Each flow run used the shared client, not one of its own.
    assert all(run["client"] == run["shared"] for run in runs)
    first, second = runs[:2], runs[2:]
    assert first[0]["client"] == first[1]["client"]  # one client for both runs
    assert second[0]["client"] == second[1]["client"]
    assert first[0]["client"] != second[0]["client"]  # another API: another client
    # Both servers recorded their own runs as completed.
    assert first[1]["states"] == ["Completed"] and second[1]["states"] == ["Completed"]
