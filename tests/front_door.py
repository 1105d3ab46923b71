"""Start `servicegraph serve-ld` as a user does (its own process, a free port) and stop it as
a terminal does (SIGINT to its process group). Used by tests/test_serve_ld.py and the browser test."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from rdflib import Graph

import reliability_helpers as rh
from pipeline.sparql.server import free_port


def servicegraph_command(*args: str) -> list[str]:
    """The console script a user runs (`servicegraph …`), from the project's venv when there is one."""
    script = Path(rh.PYTHON).parent / "servicegraph"
    return [str(script), *args] if script.exists() else rh.servicegraph_cmd(*args)


@dataclass
class ServeLd:
    proc: subprocess.Popen
    port: int
    output: Path
    logs: Path  # the server's stdout and stderr go to files here: a pipe nobody reads could fill up

    def stdout(self) -> str:
        return (self.logs / "stdout").read_text(encoding="utf-8")

    def stderr(self) -> str:
        return (self.logs / "stderr").read_text(encoding="utf-8")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_serve_ld(output: Path, work: Path, timeout_s: float = 60.0) -> ServeLd:
    """The server over `output`'s latest release, once it answers; `work` holds its cache and logs."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    with (work / "stdout").open("w") as out, (work / "stderr").open("w") as err:
        proc = subprocess.Popen(servicegraph_command("serve-ld", "--port", str(port), "--output", str(output)),
                                cwd=rh.ROOT, env=rh.run_env(work / "cache"), stdout=out, stderr=err, text=True,
                                start_new_session=True)
    server = ServeLd(proc, port, output, work)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve-ld exited with {proc.returncode}: {server.stderr()}")
        try:
            if httpx.get(f"{server.base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise AssertionError(f"serve-ld did not answer within {timeout_s:.0f} s")


def release_graph(release: Path) -> Graph:
    graph = Graph()
    for name in ("servicegraph.ttl", "ontology.ttl", "catalog.ttl"):
        graph.parse(release / name, format="turtle")
    return graph
