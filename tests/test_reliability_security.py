"""Security: the SPARQL endpoint listens on 127.0.0.1 only and is read-only unless asked; `query`
refuses SPARQL Update; push credentials never appear in output, errors or log records."""

from __future__ import annotations

import base64
import http.server
import json
import logging
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

import reliability_helpers as rh
from pipeline.sparql import push as push_mod
from pipeline.sparql.server import free_port, load_location, start_server

pytestmark = pytest.mark.slow
PROBE = "urn:servicegraph:test:probe"
ASK_PROBE = f"ASK {{ <{PROBE}> ?p ?o }}"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


@pytest.fixture(scope="module")
def output(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rh.copy_output(rh.baseline_output(root), tmp_path_factory.mktemp("security") / "output")


def _http(url: str, data: bytes | None = None, method: str = "GET", ctype: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": ctype} if ctype else {}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def ask(base_url: str, sparql: str) -> bool:
    status, body = _http(base_url + "/query?" + urllib.parse.urlencode({"query": sparql}))
    assert status == 200, body
    return json.loads(body)["boolean"]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp{,6} print them) with a socket LISTENing on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def insert_update(status_of: str) -> tuple[int, bytes]:
    return _http(status_of, f"INSERT DATA {{ <{PROBE}> <urn:p> 1 }}".encode(), "POST", "application/sparql-update")


def test_serve_sparql_listens_on_loopback_only_and_refuses_writes(tmp_path: Path, output: Path) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    port = free_port()
    before = rh.snapshot(output)
    proc = subprocess.Popen(rh.servicegraph_cmd("serve-sparql", "--port", str(port)), cwd=rh.ROOT,
                            env=rh.run_env(tmp_path / "cache", SERVICEGRAPH_OUTPUT=str(output)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "SPARQL endpoint (read-only)" in line and f"http://127.0.0.1:{port}/query" in line, \
            line + proc.stderr.read() if proc.poll() is not None else line
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::
        base = f"http://127.0.0.1:{port}"
        assert ask(base, "ASK { ?s a <http://purl.org/vocab/cpsv#PublicService> }")
        status, _ = insert_update(base + "/update")
        assert status >= 400
        status, _ = _http(base + "/store?default", b"<urn:a> <urn:b> <urn:c> .", "PUT", "text/turtle")
        assert status >= 400
        status, _ = _http(base + "/store?default", method="DELETE")
        assert status >= 400
        assert not ask(base, ASK_PROBE)
        assert ask(base, "ASK { ?s a <http://purl.org/vocab/cpsv#PublicService> }")  # nothing deleted
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert rh.snapshot(output) == before


def test_updates_with_allow_updates_go_to_a_scratch_copy_never_the_release(tmp_path: Path, output: Path) -> None:
    location = load_location(output / "latest", tmp_path / "store")
    with start_server(location, allow_updates=True) as writable:
        status, body = insert_update(writable.update_url)
        assert status in (200, 204), body
        assert ask(writable.base_url, ASK_PROBE)
    with start_server(location) as again:  # the release's store, served read-only again
        assert not ask(again.base_url, ASK_PROBE)
    assert PROBE.encode() not in (output / "latest" / "servicegraph.ttl").read_bytes()


UPDATES = {
    "insert-data": f"INSERT DATA {{ <{PROBE}> <urn:p> 1 }}",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "insert-where": "PREFIX x: <urn:x:> INSERT { ?s x:seen 1 } WHERE { ?s ?p ?o }",
    "clear-all": "CLEAR ALL",
    "drop-all": "DROP ALL",
    "load-file": "LOAD <file:///etc/passwd>",
    "sequence": "CLEAR DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
}


@pytest.mark.parametrize("case", sorted(UPDATES))
def test_query_refuses_sparql_update(case: str, output: Path) -> None:
    before = rh.snapshot(output)
    result = rh.invoke(["query", UPDATES[case], "--release", str(output / "latest")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SPARQL Update is not allowed here"), result.stderr
    assert rh.snapshot(output) == before


def test_query_never_fetches_what_a_refused_load_names(echo_server: str, output: Path) -> None:
    _EchoHandler.fetched.clear()
    result = rh.invoke(["query", f"LOAD <{echo_server}/probe.ttl>", "--release", str(output / "latest")])
    assert result.exit_code == 1 and "SPARQL Update is not allowed" in result.stderr
    assert _EchoHandler.fetched == [], "the refused LOAD was executed: the URL was fetched"


# --------------------------------------------------------------------------- push credentials

USER, PASSWORD, TOKEN = "julkaisija", "Salasana-7f3a9c!", "tok-2b8e41d0c6f5"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN, BASIC, urllib.parse.quote(PASSWORD, safe=""))


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """A hostile store: answers 401 (or 204 under /ok/) and echoes the request's credentials back."""

    seen: list[str] = []
    fetched: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).fetched.append(self.path)
        body = b"<urn:a> <urn:b> <urn:c> ."
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization", "")
        type(self).seen.append(auth)
        ok = self.path.startswith("/ok/")
        body = f"no access for {auth} at {self.path}".encode()
        self.send_response(204 if ok else 401, f"Unauthorized {auth}")
        if not ok:
            self.send_header("WWW-Authenticate", f'Basic realm="{auth}"')
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not ok:
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


CREDENTIALS = {
    "basic": {push_mod.ENV_USER: USER, push_mod.ENV_PASSWORD: PASSWORD},
    "token": {push_mod.ENV_TOKEN: TOKEN},
    "in-url": {},
}


def _push(endpoint: str, env: dict[str, str], output: Path, caplog: pytest.LogCaptureFixture,
          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(push_mod.time, "sleep", lambda _s: None)  # retries without the waits
    for name in (push_mod.ENV_USER, push_mod.ENV_PASSWORD, push_mod.ENV_TOKEN):
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.DEBUG)
    return rh.invoke(["push", "--endpoint", endpoint, "--release", str(output / "latest")], env)


def _assert_no_secret(result, caplog: pytest.LogCaptureFixture) -> None:
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        for where, text in (("stdout", result.stdout), ("stderr", result.stderr), ("log", logged)):
            assert secret not in text, f"a credential appears in {where}: {text}"


def _endpoint(base: str, case: str, path: str) -> str:
    if case != "in-url":
        return f"{base}{path}"
    scheme, rest = base.split("://")
    return f"{scheme}://{USER}:{urllib.parse.quote(PASSWORD, safe='')}@{rest}{path}"


@pytest.mark.parametrize("case", sorted(CREDENTIALS))
def test_a_push_refused_with_401_never_shows_the_credentials(
    case: str, echo_server: str, output: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _EchoHandler.seen.clear()
    result = _push(_endpoint(echo_server, case, "/store"), CREDENTIALS[case], output, caplog, monkeypatch)
    assert result.exit_code == 1
    assert "HTTP 401" in result.stderr
    # The server did get (and echo) the credentials: the test is not vacuous.
    assert _EchoHandler.seen and _EchoHandler.seen[0] in (f"Basic {BASIC}", f"Bearer {TOKEN}")
    _assert_no_secret(result, caplog)


@pytest.mark.parametrize("case", sorted(CREDENTIALS))
def test_a_push_to_a_closed_port_never_shows_the_credentials(
    case: str, output: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _endpoint(f"http://127.0.0.1:{_closed_port()}", case, "/store")
    result = _push(endpoint, CREDENTIALS[case], output, caplog, monkeypatch)
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr
    _assert_no_secret(result, caplog)


def test_a_successful_push_with_credentials_in_the_url_prints_the_endpoint_without_them(
    echo_server: str, output: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _EchoHandler.seen.clear()
    result = _push(_endpoint(echo_server, "in-url", "/ok/store"), {}, output, caplog, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "(HTTP 204)" in result.stdout and f"{echo_server}/ok/store" in result.stdout
    assert _EchoHandler.seen == [f"Basic {BASIC}"]
    _assert_no_secret(result, caplog)
