"""Remote sources: a manifest entry with `url:` is fetched into the sources folder.

Conditional requests (If-None-Match / If-Modified-Since) make an unchanged remote document cost
one 304 and no download. The validators of the last fetch are kept beside the sources in
`.fetch-state.json`; the downloaded bytes replace the local file atomically, so a failed download
never leaves half a PDF behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.sources import MANIFEST_NAME, read_manifest, resolve_inside, sha256_file

STATE_NAME = ".fetch-state.json"
_ALLOWED_SCHEMES = ("http://", "https://")


class TransientFetchError(SourceError):
    """A download that may work on a later try (connection refused, timeout, 5xx, 429)."""


@dataclass(frozen=True)
class FetchOutcome:
    source_id: str
    url: str
    path: Path
    downloaded: bool  # False: the server said 304 Not Modified
    sha256: str


def _load_state(sources_dir: Path) -> dict[str, dict[str, str]]:
    try:
        return json.loads((sources_dir / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(sources_dir: Path, state: dict[str, dict[str, str]]) -> None:
    fd, tmp = tempfile.mkstemp(dir=sources_dir, prefix=".fetch-state-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2, sort_keys=True)
    os.replace(tmp, sources_dir / STATE_NAME)


def fetch_one(
    source_id: str,
    url: str,
    target: Path,
    state: dict[str, str],
    *,
    timeout_s: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
) -> tuple[FetchOutcome, dict[str, str]]:
    """Fetch one URL into `target` unless the server says it has not changed."""
    if not url.startswith(_ALLOWED_SCHEMES):
        raise SourceError(url, "only http(s) URLs can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "servicegraph"})
    if target.exists():
        if state.get("etag"):
            request.add_header("If-None-Match", state["etag"])
        if state.get("last_modified"):
            request.add_header("If-Modified-Since", state["last_modified"])
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            digest = hashlib.sha256()
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".download-")
            try:
                size = 0
                with os.fdopen(fd, "wb") as handle:
                    while block := response.read(1 << 16):
                        size += len(block)
                        if size > max_bytes:
                            raise SourceError(url, f"download larger than {max_bytes} bytes: refused")
                        digest.update(block)
                        handle.write(block)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            new_state = {
                k: v
                for k, v in (
                    ("etag", response.headers.get("ETag")),
                    ("last_modified", response.headers.get("Last-Modified")),
                )
                if v
            }
            return FetchOutcome(source_id, url, target, True, digest.hexdigest()), new_state
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and target.exists():
            return FetchOutcome(source_id, url, target, False, sha256_file(target)), state
        error = TransientFetchError if exc.code >= 500 or exc.code == 429 else SourceError
        raise error(url, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise TransientFetchError(url, f"cannot fetch: {exc.reason}") from None
    except TimeoutError:
        raise TransientFetchError(url, f"no answer within {timeout_s} s") from None


def remote_entries(sources_dir: Path) -> list[tuple[str, str, Path]]:
    """(id, url, local path) of every manifest entry that has a URL."""
    manifest = sources_dir / MANIFEST_NAME
    return [
        (e.id, e.url, resolve_inside(sources_dir, e.file, manifest))
        for e in read_manifest(sources_dir)
        if e.url
    ]


def fetch_remote_sources(sources_dir: Path, **kwargs: float | int) -> list[FetchOutcome]:
    """Bring every remote source up to date; returns what happened to each."""
    state = _load_state(sources_dir)
    outcomes: list[FetchOutcome] = []
    for source_id, url, target in remote_entries(sources_dir):
        outcome, new_state = fetch_one(source_id, url, target, state.get(source_id, {}), **kwargs)
        state[source_id] = new_state
        outcomes.append(outcome)
    if outcomes:
        _save_state(sources_dir, state)
    return outcomes
