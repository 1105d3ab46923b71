"""Cell texts -> typed values: marks, service types, TEM areas, producers, and the headings
that say audience, delivery level and customer process.

Every printed form comes from vocab.yaml / producers.yaml; a form they do not list raises
`NormalisationError` naming the file, the page and the text (closed vocabularies), or gives a
located warning (free-text producers). Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from pipeline.errors import NormalisationError
from pipeline.model import Audience, DeliveryLevel, Mark, Producer, ServiceType, TemArea, TemAreaKind
from pipeline.normalise.text import DATA_DIR, clean_label, collapse_whitespace, join_lines, match_key


@dataclass(frozen=True)
class Where:
    """Where a value was printed, for error messages: file, page and what it is."""

    path: str
    page: int | None = None
    what: str = "cell"

    def error(self, reason: str) -> NormalisationError:
        page = f"page {self.page}, " if self.page is not None else ""
        return NormalisationError(self.path, f"{page}{self.what}: {reason}")

    def warning(self, reason: str) -> str:
        return str(self.error(reason))


UNKNOWN_PLACE = Where("<unknown>")


@lru_cache(maxsize=4)
def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}


def vocab() -> dict[str, Any]:
    return _load("vocab.yaml")


def _keyed(table: dict[Any, str]) -> dict[str, str]:
    return {match_key(str(printed)): concept for printed, concept in table.items()}


# --------------------------------------------------------------------------- marks, types


def parse_mark(text: str, where: Where = UNKNOWN_PLACE) -> Mark:
    """"x" "(x)" "?" "x?" -> Mark; anything else is an error."""
    key = re.sub(r"\s+", "", text).casefold()
    concept = _keyed(vocab()["marks"]).get(key)
    if concept is None:
        raise where.error(f"not a mark (x, (x), ?, x?): {text!r}")
    return Mark(concept)


def parse_service_type(text: str, where: Where = UNKNOWN_PLACE) -> ServiceType:
    """The "Tyyppi" cell -> ServiceType (spelling aliases apply: "Muu lisäpavelu")."""
    concept = _keyed(vocab()["service_types"]).get(match_key(clean_label(text)))
    if concept is None:
        raise where.error(f"unknown service type: {text!r}")
    return ServiceType(concept)


# --------------------------------------------------------------------------- TEM areas

_NUMBERED = re.compile(r"^(\d+)\s*\.?\s+(.*)$")


def parse_tem_area(text: str, where: Where = UNKNOWN_PLACE) -> TemArea:
    """"1 Työn löytyminen", "1 Työn löytyminen ?", "?", "Muu (ei viitearkkitehtuurissa)"."""
    table = vocab()["tem_areas"]
    label = clean_label(text)
    key = match_key(label)
    if key in {match_key(f) for f in table["unknown"]}:
        return TemArea(TemAreaKind.UNKNOWN)
    if key in {match_key(f) for f in table["not_in_architecture"]}:
        return TemArea(TemAreaKind.NOT_IN_ARCHITECTURE)
    suffix = table["uncertain_suffix"]
    uncertain = label.endswith(suffix)
    if uncertain:
        label = label[: -len(suffix)].strip()
    found = _NUMBERED.match(label)
    if found is None:
        raise where.error(f"not a TEM service area (number and name, '?' or 'Muu ...'): {text!r}")
    code = int(found.group(1))
    names = {int(k): v for k, v in table["numbered"].items()}
    if code not in names:
        raise where.error(f"no TEM service area number {code}: {text!r}")
    if match_key(found.group(2)) != match_key(names[code]):
        raise where.error(
            f"TEM area number {code} is {names[code]!r}, but the cell names {found.group(2)!r}: {text!r}"
        )
    return TemArea(TemAreaKind.AREA, code=code, uncertain=uncertain)


def tem_area_label(code: int) -> str:
    return str(vocab()["tem_areas"]["numbered"][code])


# --------------------------------------------------------------------------- producers


def _mask_parentheses(text: str) -> str:
    """Same length, but every character inside (...) replaced: separators there don't count."""
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        out.append("\0" if depth and ch not in "()" else ch)
        if ch == ")" and depth:
            depth -= 1
    return "".join(out)


