"""The stand-in Argo Server over HTTPS on loopback, self-signed as argo-server's certificate is."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.chameleon.standin.argo_server import ArgoStandIn


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as argo-server makes its own."""
    cert, key = folder / "argo-server.crt", folder / "argo-server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=argo-server", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


class Handler(BaseHTTPRequestHandler):
    """HTTP in and out; the stand-in decides."""

    standin: ArgoStandIn

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        status, answer = self.standin.handle(method, self.path, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:
        self._answer("PUT")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the stand-in keeps its own request list


def serve(standin: ArgoStandIn, folder: Path) -> ThreadingHTTPServer:
    """Serve the stand-in over HTTPS on a free loopback port (``server.server_port``)."""
    cert, key = self_signed(folder)
    handler = type("BoundHandler", (Handler,), {"standin": standin})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, name="argo-standin", daemon=True).start()
    return server
