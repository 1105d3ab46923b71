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
from rdflib.namespace import DCTERMS

CPSV = Namespace("http://purl.org/vocab/cpsv#")


@dataclass(frozen=True)
class ServiceChange:
    service: str  # IRI
    title: str
    added: tuple[str, ...] = ()  # facts as "subject-relative predicate object" lines
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changes:
    previous_release: str | None
    release: str
    added: tuple[ServiceChange, ...] = ()
    removed: tuple[ServiceChange, ...] = ()
    changed: tuple[ServiceChange, ...] = ()
    other_added: int = 0  # triples outside any service (concepts, organisations, sources)
    other_removed: int = 0
    notes: tuple[str, ...] = field(default=())

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


def _fmt(node) -> str:
    if isinstance(node, Literal):
        return node.n3()
    return f"<{node}>"


def _facts(g: Graph, service: URIRef, owned: set[URIRef]) -> set[str]:
    facts = set()
    for s in owned:
        where = "" if s == service else f"<{s}> "
        for p, o in g.predicate_objects(s):
            facts.add(f"{where}<{p}> {_fmt(o)}")
    return facts


def _title(g: Graph, service: URIRef) -> str:
    titles = sorted(g.objects(service, DCTERMS.title), key=lambda t: (getattr(t, "language", "") != "fi", str(t)))
    return str(titles[0]) if titles else str(service).rsplit("/", 1)[-1]


def diff_graphs(old: Graph | None, new: Graph, *, sg_namespace: str, previous_release: str | None, release: str) -> Changes:
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
            added.append(ServiceChange(str(svc), _title(new, svc)))
            continue
        if svc not in new_s:
            removed.append(ServiceChange(str(svc), _title(old, svc)))
            continue
        o_facts = _facts(old, svc, o_owned)
        n_facts = _facts(new, svc, n_owned)
        if o_facts != n_facts:
            changed.append(
                ServiceChange(
                    str(svc),
                    _title(new, svc),
                    added=tuple(sorted(n_facts - o_facts)),
                    removed=tuple(sorted(o_facts - n_facts)),
                )
            )

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
    return (json.dumps(asdict(changes), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def changes_markdown(changes: Changes) -> str:
    """This release's section of CHANGELOG.md."""
    since = f"since {changes.previous_release}" if changes.previous_release else "first release"
    lines = [f"## {changes.release} ({since})", ""]
    lines.append(
        f"{len(changes.added)} services added, {len(changes.removed)} removed, {len(changes.changed)} changed; "
        f"other triples (concepts, organisations, sources): +{changes.other_added} / -{changes.other_removed}."
    )
    lines.append("")
    for heading, items in (("Added", changes.added), ("Removed", changes.removed)):
        if items:
            lines += [f"### {heading}", ""]
            lines += [f"- {c.title} <{c.service}>" for c in items]
            lines.append("")
    if changes.changed:
        lines += ["### Changed", ""]
        for c in changes.changed:
            lines.append(f"- {c.title} <{c.service}>")
            lines += [f"  - added: `{f}`" for f in c.added]
            lines += [f"  - removed: `{f}`" for f in c.removed]
        lines.append("")
    return "\n".join(lines)


def changelog_document(changes: Changes, previous_changelog: str | None) -> bytes:
    """CHANGELOG.md: the newest section on top of every earlier one."""
    head = "# Changelog\n\nServices added, removed and changed in each release, newest first.\n\n"
    older = ""
    if previous_changelog:
        older = previous_changelog.split("\n## ", 1)[1] if "\n## " in previous_changelog else ""
        older = "## " + older if older else ""
    return (head + changes_markdown(changes) + ("\n" + older if older else "")).rstrip("\n").encode("utf-8") + b"\n"