def split_producers(text: str) -> list[str]:
    """Split a producers cell on the separators of producers.yaml, never inside parentheses."""
    table = _load("producers.yaml")
    joined = join_lines(text)
    separator = re.compile("|".join(f"(?:{s})" for s in table["separators"]))
    masked = _mask_parentheses(joined)
    parts, start = [], 0
    for found in separator.finditer(masked):
        parts.append(joined[start : found.start()])
        start = found.end()
    parts.append(joined[start:])
    return [p.strip() for p in parts if p.strip()]


def _strip_affixes(part: str, table: dict[str, Any]) -> str:
    for prefix in table["strip_prefixes"]:
        if part.casefold().startswith(prefix.casefold()):
            part = part[len(prefix) :].strip()
    for suffix in table["strip_suffixes"]:
        if part.casefold().endswith(suffix.casefold()):
            part = part[: -len(suffix)].strip()
    return part


def parse_producers(
    text: str, where: Where = UNKNOWN_PLACE
) -> tuple[tuple[Producer, ...], tuple[str, ...]]:
    """Producers cell -> (producers in printed order, warnings for parts with no known role)."""
    table = _load("producers.yaml")
    roles = [(re.compile(r["pattern"], re.IGNORECASE), str(r["role"])) for r in table["roles"]]
    possible_res = [re.compile(p, re.IGNORECASE) for p in table["possible_markers"]]
    producers: list[Producer] = []
    warnings: list[str] = []
    for raw_part in split_producers(text):
        part = _strip_affixes(raw_part, table)
        if not part:
            continue
        role = next((r for pattern, r in roles if pattern.search(part)), None)
        if role is None:
            warnings.append(where.warning(f"no producer role for {raw_part!r} (in {collapse_whitespace(text)!r})"))
            continue
        possible = any(p.search(part) for p in possible_res)
        producer = Producer(role=role, label=part, possible=possible)
        if producer not in producers:
            producers.append(producer)
    return tuple(producers), tuple(warnings)


# --------------------------------------------------------------------------- headings


def audience_of(labels: Iterable[str]) -> Audience | None:
    """The audience named by the innermost listed label (labels outermost first)."""
    table = _keyed(vocab()["audiences"])
    for label in reversed(list(labels)):
        concept = table.get(match_key(clean_label(label)))
        if concept is not None:
            return Audience(concept)
    return None


def delivery_level_of(labels: Iterable[str]) -> DeliveryLevel | None:
    """The delivery level named by the most specific listed label (labels least specific first)."""
    table = _keyed(vocab()["delivery_levels"])
    for label in reversed(list(labels)):
        concept = table.get(match_key(clean_label(label)))
        if concept is not None:
            return DeliveryLevel(concept)
    return None


def customer_process_of(labels: Iterable[str]) -> str | None:
    table = _keyed(vocab()["customer_processes"])
    for label in reversed(list(labels)):
        concept = table.get(match_key(clean_label(label)))
        if concept is not None:
            return concept
    return None


def container_label(text: str) -> str:
    """An item that only groups sub-items -> its label without "…, koostuu seuraavista:"."""
    label = clean_label(text)
    for suffix in vocab()["container_suffixes"]:
        if label.casefold().endswith(suffix.casefold()):
            label = label[: -len(suffix)].strip()
    return label


def known_concepts() -> dict[str, set[str]]:
    """Every concept id the vocabularies can produce, for the tests and the mapper."""
    v = vocab()
    return {
        "mark": set(v["marks"].values()),
        "service-type": set(v["service_types"].values()),
        "audience": set(v["audiences"].values()),
        "delivery-level": set(v["delivery_levels"].values()),
        "customer-process": set(v["customer_processes"].values()),
        "producer-role": {str(r["role"]) for r in _load("producers.yaml")["roles"]},
    }


def data_path(name: str) -> Path:
    return DATA_DIR / name
