"""Settings for one run: paths, the base IRIs and limits, with named defaults.

Every field can be set from the environment as SERVICEGRAPH_<FIELD> (upper case), e.g.
SERVICEGRAPH_BASE_IRI=https://data.example.fi/id/ . The CLI's options override both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

# Default namespaces. The example.org host is deliberate: a publisher sets its own base
# (docs/iris.md says how); the definitions (ontology, concept schemes) live under DEF_IRI
# and are shared by every employment area.
DEFAULT_BASE_IRI = "https://servicegraph.example.org/id/"
DEFAULT_DEF_IRI = "https://servicegraph.example.org/def/"


@dataclass(frozen=True)
class Settings:
    sources: Path = PROJECT_ROOT / "raw"
    output: Path = PROJECT_ROOT / "output"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    queries_dir: Path = PROJECT_ROOT / "queries"
    base_iri: str = DEFAULT_BASE_IRI
    def_iri: str = DEFAULT_DEF_IRI
    max_pages: int = 50  # a source with more pages is refused (the real ones have 3 and 4)
    max_bytes: int = 50 * 1024 * 1024
    page_timeout_s: float = 10.0  # extraction time allowed per page
    workers: int = 0  # processes that extract documents and build shards; 0: one per core
    cache_dir: Path = PROJECT_ROOT / ".cache"
    max_shrink: float = 0.2  # a release dropping more than this share of the services is refused
    download_base: str = ""  # where the release's files are served ("": catalog.yaml's default)
    sparql_endpoint: str = ""  # a public SPARQL endpoint of the data, described as a dcat:DataService
    shacl_engine: str = "pyshacl"  # the reference engine; "turbo": pyshacl-turbo (docs/validation-engines.md)

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"SERVICEGRAPH_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(cls, f.name)
            try:
                if isinstance(default, Path):
                    values[f.name] = Path(raw)
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                else:
                    values[f.name] = raw
            except ValueError:
                from pipeline.errors import SettingsError

                kind = type(default).__name__
                raise SettingsError(f"SERVICEGRAPH_{f.name.upper()}={raw!r} is not a valid {kind}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
