"""Write a release atomically and point output/latest at it.

    output/
      .lock                       flock held for the whole publish (RunLocked otherwise)
      .staging-XXXX/              a release being written (removed on any failure)
      releases/{release-id}/      complete, immutable releases
      latest -> releases/{id}     swapped with os.replace of a temporary symlink

Release id = "{YYYYMMDD}-{12 hex}" where the date is the newest source date ("undated"
without one) and the hex is the start of the sha256 over the published content (every area's
shard digests, ontology, context). Same sources -> same id -> nothing is written ("unchanged").
The release itself is assembled from the shards by pipeline.publish.assemble, which
uses the primitives here (names, lock, atomic swap).

A reader of output/latest sees either the whole previous release or the whole new one:
the new one is complete and fsynced before the symlink moves, and a failure before that
point deletes the staging folder and leaves releases/ and latest as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from rdflib import Graph

from pipeline.errors import RunLocked
from pipeline.publish import serialise
from pipeline.publish.serialise import PublishError
from pipeline.rdf.concepts import parse_turtle

if TYPE_CHECKING:
    from pipeline.publish.changelog import Changes

# Fixed names inside every release (and so under output/latest/).
DATA_TTL = "servicegraph.ttl"
DATA_JSONLD = "servicegraph.jsonld"
CONTEXT = serialise.CONTEXT_NAME
CATALOG = "catalog.ttl"
ONTOLOGY = "ontology.ttl"
CHANGELOG = "CHANGELOG.md"
CHANGES = "changes.json"
RELEASES = "releases"
LATEST = "latest"
LOCK = ".lock"


@dataclass(frozen=True)
class ReleaseResult:
    release_id: str
    path: Path  # output/releases/{id}
    created: bool  # False: the content equals an existing release, nothing was written
    message: str
    changes: Changes | None = None


# --------------------------------------------------------------------------- lock


_HELD: set[int] = set()  # lock descriptors this process holds


def _close_inherited_locks() -> None:
    # A forked worker shares the parent's open lock file; were the parent killed, the worker
    # would go on holding the lock. flock belongs to the open file, so the child lets go of it.
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Hold an exclusive flock on output/.lock; refuse (RunLocked) if another run holds it."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLocked(f"{path}: another run is in progress (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD.add(fd)
        try:
            yield
        finally:
            _HELD.discard(fd)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- files


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_ontology(ontology_dir: Path, def_iri: str) -> Graph:
    """Every Turtle file of the ontology folder (ontology + concept schemes) as one graph,
    moved to this run's definitions base."""
    files = sorted(ontology_dir.rglob("*.ttl")) if ontology_dir.is_dir() else []
    if not files:
        raise PublishError(f"{ontology_dir}: no ontology (*.ttl) to publish")
    g = Graph()
    for f in files:
        g += parse_turtle(f, def_iri)
    return g


def current_release(output_dir: Path) -> str | None:
    """The release id output/latest points at, or None."""
    latest = output_dir / LATEST
    if not latest.is_symlink():
        return None
    target = Path(os.readlink(latest))
    return target.name if (output_dir / RELEASES / target.name).is_dir() else None


def remove_leftovers(output_dir: Path) -> None:
    """Staging folders and temporary links of runs that were killed mid-write.

    Called with the lock held, so no live run can own them.
    """
    for stale in sorted(output_dir.glob(".staging-*")):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in sorted(output_dir.glob(".latest-*")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _swap_latest(output_dir: Path, release_id: str) -> None:
    tmp = output_dir / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(f"{RELEASES}/{release_id}", tmp)  # relative: output/ can be moved or cloned
    os.replace(tmp, output_dir / LATEST)
    _fsync_dir(output_dir)
