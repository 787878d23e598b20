"""lab.httpclients: httpx clients on one shared TLS context that verifies as httpx does."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lab.httpclients import http_client, http_get, tls_context
from lab.services.http_probe import probe_client


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hello_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_shared_context_verifies_certificates_and_host_names() -> None:
    context = tls_context()
    assert context is tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded


def test_clients_answer_over_plain_http(hello_url: str) -> None:
    with http_client(base_url=hello_url, timeout=5) as client:
        assert client.get("/").text == "hello"
    assert http_get(f"{hello_url}/", timeout=5).text == "hello"
    assert probe_client().get(f"{hello_url}/", timeout=5).text == "hello"
