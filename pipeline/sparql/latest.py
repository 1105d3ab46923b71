"""The release `output/latest` points to, in an in-memory Oxigraph store that follows it.

Why a background load: a store is loaded completely before it is swapped in, and until then
every request is answered from the previous one. So after a new release there is no moment with
an empty or half-loaded store, and no request waits for the load (at N = 1,000 documents it takes
seconds).
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from pipeline.errors import PipelineError
from pipeline.store import load_store, release_dir_for


@dataclass(frozen=True)
class LoadedRelease:
    release: Path  # the release folder, symlinks resolved
    store: ox.Store


class LatestRelease:
    """`current()` is the newest completely loaded release; a move of `latest` starts a load."""

    def __init__(self, latest: Path, warn: Callable[[str], None] | None = None) -> None:
        self.latest = latest
        self._warn = warn or (lambda message: print(message, file=sys.stderr, flush=True))
        self._lock = threading.Lock()
        self._loading: Path | None = None
        self._failed: Path | None = None  # a release that did not load is not retried
        # At start the load is in the foreground: no release is a one-line error, not a server
        # that answers 500.
        self._current = self._load(self._target())

    def _target(self) -> Path:
        return Path(os.path.realpath(self.latest))

    @staticmethod
    def _load(target: Path) -> LoadedRelease:
        return LoadedRelease(target, load_store(release_dir_for(target)))

    def current(self) -> LoadedRelease:
        loaded = self._current
        target = self._target()
        if target != loaded.release and target != self._failed:
            self._start_loading(target)
        return loaded

    def _start_loading(self, target: Path) -> None:
        with self._lock:
            if self._loading is not None:
                return
            self._loading = target
        threading.Thread(target=self._load_in_background, args=(target,), daemon=True,
                         name="servicegraph-release-load").start()

    def _load_in_background(self, target: Path) -> None:
        try:
            self._current = self._load(target)  # one assignment: readers see old or new, whole
        except PipelineError as exc:
            self._failed = target
            self._warn(f"warning: still serving {self._current.release.name}: {exc}")
        finally:
            with self._lock:
                self._loading = None
