"""``--otel``: the run's spans and metrics reach an OTLP/HTTP endpoint named by OTEL_* variables."""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engagive_async._cli.otel import MISSING_EXPORTER
from engagive_async._observe import OFF, current
from tests.cli.conftest import invoke, number, send_args, write_csv


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bytes]]]:
    """An OTLP/HTTP receiver on 127.0.0.1; the OTEL_* variables point the exporter at it."""
    received: list[tuple[str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "campaign-test")
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_otel_exports_the_campaign(
    base_url: str, tmp_path: Path, collector: list[tuple[str, bytes]]
) -> None:
    """Spans and metrics of a send-template run arrive by OTLP, without a recipient in them."""
    rows = write_csv(tmp_path / "people.csv", 5)
    result = invoke("--otel", *send_args(rows))
    assert result.exit_code == 0, result.stderr
    paths = {path for path, _ in collector}
    assert paths == {"/v1/traces", "/v1/metrics"}
    traces = b"".join(body for path, body in collector if path == "/v1/traces")
    exported_metrics = b"".join(body for path, body in collector if path == "/v1/metrics")
    assert b"send_many" in traces
    assert b"/channels/whatsapp/accounts/{account_id}/messages/send-template" in traces
    assert b"campaign-test" in traces
    assert b"engagive.sends" in exported_metrics
    assert b"http.client.request.duration" in exported_metrics
    for n in range(5):
        assert number(n).encode() not in traces + exported_metrics
        assert f"Customer {n}".encode() not in traces + exported_metrics
    assert current() is OFF  # the providers were removed again


def test_otel_without_the_exporter_says_what_to_install(
    base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No OTLP exporter installed: a clear message and exit code 2, nothing sent."""
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    rows = write_csv(tmp_path / "people.csv", 2)
    result = invoke("--otel", *send_args(rows))
    assert result.exit_code == 2
    assert MISSING_EXPORTER.split(":")[0] in result.stderr
    assert "engagive_async[otel-export]" in result.stderr
