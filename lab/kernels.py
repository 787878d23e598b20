"""The project's Jupyter kernel: the ``python3`` kernelspec, started over IPC sockets.

A Jupyter kernel talks to its client (JupyterLab, papermill, nbval) over ZeroMQ. Over
loopback TCP, in plain text, ipykernel warns at every start ("Kernel is running over TCP
without encryption"). The kernelspec that ``make setup`` installs names
:class:`IPCProvisioner`, which starts the same ipykernel on Unix sockets in Jupyter's
private runtime folder instead, whichever program asks for the kernel.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

KERNEL_NAME = "python3"
"""The kernelspec name every notebook's metadata names (``snippets/frontmatter_python.md``)."""
DISPLAY_NAME = "Python 3 (ipykernel)"
PROVISIONER_NAME = "gourmetgram-ipc"
"""The entry point under ``jupyter_client.kernel_provisioners`` in ``pyproject.toml``."""


class IPCProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Starts a local kernel like Jupyter's default provisioner, but on IPC sockets."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Switch the kernel manager to IPC before the connection file is written."""
        manager = self.parent
        if manager is not None and manager.transport != "ipc":
            manager.transport = "ipc"
            manager.ip = ipc_base(manager.connection_file, self.kernel_id)
        return await super().pre_launch(**kwargs)


def ipc_base(connection_file: str, kernel_id: str | None) -> str:
    """The socket path prefix: beside the connection file, else in Jupyter's runtime folder.

    Each channel's socket is this path plus ``-N``; a relative prefix would put the
    sockets in the kernel's working folder (the notebooks).
    """
    if connection_file:
        return str(Path(connection_file).with_suffix("")) + "-ipc"
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(runtime / f"kernel-{kernel_id or uuid.uuid4()}-ipc")


def kernel_spec() -> dict[str, Any]:
    """ipykernel's own kernelspec for this Python, with the IPC provisioner named."""
    from ipykernel.kernelspec import get_kernel_dict

    # As `ipykernel install` does on CPython: the debugger warns about frozen modules.
    spec = get_kernel_dict(python_arguments=["-Xfrozen_modules=off"])
    spec["display_name"] = DISPLAY_NAME
    metadata = dict(spec.get("metadata") or {})
    # ipykernel declares CurveZMQ support; over IPC no key is provisioned, so say nothing.
    metadata.pop("supported_encryption", None)
    metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME}
    spec["metadata"] = metadata
    return spec


def install(prefix: str | None = None) -> Path:
    """Install the kernelspec into ``prefix`` (default: this environment) and return its folder."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        source = write_kernel_spec(str(Path(tmp) / KERNEL_NAME), overrides=kernel_spec())
        installed = KernelSpecManager().install_kernel_spec(
            source, KERNEL_NAME, prefix=prefix or sys.prefix
        )
    return Path(installed)


if __name__ == "__main__":
    print(f"installed kernelspec {KERNEL_NAME!r} in {install()}")
