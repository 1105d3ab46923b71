"""Guards: what a run refuses before it can do harm to a published release.

Each guard raises with a sentence a person can act on; none of them writes anything.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.config import Settings
from pipeline.errors import GuardRefused, SettingsError, WarningsAsErrors
from pipeline.model import Source

SHACL_ENGINES = ("pyshacl", "turbo")


def check_iri_base(name: str, value: str) -> None:
    """An IRI base must be absolute http(s) and end in "/" or "#": IRIs are base + path."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in ' <>"{}|\\^`'):
        raise SettingsError(f"{name} {value!r} is not an absolute http(s) IRI")
    if not value.endswith(("/", "#")):
        raise SettingsError(f"{name} {value!r} must end in '/' or '#' (IRIs are made by appending to it)")


def check_settings(settings: Settings) -> Settings:
    """Every setting in its range; returns the settings unchanged."""
    check_iri_base("base IRI", settings.base_iri)
    check_iri_base("definitions IRI", settings.def_iri)
    if settings.workers < 0:
        raise SettingsError(f"workers {settings.workers} is negative (0 means one per core)")
    if settings.max_pages < 1:
        raise SettingsError(f"max pages {settings.max_pages} must be at least 1")
    if settings.max_bytes < 1:
        raise SettingsError(f"max bytes {settings.max_bytes} must be at least 1")
    if not settings.page_timeout_s > 0:
        raise SettingsError(f"page timeout {settings.page_timeout_s} s must be more than 0")
    if not 0 <= settings.max_shrink <= 1:
        raise SettingsError(f"max shrink {settings.max_shrink} must be a share between 0 and 1")
    if settings.download_base:
        check_iri_base("download base", settings.download_base.replace("{release}", "r").rstrip("/") + "/")
    if settings.sparql_endpoint:
        check_iri_base("SPARQL endpoint", settings.sparql_endpoint.rstrip("/") + "/")
    if settings.shacl_engine not in SHACL_ENGINES:
        raise SettingsError(f"SHACL engine {settings.shacl_engine!r} is not one of {', '.join(SHACL_ENGINES)}")
    return settings


def check_sources_present(settings: Settings, sources: list[Source]) -> None:
    """An empty sources folder is an unmounted share or a wrong path, never an empty catalogue."""
    if not sources:
        raise GuardRefused(
            f"{settings.sources}: no source documents (no PDFs and no sources.yaml entries): "
            "refusing to publish an empty release; check the path or the mount"
        )


def check_warnings(warnings: tuple[str, ...], strict: bool) -> None:
    """With `strict` (--strict-warnings) any warning refuses the release."""
    if strict and warnings:
        raise WarningsAsErrors(warnings)


def check_shrink(previous_services: int | None, services: int, max_shrink: float, allow: bool) -> None:
    """Refuse a release that drops more than `max_shrink` of the previous release's services."""
    if allow or not previous_services:
        return
    dropped = previous_services - services
    if dropped > 0 and dropped / previous_services > max_shrink:
        raise GuardRefused(
            f"the new release would have {services} services, {dropped} fewer than the "
            f"{previous_services} of the latest release ({dropped / previous_services:.0%} > "
            f"{max_shrink:.0%}): refusing to publish; run with --allow-shrink if this is intended"
        )
