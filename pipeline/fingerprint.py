"""What a run's result depends on, as hashes: the sources' bytes and the code and configuration.

A source whose sha256 and whose code/config version did not change is not parsed again, and a run
whose fingerprint equals the latest release's publishes nothing.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pipeline.config import PACKAGE_DIR, Settings
from pipeline.model import Source

# Files whose change changes what a run produces. Tests, docs and benchmarks do not.
_CODE_GLOBS = ("**/*.py", "**/*.yaml", "**/*.jsonld", "**/*.ttl", "**/*.rq", "**/*.html", "**/*.css")


def _tree_digest(roots: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        if not root.exists():
            continue
        files = sorted({p for g in _CODE_GLOBS for p in root.glob(g) if p.is_file()})
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=8)
def code_version(extra_roots: tuple[Path, ...] = ()) -> str:
    """Hash of the package (code, profiles, aliases) and of any extra configuration folders."""
    return _tree_digest((PACKAGE_DIR, *extra_roots))[:16]


def extraction_version() -> str:
    """The version an extraction cache entry is valid for: the package's code and data."""
    return code_version()


def source_fields(source: Source) -> bytes:
    """A source's bytes (sha256) and every manifest field, as one line to hash."""
    fields = (source.id, source.sha256, source.title, source.publisher, source.date,
              source.origin, source.layout, source.url)
    return "\0".join("" if f is None else str(f) for f in fields).encode() + b"\n"


def run_fingerprint(sources: list[Source], settings: Settings) -> str:
    """Everything the published bytes depend on: sources, code, ontology, shapes, IRIs."""
    digest = hashlib.sha256()
    digest.update(code_version((settings.ontology_dir, settings.shapes_dir)).encode())
    digest.update(f"{settings.base_iri}\0{settings.def_iri}\0".encode())
    for source in sorted(sources, key=lambda s: s.id):
        digest.update(source_fields(source))
    return digest.hexdigest()
