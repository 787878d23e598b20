"""Tests for lab.targets.tunnel with a stand-in ``ssh`` on PATH: what a student reads when the
port-forward on node1 cannot start, and that both processes are stopped by PID."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import pytest

from lab.targets.ssh import RemoteShell
from lab.targets.tunnel import Tunnel, TunnelError

# Both ends in one fake: ``-tt`` runs "kubectl port-forward" (prints what FAKE_SAYS says),
# ``-N -L …`` listens on the local port like ssh's forward would.
FAKE_SSH = """#!/usr/bin/env python3
import os, socket, sys, time
args = sys.argv[1:]
if "-N" in args:
    port = int(args[args.index("-L") + 1].split(":")[1])
    server = socket.socket(); server.bind(("127.0.0.1", port)); server.listen(1)
    while True:
        time.sleep(1)
print(os.environ["FAKE_SAYS"], flush=True)
if os.environ.get("FAKE_STAYS"):
    while True:
        time.sleep(1)
sys.exit(int(os.environ.get("FAKE_EXIT", "1")))
"""


@pytest.fixture
def fake_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text(FAKE_SSH)
    ssh.chmod(ssh.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return ssh


def tunnel(shown: list[str], namespace: str = "argo") -> Tunnel:
    shell = RemoteShell("203.0.113.10", echo=shown.append)
    return Tunnel(shell, namespace=namespace, echo=shown.append, start_timeout_s=10)


def test_a_namespace_without_argo_server_says_to_set_argo_namespace(
    fake_ssh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FAKE_SAYS", 'Error from server (NotFound): services "argo-server" not found'
    )
    shown: list[str] = []

    with pytest.raises(TunnelError) as caught:
        tunnel(shown, namespace="argo-workflows").open()

    message = str(caught.value)
    assert "kubectl -n argo-workflows port-forward svc/argo-server :2746" in message
    assert 'services "argo-server" not found' in message
    assert "set argo_namespace" in message and "'argo'" in message
    assert (
        "$ kubectl -n argo-workflows port-forward svc/argo-server 2746:2746   # on node1" in shown
    )
    assert "$ ssh -L 2746:127.0.0.1:2746 cc@203.0.113.10   # here" in shown


def test_a_node_without_kubectl_is_named(fake_ssh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SAYS", "bash: line 1: kubectl: command not found")

    with pytest.raises(TunnelError, match="kubectl is not on node1's PATH"):
        tunnel([]).open()


def test_an_open_tunnel_gives_a_local_url_and_closes_both_processes(
    fake_ssh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SAYS", "Forwarding from 127.0.0.1:40123 -> 2746")
    monkeypatch.setenv("FAKE_STAYS", "1")
    shown: list[str] = []
    opened = tunnel(shown)

    url = opened.open()

    assert url == f"https://127.0.0.1:{opened.local_port}" and opened.remote_port == 40123
    assert opened.is_open() and opened.open() == url  # kept, not reopened
    pids = [p.pid for p in (opened._remote, opened._local) if p is not None]
    opened.close()
    time.sleep(0.2)
    assert not opened.is_open()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with (
        pytest.raises(OSError),
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 1),
    ):
        pass
