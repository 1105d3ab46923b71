"""The shard cache: one employment area's published files, keyed by everything they depend on.

    .cache/shards/{key}/shard.ttl      the area's sorted Turtle (data only, no definitions)
    .cache/shards/{key}/shard.jsonld   the same triples as compacted JSON-LD
    .cache/shards/{key}/shard.json     ShardResult: digests, counts, services (for the changelog)
    .cache/shards/{key}/site/, site.json   the area's pages and crops, and their summary (docs/site.md)

The key hashes the area's sources (id, sha256 and every manifest field), the code, the ontology
and the shapes, and both IRI bases: an area whose key is unchanged is not recomputed. Entries are
written into a temporary folder and renamed, so a reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.config import Settings
from pipeline.fingerprint import code_version, source_fields
from pipeline.model import ShardResult, Source

TTL = "shard.ttl"
JSONLD = "shard.jsonld"
RESULT = "shard.json"
SITE_SUMMARY = "site.json"  # pipeline.publish.site.assemble.SUMMARY: an entry without it is incomplete


def shard_key(area_id: str, sources: list[Source], settings: Settings) -> str:
    digest = hashlib.sha256()
    digest.update(code_version((settings.ontology_dir, settings.shapes_dir)).encode())
    digest.update(f"{settings.base_iri}\0{settings.def_iri}\0{area_id}\n".encode())
    for source in sorted(sources, key=lambda s: s.id):
        digest.update(source_fields(source))
    return digest.hexdigest()[:24]


def entry_dir(settings: Settings, key: str) -> Path:
    return settings.cache_dir / "shards" / key


def load(settings: Settings, key: str) -> ShardResult | None:
    """The cached shard, or None when it is absent or incomplete."""
    folder = entry_dir(settings, key)
    try:
        result = ShardResult.from_json(json.loads((folder / RESULT).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if not ((folder / TTL).is_file() and (folder / JSONLD).is_file() and (folder / SITE_SUMMARY).is_file()):
        return None
    return result


@contextmanager
def staging(settings: Settings) -> Iterator[Path]:
    """A temporary folder beside the entries (same file system), removed afterwards, for files
    that `store` moves into an entry."""
    parent = settings.cache_dir / "shards"
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extra-", dir=parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def store(settings: Settings, result: ShardResult, ttl: bytes, jsonld: bytes, extra: Path | None = None) -> Path:
    """Write the entry atomically; the contents of `extra` (the area's pages) are moved into it."""
    folder = entry_dir(settings, result.key)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        for child in sorted(extra.iterdir()) if extra is not None else ():
            os.rename(child, tmp / child.name)
        (tmp / TTL).write_bytes(ttl)
        (tmp / JSONLD).write_bytes(jsonld)
        (tmp / RESULT).write_text(json.dumps(result.to_json(), indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        if folder.exists():  # the same key computed again: same bytes, keep the one there
            shutil.rmtree(tmp)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
