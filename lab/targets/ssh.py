"""Run commands on node1 over SSH: argv lists, shown before they run, timeouts, clear errors."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from lab.targets.commands import command_line

SSH_FAILED = 255  # ssh's own exit status when it cannot connect or log in
STDERR_TAIL_LINES = 15


class Result(Protocol):
    """What a runner returns: ``subprocess.CompletedProcess`` has these."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[..., Result]


class SSHError(RuntimeError):
    """Raised when a command cannot be run on node1 at all (no key, no ssh, no answer)."""


class SSHCommandError(SSHError):
    """Raised when a command on node1 exits with an error; carries its exit code and stderr."""

    def __init__(self, message: str, *, command: str, returncode: int, stderr: str) -> None:
        super().__init__(message)
        self.command = command
        self.returncode = returncode
        self.stderr = stderr


class SSHTimeoutError(SSHError):
    """Raised when a command on node1 does not finish within its time limit."""


def subprocess_runner(argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` locally (no shell), capturing text output; the child is killed on timeout."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    """The last ``lines`` non-empty lines of ``text``."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


class RemoteShell:
    """One SSH destination (``user@host`` with an optional key) that runs argv lists there."""

    def __init__(
        self,
        host: str,
        *,
        user: str = "cc",
        key: str | None = None,
        runner: Runner | None = None,
        echo: Callable[[str], Any] = print,
        connect_timeout_s: int = 15,
    ) -> None:
        self.host = host
        self.user = user
        self.key = key
        self._runner = runner or subprocess_runner
        self._echo = echo
        self._connect_timeout_s = connect_timeout_s

    @property
    def destination(self) -> str:
        """``user@host``."""
        return f"{self.user}@{self.host}"

    def options(self) -> list[str]:
        """``ssh`` and the options every connection to the host uses (key, no prompts)."""
        argv = [
            "ssh",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            f"ConnectTimeout={self._connect_timeout_s}",
        ]
        if self.key:
            argv += ["-i", self.key]  # ssh expands a leading ~ in -i itself
        return argv

    def argv(self, remote: Sequence[str], *, merge_stderr: bool = False) -> list[str]:
        """The local ssh argv that runs ``remote`` on the host (stderr into stdout if asked)."""
        remote_line = command_line(remote) + (" 2>&1" if merge_stderr else "")
        return [*self.options(), self.destination, remote_line]

    def run(
        self,
        remote: Sequence[str],
        *,
        timeout_s: float,
        check: bool = True,
        merge_stderr: bool = False,
        show: bool = True,
        hint: str = "",
    ) -> Result:
        """Run ``remote`` on the host, showing the command line first unless ``show`` is False.

        Raises SSHError if ssh cannot connect (always) or, with ``check``, SSHCommandError
        when the remote command fails; ``hint`` says what to check for that command.
        """
        self.check_key()
        argv = self.argv(remote, merge_stderr=merge_stderr)
        line = command_line(argv)
        if show:
            self._echo(f"$ {line}")
        try:
            result = self._runner(argv, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise SSHTimeoutError(
                f"no answer within {timeout_s:g} s from `{line}`: check that node1 is up and "
                f"that {self.host} is its floating IP"
            ) from None
        except FileNotFoundError:
            raise SSHError(
                "the `ssh` program is not installed here: install OpenSSH's client "
                "(apt-get install openssh-client) or run this from the Chameleon Jupyter server"
            ) from None
        if result.returncode == SSH_FAILED or (check and result.returncode != 0):
            raise self.error(argv, result, hint=hint)
        return result

    def error(self, argv: Sequence[str], result: Result, *, hint: str = "") -> SSHCommandError:
        """The error for a failed run of the local ``argv``: ssh's own failure or the command's."""
        line = command_line(argv)
        if result.returncode == SSH_FAILED:
            return SSHCommandError(
                f"ssh could not run a command on {self.destination} (exit code {SSH_FAILED}):\n"
                f"  $ {line}\n{_indent(tail(result.stderr))}\n"
                f"Check: the key path ({self.key or 'ssh default key'}) is the private key of "
                f"your Chameleon key pair; {self.host} is node1's floating IP; the security "
                "group lets SSH (port 22) in.",
                command=line,
                returncode=result.returncode,
                stderr=result.stderr,
            )
        output = result.stderr if result.stderr.strip() else result.stdout
        return SSHCommandError(
            f"command failed on {self.destination} (exit code {result.returncode}):\n"
            f"  $ {line}\n{_indent(tail(output))}" + (f"\n{hint}" if hint else ""),
            command=line,
            returncode=result.returncode,
            stderr=output,
        )

    def check_key(self) -> None:
        """Fail before ssh does, with a clearer message, when the key file is missing."""
        if self.key and not Path(self.key).expanduser().is_file():
            raise SSHError(
                f"SSH key not found: {self.key} (looked at {Path(self.key).expanduser()}): set "
                "ssh_key to the private key of the key pair your Chameleon instances use"
            )


def _indent(text: str) -> str:
    """Indent each line of ``text`` for an error message; say so when there is nothing."""
    return "\n".join(f"  | {line}" for line in text.splitlines()) or "  | (no output)"
