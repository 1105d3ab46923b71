"""What changed between two releases, service by service.

A service's facts are the triples of the service node and of the nodes it owns: its entries
(sg:hasEntry / sg:entryOf) and anything whose IRI extends an owned IRI ("…/location/1",
"…/participation/2"). Comparing those per service IRI says which services were added or
removed, and for a changed one exactly which facts appeared or disappeared.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")


@dataclass(frozen=True)
class FieldChange:
    """One fact of one entry (or of the service itself) that changed, in words."""

    entry: str  # the entry's label ("Henkilöasiakas · 002_liitetaulukko"), "" for the service
    field: str  # "TEM service area", "service type", ...
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()

    def line(self) -> str:
        where = f"{self.entry}: " if self.entry else ""
        old = ", ".join(self.old) or "(none)"
        new = ", ".join(self.new) or "(none)"
        return f"{where}{self.field}: {old} → {new}"


@dataclass(frozen=True)
class ServiceChange:
    service: str  # IRI
    title: str
    changes: tuple[FieldChange, ...] = ()  # facts that changed, entry by entry
    entries_added: tuple[str, ...] = ()  # labels of the rows/bullets that now name the service
    entries_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changes:
    previous_release: str | None
    release: str
    added: tuple[ServiceChange, ...] = ()
    removed: tuple[ServiceChange, ...] = ()
    changed: tuple[ServiceChange, ...] = ()
    other_added: int = 0  # triples outside any service (concepts, organisations, sources)
    other_removed: int = 0
    areas_added: tuple[str, ...] = ()  # whole employment areas new in this release (their services in `added`)
    areas_removed: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # What the data of this release was published without (unknown audiences, producer roles,
    # area names...): every shard's normalisation warnings, sorted.
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.other_added or self.other_removed)


def _services(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, CPSV.PublicService) if isinstance(s, URIRef)}


def _owned_nodes(g: Graph, services: set[URIRef], has_entry: URIRef, entry_of: URIRef) -> dict[URIRef, set[URIRef]]:
    """service -> the nodes it owns: itself, its entries, and every IRI under an entry's IRI path.

    One pass over the subjects: an IRI's path prefixes are found by cutting it at each "/" and
    looking the cut up in a dict (a scan of all subjects per service was quadratic).
    """
    roots: dict[URIRef, set[URIRef]] = {svc: {svc} for svc in services}
    for svc in services:
        roots[svc] |= {o for o in g.objects(svc, has_entry) if isinstance(o, URIRef)}
        roots[svc] |= {s for s in g.subjects(entry_of, svc) if isinstance(s, URIRef)}
    owned = {svc: set(r) for svc, r in roots.items()}
    by_prefix: dict[str, list[URIRef]] = defaultdict(list)
    for svc, rs in roots.items():
        for r in rs:
            if r != svc:
                by_prefix[str(r)].append(svc)
    for s in set(g.subjects()):
        if not isinstance(s, URIRef):
            continue
        text = str(s)
        cut = text.find("/")
        while cut != -1:
            for svc in by_prefix.get(text[:cut], ()):
                owned[svc].add(s)
            cut = text.find("/", cut + 1)
    return owned


SG_FIELDS = (  # entry predicates (local names under sg:, or full IRIs) shown in the changelog, in order
    ("printedName", "printed name"),
    (str(DCTERMS.type), "service type"),
    ("temServiceArea", "TEM service area"),
    ("temAreaUncertain", "TEM area uncertain"),
    (str(DCTERMS.audience), "audience"),
    ("sharedWithOtherArea", "shared with another area"),
    ("immigrantRelevance", "immigrants (Kotoutuja)"),
    ("multiprofessionalRelevance", "multi-professional (Monialainen)"),
    ("deliveryLevel", "delivery level"),
    ("customerProcess", "customer process"),
    ("group", "group"),
    ("outlinePath", "outline path"),
    ("page", "page"),
)
SERVICE_FIELDS = (  # service predicates, named as SG_FIELDS are
    (str(DCTERMS.title), "title"),
    (str(CV.isClassifiedBy), "TEM service area"),
    ("audienceDependentFacet", "differs by audience in"),
)


def _label(node, labels: Graph | None) -> str:
    if isinstance(node, Literal):
        return str(node)
    if labels is not None:
        names = sorted(labels.objects(node, SKOS.prefLabel), key=lambda t: (getattr(t, "language", "") != "fi", str(t)))
        if names:
            concept = str(node).rstrip("/").rsplit("/", 1)[-1]
            return f"{concept} {names[0]}" if concept.isdigit() else str(names[0])
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]  # a property: sg:temServiceArea -> temServiceArea


def _entry_label(g: Graph, entry: URIRef, sg: Namespace, labels: Graph | None) -> str:
    source = g.value(entry, PROV.wasDerivedFrom)
    source_id = str(g.value(source, DCTERMS.identifier) or source).rsplit("/", 1)[-1] if source is not None else "?"
    audience = g.value(entry, DCTERMS.audience)
    printed = g.value(entry, sg.printedName)
    parts = [_label(audience, labels)] if audience is not None else []
    parts.append(source_id)
    if printed is not None:
        parts.append(f"“{printed}”")
    return " · ".join(parts)


def _entry_facts(g: Graph, entry: URIRef, sg: Namespace, labels: Graph | None) -> dict[str, tuple[str, ...]]:
    facts: dict[str, tuple[str, ...]] = {}
    for key, name in SG_FIELDS:
        pred = URIRef(key) if "://" in key else sg[key]
        values = tuple(sorted(_label(o, labels) for o in g.objects(entry, pred)))
        if values:
            facts[name] = values
    producers = []
    for participation in g.objects(entry, CV.hasParticipation):
        label = g.value(participation, DCTERMS.description)
        possible = " (possible)" if g.value(participation, sg.possible) is not None else ""
        producers.append(f"{label}{possible}")
    if producers:
        facts["producers"] = tuple(sorted(producers))
    return facts


def _service_record(g: Graph, svc: URIRef, sg: Namespace, labels: Graph | None) -> tuple[dict, dict[str, tuple[str, dict]]]:
    """(service-level facts, entry IRI -> (label, facts))."""
    own = {}
    for key, name in SERVICE_FIELDS:
        pred = URIRef(key) if "://" in key else sg[key]
        values = tuple(sorted(_label(o, labels) for o in g.objects(svc, pred)))
        if values:
            own[name] = values
    entries = {str(e): (_entry_label(g, e, sg, labels), _entry_facts(g, e, sg, labels))
               for e in g.objects(svc, sg.hasEntry) if isinstance(e, URIRef)}
    return own, entries


def _field_changes(entry: str, old: dict, new: dict) -> list[FieldChange]:
    names = [n for _, n in SG_FIELDS] + ["producers"] + [n for _, n in SERVICE_FIELDS]
    return [FieldChange(entry, name, old.get(name, ()), new.get(name, ()))
            for name in dict.fromkeys(names) if old.get(name, ()) != new.get(name, ())]


def describe_change(old: Graph, new: Graph, svc: URIRef, sg: Namespace, labels: Graph | None) -> ServiceChange:
    """What changed in one service, in words: field: old → new, per entry (audience, source)."""
    old_own, old_entries = _service_record(old, svc, sg, labels)
    new_own, new_entries = _service_record(new, svc, sg, labels)
    changes = _field_changes("", old_own, new_own)
    for entry in sorted(set(old_entries) & set(new_entries)):
        changes += _field_changes(new_entries[entry][0], old_entries[entry][1], new_entries[entry][1])
    return ServiceChange(
        str(svc), _title(new, svc), tuple(changes),
        entries_added=tuple(sorted(new_entries[e][0] for e in set(new_entries) - set(old_entries))),
        entries_removed=tuple(sorted(old_entries[e][0] for e in set(old_entries) - set(new_entries))),
    )


def _whole(g: Graph, svc: URIRef, sg: Namespace, labels: Graph | None, added: bool) -> ServiceChange:
    _, entries = _service_record(g, svc, sg, labels)
    names = tuple(sorted(label for label, _ in entries.values()))
    return ServiceChange(str(svc), _title(g, svc), entries_added=names if added else (),
                         entries_removed=() if added else names)


def _fmt(node) -> str:
    if isinstance(node, Literal):
        return node.n3()
    return f"<{node}>"


def _facts(g: Graph, service: URIRef, owned: set[URIRef]) -> set[str]:
    """Every triple a service owns, as text: only to tell whether it changed at all."""
    facts = set()
    for s in owned:
        where = "" if s == service else f"<{s}> "
        for p, o in g.predicate_objects(s):
            facts.add(f"{where}<{p}> {_fmt(o)}")
    return facts


def _title(g: Graph, service: URIRef) -> str:
    titles = sorted(g.objects(service, DCTERMS.title), key=lambda t: (getattr(t, "language", "") != "fi", str(t)))
    return str(titles[0]) if titles else str(service).rsplit("/", 1)[-1]


def diff_graphs(old: Graph | None, new: Graph, *, sg_namespace: str, previous_release: str | None, release: str,
                labels: Graph | None = None) -> Changes:
    """Services added, removed and changed between two graphs. `labels` (the concept schemes)
    turn concept IRIs into their names."""
    sg = Namespace(sg_namespace)
    has_entry, entry_of = sg.hasEntry, sg.entryOf
    old = old if old is not None else Graph()
    old_s, new_s = _services(old), _services(new)
    old_owned = _owned_nodes(old, old_s, has_entry, entry_of)
    new_owned = _owned_nodes(new, new_s, has_entry, entry_of)
    added, removed, changed = [], [], []
    covered_old: set = set()
    covered_new: set = set()

    for svc in sorted(new_s | old_s):
        o_owned = old_owned.get(svc, set())
        n_owned = new_owned.get(svc, set())
        covered_old |= o_owned
        covered_new |= n_owned
        if svc not in old_s:
            added.append(_whole(new, svc, sg, labels, added=True))
            continue
        if svc not in new_s:
            removed.append(_whole(old, svc, sg, labels, added=False))
            continue
        if _facts(old, svc, o_owned) != _facts(new, svc, n_owned):
            change = describe_change(old, new, svc, sg, labels)
            if not (change.changes or change.entries_added or change.entries_removed):
                # Only facts the changelog does not name (print boxes, cell texts) moved.
                change = ServiceChange(change.service, change.title, (FieldChange("", "provenance (print positions, cell text)"),))
            changed.append(change)

    other_old = {t for t in old if t[0] not in covered_old}
    other_new = {t for t in new if t[0] not in covered_new}
    return Changes(
        previous_release=previous_release,
        release=release,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        other_added=len(other_new - other_old),
        other_removed=len(other_old - other_new),
    )


def changes_json(changes: Changes) -> bytes:
    data = asdict(changes)
    if not data["warnings"]:
        del data["warnings"]  # a release without warnings keeps the bytes it had before they existed
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def changes_markdown(changes: Changes) -> str:
    """This release's section of CHANGELOG.md."""
    since = f"since {changes.previous_release}" if changes.previous_release else "first release"
    lines = [f"## {changes.release} ({since})", ""]
    lines.append(
        f"{len(changes.added)} services added, {len(changes.removed)} removed, {len(changes.changed)} changed; "
        f"other triples (concepts, organisations, sources): +{changes.other_added} / -{changes.other_removed}."
    )
    lines.append("")
    for heading, areas in (("Areas added", changes.areas_added), ("Areas removed", changes.areas_removed)):
        if areas:
            lines += [f"{heading}: " + ", ".join(areas) + " (every service of the area is listed below).", ""]
    for heading, items in (("Added", changes.added), ("Removed", changes.removed)):
        if items:
            lines += [f"### {heading}", ""]
            for c in items:
                entries = c.entries_added or c.entries_removed
                lines.append(f"- {c.title} <{c.service}>" + (f" ({len(entries)} entries)" if entries else ""))
            lines.append("")
    if changes.changed:
        lines += ["### Changed", ""]
        for c in changes.changed:
            lines.append(f"- **{c.title}** <{c.service}>")
            lines += [f"  - {f.line()}" for f in c.changes]
            lines += [f"  - entry added: {e}" for e in c.entries_added]
            lines += [f"  - entry removed: {e}" for e in c.entries_removed]
        lines.append("")
    if changes.warnings:
        lines += ["### Warnings", ""] + [f"- {' '.join(w.split())}" for w in changes.warnings] + [""]
    return "\n".join(lines)


def changelog_document(changes: Changes, previous_changelog: str | None) -> bytes:
    """CHANGELOG.md: the newest section on top of every earlier one."""
    head = "# Changelog\n\nServices added, removed and changed in each release, newest first.\n\n"
    older = ""
    if previous_changelog:
        older = previous_changelog.split("\n## ", 1)[1] if "\n## " in previous_changelog else ""
        older = "## " + older if older else ""
    return (head + changes_markdown(changes) + ("\n" + older if older else "")).rstrip("\n").encode("utf-8") + b"\n"
