"""A folder of files named by a digest of what they were made from, kept between runs.

Best effort: a file that cannot be written only costs the time to make it again, and a file is
renamed into place whole, so a reader never sees half of one. Used for the PDF crops and the
changelog page's rendered sections (docs/site.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileCache:
    folder: Path | None  # None: no cache, every get misses
    suffix: str

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        target = self._path(key)
        tmp = target.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)
