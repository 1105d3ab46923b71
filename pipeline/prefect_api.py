"""Prefect's API for a run: the configured server, or a temporary local one booted early.

Prefect's own temporary server (used when no PREFECT_API_URL is set) is started lazily by the
first API call, from the main process, after importing Prefect's whole server package there: the
run waits for all of it. Here the same server (Prefect's ASGI app under uvicorn, in ephemeral
mode, on 127.0.0.1) is started as a subprocess as soon as a run is known to be needed, so it boots
on the other core while this process imports and prepares the stages. Measured effect in
docs/orchestration.md.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator


# Nothing leaves the machine unasked, and the terminal shows the run's own lines: no analytics
# from the server, no "View at http://127.0.0.1…" link to a server that is gone after the run,
# no engine traceback for a failure the run reports itself. A user's own settings win.
_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLIENT_METRICS_ENABLED": "false",
    "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "DO_NOT_TRACK": "1",
}


def quiet_prefect() -> None:
    """Set the quiet defaults before Prefect reads its settings (call before importing prefect)."""
    for name, value in _QUIET.items():
        os.environ.setdefault(name, value)
    import logging

    # Flow and task failures are reported by the run itself, as one line.
    # prefect._internal.concurrency: a service that could not flush at exit (the run's own events).
    for name in ("prefect.flow_runs", "prefect.task_runs", "prefect.engine", "prefect._internal.concurrency"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # Dask's scheduler and nannies narrate every start and stop (INFO) and a worker slow to stop
    # at shutdown (WARNING).
    for name in ("distributed", "prefect_dask"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # On Ctrl-C multiprocessing's resource tracker would report the semaphores the interrupted
    # run leaves to it (Dask's workers log at ERROR only: silence_logs). The run says it once.
    os.environ.setdefault("PYTHONWARNINGS", "ignore:resource_tracker:UserWarning")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment, read without importing Prefect."""
    return os.environ.get("PREFECT_API_URL") or None


class LocalApi:
    """A temporary Prefect API server in a subprocess, bound to 127.0.0.1."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT__SERVER_EPHEMERAL": "1",  # Prefect's own flag for its temporary server: no services
            "PREFECT__SERVER_FINAL": "1",
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on",
        ]  # fmt: skip
        # Its own session: a terminal's Ctrl-C goes to the run, which stops the server itself.
        from pipeline.run.executors import die_with_parent

        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=die_with_parent)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect's local API server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Prefect's local API server did not answer within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# What a flow's first run imports lazily (~0.3 s): the engines, and FastAPI's encoder for its
# parameters. Imported while the temporary server boots, when this process would only wait.
_ENGINE_MODULES = ("prefect.flow_engine", "prefect.task_engine", "fastapi.encoders")


def warm_engine() -> None:
    import importlib

    for name in _ENGINE_MODULES:
        importlib.import_module(name)


def drain_events(timeout_s: float = 3.0) -> None:
    """Send the run's pending Prefect events while the server still listens (else Prefect
    reports "EventsWorker failed with N pending items" at exit)."""
    import sys

    if "prefect.events.worker" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker

    with contextlib.suppress(Exception):
        EventsWorker.drain_all(timeout=timeout_s)


@contextlib.contextmanager
def prefect_api(started: LocalApi | None = None) -> Iterator[LocalApi | None]:
    """Use the configured Prefect API, or a temporary local one (`started` early, or booted
    now) for the duration."""
    quiet_prefect()
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_LOGGING_TO_API_ENABLED,
        temporary_settings,
    )

    if PREFECT_API_URL.value():
        if started is not None:  # a Prefect profile names a server after all
            started.stop()
        yield None
        return
    from pipeline.run.interrupt import INTERRUPTS

    api = started or LocalApi()
    stop = INTERRUPTS.on_interrupt(api.stop)
    try:
        # The server is gone when the run ends: logs sent to it would only be retried against a
        # closed port at exit (they still go to the terminal), and heartbeats, which let a lasting
        # server detect crashed runs, would only make each flow wait up to 1 s for their thread.
        # The server runs this very Prefect: the client's version check (~0.3 s, the server's
        # first /admin/version) is moot.
        overrides = {PREFECT_API_URL: api.url, PREFECT_LOGGING_TO_API_ENABLED: False,
                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None, PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED: False}
        with temporary_settings(overrides):
            yield api
    finally:
        INTERRUPTS.forget(stop)
        drain_events()
        if started is None:  # one started early is stopped by whoever started it
            api.stop()
