"""Conflicting or impossible options of `push` and `serve-sparql` are one-line errors with the
exit status docs/reliability.md gives them, and nothing is sent or started."""

from __future__ import annotations

from typer.testing import CliRunner

from pipeline.cli import app


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


def test_push_refuses_graph_together_with_default_graph_before_reading_anything(tmp_path):
    # Port 9 (discard) has nobody listening: had the push been attempted it would say "cannot connect".
    out = CliRunner().invoke(
        app,
        ["push", "--endpoint", "http://127.0.0.1:9/store", "--graph", "urn:g", "--default-graph",
         "--release", str(tmp_path / "no-release")],
    )
    assert out.exit_code == 2
    line = _one_error_line(out.output)
    assert "--graph" in line and "--default-graph" in line


def test_serve_sparql_refuses_a_port_out_of_range_in_one_line():
    out = CliRunner().invoke(app, ["serve-sparql", "--port", "99999"])
    assert out.exit_code == 1
    assert _one_error_line(out.output) == "error: port 99999 is out of range (1-65535)"


def test_serve_sparql_refuses_a_port_another_program_listens_on(tmp_path):
    import socket

    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # No release at all: the port is checked first, so the message is about the port.
        out = CliRunner().invoke(app, ["serve-sparql", "--port", str(port), "--release", str(tmp_path)])
    assert out.exit_code == 1
    line = _one_error_line(out.output)
    assert line.startswith(f"error: port {port} ") and "already in use" in line


def test_the_server_refuses_a_busy_port_even_when_the_other_program_would_answer_the_probe(tmp_path):
    # A real HTTP server answering 200 to everything stood in for "the readiness probe was
    # answered by the other server" (issue 15): the start must fail, not report success.
    import http.server
    import threading

    import pytest

    from pipeline.sparql.server import ServerError, start_server

    class Yes(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Yes)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ServerError, match="already in use"):
            start_server(tmp_path, httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
