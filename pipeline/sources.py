"""The sources of a run: the manifest (`sources.yaml`), hashing, and PDFs found beside it.

A PDF dropped into the sources folder is processed even when the manifest does not list it; the
manifest adds what a file cannot say about itself (title, publisher, date, origin, expected hash,
layout override, remote URL).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.errors import ManifestError, SourceError
from pipeline.model import Source

MANIFEST_NAME = "sources.yaml"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_KNOWN_KEYS = {"id", "file", "title", "publisher", "date", "origin", "sha256", "layout", "url"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ManifestEntry:
    id: str
    file: str
    title: str | None = None
    publisher: str | None = None
    date: str | None = None
    origin: str | None = None
    sha256: str | None = None
    layout: str | None = None
    url: str | None = None


def read_manifest(sources_dir: Path) -> list[ManifestEntry]:
    """Parse `sources.yaml`; an absent manifest is an empty one."""
    path = sources_dir / MANIFEST_NAME
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ManifestError(path, f"invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ManifestError(path, "not UTF-8 text") from None
    # Reliability: hostile YAML nests deep enough to exhaust the parser's recursion, and an
    # unreadable manifest (a folder, no permission) is still the manifest's fault, named as such.
    except RecursionError:
        raise ManifestError(path, "invalid YAML: nested too deeply for a manifest") from None
    except OSError as exc:
        raise ManifestError(path, f"cannot read the manifest: {exc.strerror or exc}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise ManifestError(path, "expected a mapping with a list under 'sources:'")
    entries: list[ManifestEntry] = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("sources") or [], start=1):
        if not isinstance(raw, dict):
            raise ManifestError(path, f"source #{n} is not a mapping")
        unknown = set(raw) - _KNOWN_KEYS
        if unknown:
            raise ManifestError(path, f"source #{n} has unknown keys: {', '.join(sorted(unknown))}")
        sid, file = raw.get("id"), raw.get("file")
        if not isinstance(sid, str) or not _ID_PATTERN.match(sid):
            raise ManifestError(path, f"source #{n} needs an 'id' of letters, digits, '_', '-', '.'")
        if sid in seen:
            raise ManifestError(path, f"source id {sid!r} is listed twice")
        seen.add(sid)
        if not isinstance(file, str) or not file:
            raise ManifestError(path, f"source {sid!r} needs a 'file'")
        for key in sorted(_KNOWN_KEYS - {"id", "file"}):
            # Reliability: a list or mapping here (YAML aliases can make it huge) is refused,
            # never turned into a string.
            if isinstance(raw.get(key), (list, dict, set)):
                raise ManifestError(path, f"source {sid!r}: {key!r} must be a single value, not a list or mapping")
        values = {k: (None if raw.get(k) is None else str(raw[k])) for k in _KNOWN_KEYS - {"id", "file"}}
        entries.append(ManifestEntry(id=sid, file=file, **values))
    return entries


def resolve_inside(sources_dir: Path, relative: str, manifest: Path) -> Path:
    """The file a manifest names, refused when it lies outside the sources folder."""
    root = sources_dir.resolve()
    shown = relative if len(relative) <= 120 else relative[:117] + "..."
    if "\0" in relative:  # Reliability: os calls raise ValueError on a NUL byte
        raise ManifestError(manifest, f"refused path {shown!r}: it contains a NUL character")
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise ManifestError(manifest, f"refused path {shown!r}: sources must lie inside {root}")
    try:
        resolved = (root / candidate).resolve()
    except (OSError, RuntimeError) as exc:  # Reliability: name too long, symlink loop
        raise ManifestError(manifest, f"refused path {shown!r}: {getattr(exc, 'strerror', None) or exc}") from None
    if root != resolved and root not in resolved.parents:
        raise ManifestError(manifest, f"refused path {shown!r}: it resolves outside {root}")
    return resolved


def source_id_for(path: Path) -> str:
    """Id of a PDF that no manifest lists: its file name without suffix, made safe."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-.") or "source"
    return stem[:100]


def discover_sources(sources_dir: Path, *, check_hashes: bool = True) -> list[Source]:
    """Every source of the folder: manifest entries first, then unlisted PDFs, sorted by id."""
    if not sources_dir.is_dir():
        raise SourceError(sources_dir, "sources folder does not exist")
    manifest = sources_dir / MANIFEST_NAME
    sources: dict[str, Source] = {}
    listed: set[Path] = set()
    for entry in read_manifest(sources_dir):
        path = resolve_inside(sources_dir, entry.file, manifest)
        if not _is_file(path, manifest, entry.file):
            if entry.url:  # a remote source not fetched yet: the fetch step fills it in
                sources[entry.id] = _source(entry, path, sha256="")
                listed.add(path)
                continue
            raise ManifestError(manifest, f"source {entry.id!r}: file {entry.file!r} does not exist")
        digest = _sha256_or_error(path)
        if check_hashes and entry.sha256 and not entry.url and entry.sha256.lower() != digest:
            raise ManifestError(
                manifest,
                f"source {entry.id!r}: {entry.file} has sha256 {digest}, the manifest expects "
                f"{entry.sha256} (the file changed: update the manifest if that is intended)",
            )
        sources[entry.id] = _source(entry, path, digest)
        listed.add(path)
    for pdf in sorted(sources_dir.glob("*.pdf")) + sorted(sources_dir.glob("*.PDF")):
        resolved = pdf.resolve()
        if resolved in listed:
            continue
        # Reliability: an unlisted symlink that points outside the folder is refused like a
        # manifest path that does (no reading files the sources folder does not hold).
        root = sources_dir.resolve()
        if root not in resolved.parents:
            raise SourceError(pdf, f"refused: it is a link to {resolved}, outside the sources folder {root}")
        sid = source_id_for(pdf)
        if sid in sources:
            raise ManifestError(manifest, f"unlisted file {pdf.name} would get id {sid!r}, already in use")
        sources[sid] = Source(id=sid, path=resolved, sha256=_sha256_or_error(resolved))
        listed.add(resolved)
    return [sources[k] for k in sorted(sources)]


def _is_file(path: Path, manifest: Path, shown: str) -> bool:
    try:
        return path.is_file()
    except OSError as exc:  # Reliability: e.g. ENAMETOOLONG is not swallowed by is_file()
        raise ManifestError(manifest, f"file {shown[:120]!r} cannot be used: {exc.strerror or exc}") from None


def _sha256_or_error(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:  # Reliability: unreadable (permissions, a folder named *.pdf)
        raise SourceError(path, f"cannot read the file: {exc.strerror or exc}") from None


def _source(entry: ManifestEntry, path: Path, sha256: str) -> Source:
    return Source(
        id=entry.id,
        path=path,
        sha256=sha256,
        title=entry.title,
        publisher=entry.publisher,
        date=entry.date,
        origin=entry.origin,
        layout=entry.layout,
        url=entry.url,
    )
