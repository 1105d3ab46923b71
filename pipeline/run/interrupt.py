"""Ctrl-C and SIGTERM: stop the run's processes, say so in one line, exit 130 (143).

A terminal sends SIGINT to the whole foreground process group. Left to themselves, every worker
process, Prefect's engine and its API server would each print a traceback, and the flow would
retry its API calls against a server that is already gone (that took 75-82 s). Here the main
process alone decides: worker processes ignore SIGINT (pipeline.run.executors), the API server
runs in its own session, and the handler kills both and leaves at once. Nothing is lost by
leaving at once: a release is written in a staging folder that the next run removes, and only
the atomic swap of output/latest is waited for (`critical`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator

_MESSAGE = {
    signal.SIGINT: "interrupted: nothing was published by this run; the previous release is unchanged",
    signal.SIGTERM: "terminated: nothing was published by this run; the previous release is unchanged",
}
_AFTER_SWAP = "interrupted: the new release was published just before the interrupt"


class Interrupts:
    def __init__(self) -> None:
        self._cleanups: list[Callable[[], None]] = []
        self._critical = 0
        self._pending: int | None = None
        self._swapped = False

    def on_interrupt(self, cleanup: Callable[[], None]) -> Callable[[], None]:
        self._cleanups.append(cleanup)
        return cleanup

    def forget(self, cleanup: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._cleanups.remove(cleanup)

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        """A moment an interrupt must not cut short (moving output/latest)."""
        self._critical += 1
        try:
            yield
            self._swapped = True
        finally:
            self._critical -= 1
            if not self._critical and self._pending is not None:
                self._leave(self._pending)

    def _handle(self, signum: int, frame: object) -> None:
        if self._critical:
            self._pending = signum
            return
        self._leave(signum)

    def _leave(self, signum: int) -> None:
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(BaseException):
                cleanup()
        sys.stdout.flush()
        sys.stderr.write(("\n" if sys.stderr.isatty() else "") + (_AFTER_SWAP if self._swapped else _MESSAGE.get(signum, _MESSAGE[signal.SIGTERM])) + "\n")
        sys.stderr.flush()
        os._exit(128 + signum)


INTERRUPTS = Interrupts()
