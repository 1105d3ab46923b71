"""Run the `oxigraph` CLI (from PyPI) as a local SPARQL endpoint over a release.

Bound to 127.0.0.1 only: the endpoint is for the person running it, not for the network.
Read-only by default (`oxigraph serve-read-only`); `allow_updates` runs `oxigraph serve` on a
throwaway copy, so an update can never touch the cached store of a release.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.store import STORE_FILES

READY_MARKER = ".loaded"  # written after a complete `oxigraph load`, so a half load is redone


class ServerError(PipelineError):
    """The oxigraph server could not be prepared or started."""


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"  # the venv's console script
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise ServerError("the `oxigraph` command is not installed (pip install oxigraph==0.5.13)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a port that is out of range or cannot be bound, before a server is started.

    Why beforehand: a server started on a busy port used to look ready (the other program
    answered the readiness probe) and an out-of-range port reached Oxigraph as a Rust panic.
    SO_REUSEADDR as the servers themselves set it: a port left in TIME_WAIT is free, a port
    someone listens on is not.
    """
    if not 1 <= port <= 65535:
        raise ServerError(f"port {port} is out of range (1-65535)")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except PermissionError:
            raise ServerError(f"port {port} on {host}: permission denied (ports below 1024 need privileges)") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServerError(f"port {port} on {host} is already in use by another program (choose another with --port)") from None
            raise ServerError(f"port {port} on {host}: cannot listen ({exc.strerror or exc})") from None


def load_location(release_dir: Path, location: Path) -> Path:
    """Load a release's Turtle into an on-disk Oxigraph store at `location` (once)."""
    if (location / READY_MARKER).exists():
        return location
    if location.exists():
        shutil.rmtree(location)
    location.mkdir(parents=True)
    files = [str(release_dir / n) for n in STORE_FILES if (release_dir / n).is_file()]
    proc = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", *files],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise ServerError(f"{release_dir}: oxigraph load failed: {proc.stderr.strip()[-500:]}")
    (location / READY_MARKER).write_text("ok\n")
    return location


@dataclass
class SparqlServer:
    process: subprocess.Popen
    port: int
    location: Path
    read_only: bool
    _cleanup: list[Path] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)

    def __enter__(self) -> "SparqlServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_ready(server: SparqlServer, timeout_s: float) -> None:
    probe = server.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            err = server.process.stderr.read().decode("utf-8", "replace") if server.process.stderr else ""
            raise ServerError(f"oxigraph exited with {server.process.returncode}: {err.strip()[-500:]}")
        try:
            with urllib.request.urlopen(probe, timeout=1) as resp:
                if resp.status == 200 and server.process.poll() is None:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    server.stop()
    raise ServerError(f"oxigraph did not answer on {server.base_url} within {timeout_s:.0f} s")


def start_server(
    location: Path,
    port: int | None = None,
    *,
    allow_updates: bool = False,
    timeout_s: float = 20.0,
) -> SparqlServer:
    """Start oxigraph on 127.0.0.1:port over `location`; returns once it answers queries.

    With `allow_updates` the store is first copied to a temporary folder (deleted on stop):
    writes go to the copy, the release's store stays as published.
    """
    if port:
        check_port(port)
    else:
        port = free_port()
    cleanup: list[Path] = []
    if allow_updates:
        scratch = Path(tempfile.mkdtemp(prefix="servicegraph-oxigraph-"))
        shutil.copytree(location, scratch / "store")
        location = scratch / "store"
        cleanup.append(scratch)
    command = "serve" if allow_updates else "serve-read-only"
    proc = subprocess.Popen(
        [oxigraph_binary(), command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = SparqlServer(proc, port, location, not allow_updates, cleanup)
    _wait_ready(server, timeout_s)
    return server


def start_writable_empty(port: int | None = None) -> SparqlServer:
    """An empty read-write server on a temporary store (a push target for tests and demos)."""
    scratch = Path(tempfile.mkdtemp(prefix="servicegraph-oxigraph-"))
    (scratch / "store").mkdir()
    port = port or free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(scratch / "store"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = SparqlServer(proc, port, scratch / "store", False, [scratch])
    _wait_ready(server, 20.0)
    return server
