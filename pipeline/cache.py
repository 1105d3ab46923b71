"""A persisted cache of extracted documents, keyed by source sha256 and extraction code version.

Plain files (pickle) under Settings.cache_dir, written atomically, so the cache works the same in
the bare pipeline, in a Prefect task and on a Dask worker of the same machine.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import replace
from pathlib import Path

from pipeline.fingerprint import extraction_version
from pipeline.model import ExtractedDocument, Source

# The pickled ExtractedDocument's shape. 2: `reader` and generic `records` replace `rows` and
# `items`. The code hash in the key changes with every edit anyway; this names the format change.
FORMAT_VERSION = 2


def key(source: Source) -> str:
    """What an extraction depends on: the file's bytes, the layout override, the code."""
    layout = source.layout or "auto"  # a layout override changes what extraction produces
    return f"{source.sha256}-{layout}-v{FORMAT_VERSION}-{extraction_version()}"


def _path(cache_dir: Path, source: Source) -> Path:
    return cache_dir / "extract" / f"{key(source)}.pickle"


def load(cache_dir: Path, source: Source) -> ExtractedDocument | None:
    """The cached extraction of this exact file, re-labelled with this run's manifest entry."""
    path = _path(cache_dir, source)
    try:
        with path.open("rb") as handle:
            doc = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(doc, ExtractedDocument):
        return None
    return replace(doc, source=source)


def load_exists(cache_dir: Path, source: Source) -> bool:
    """Whether this exact file has a cache entry (without reading it)."""
    return _path(cache_dir, source).is_file()


def store(cache_dir: Path, doc: ExtractedDocument) -> None:
    path = _path(cache_dir, doc.source)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(doc, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
