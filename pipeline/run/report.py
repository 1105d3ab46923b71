"""What a run did, and the exit status that says it to a scheduler."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Exit statuses of `servicegraph run` and `serve` (docs/reliability.md lists them).
EXIT_OK = 0  # published, or nothing changed
EXIT_FAILED = 1  # nothing published: bad input (strict), a refused guard, a validation failure
EXIT_USAGE = 2  # an option out of range or malformed (typer's own status for usage errors)
EXIT_QUARANTINED = 3  # published, but some sources could not be used: named in the report
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGINT: nothing published by this run


@dataclass(frozen=True)
class Quarantined:
    """A source that could not be used, and what became of its employment area."""

    source_id: str
    path: str
    reason: str  # "FILE: REASON", as the error says it
    area: str | None = None  # the area it belongs to, when known
    kept: str | None = None  # the release whose shard of that area was kept, if any
    published: bool = True  # False: its area is not in the release at all

    def line(self) -> str:
        if self.area is None:
            fate = "its area is unknown: nothing published from it"
        elif self.kept:
            fate = f"area {self.area} keeps its shard of release {self.kept}"
        elif not self.published:
            fate = f"area {self.area} not published: no usable source and no earlier shard of it"
        else:
            fate = f"area {self.area} published from its other sources"
        return f"{self.reason} (quarantined; {fate})"


@dataclass
class RunReport:
    status: str  # "published", "unchanged"
    message: str
    sources: int = 0
    parsed: int = 0  # sources whose PDF was parsed in this run
    cached: int = 0  # sources taken from the extraction cache
    shards: int = 0  # employment areas in the release
    shards_built: int = 0  # areas mapped, validated and serialised in this run (others: shard cache)
    entries: int = 0
    services: int = 0
    triples: int = 0
    violations: int = 0
    release: str | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_QUARANTINED if self.quarantined else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def result_line(self) -> str:
        return (
            f"{self.status}: {self.message} | sources {self.sources} (parsed {self.parsed}, cached "
            f"{self.cached}) | areas {self.shards} (built {self.shards_built}) | services {self.services} "
            f"| entries {self.entries} | triples {self.triples} | warnings {len(self.warnings)}"
        )

    def markdown(self) -> str:
        """The run as a Prefect markdown artifact."""
        rows = [
            ("status", self.status),
            ("release", self.release or "-"),
            ("sources", self.sources),
            ("parsed / cached", f"{self.parsed} / {self.cached}"),
            ("areas (built in this run)", f"{self.shards} ({self.shards_built})"),
            ("entries (rows and bullets)", self.entries),
            ("services", self.services),
            ("triples", self.triples),
            ("warnings", len(self.warnings)),
            ("services added / removed / changed", f"{len(self.added)} / {len(self.removed)} / {len(self.changed)}"),
        ]
        lines = ["# servicegraph run", "", self.message, "", "| | |", "| --- | --- |"]
        lines += [f"| {k} | {v} |" for k, v in rows]
        for title, names in (("Added", self.added), ("Removed", self.removed), ("Changed", self.changed)):
            if names:
                lines += ["", f"## {title}", ""] + [f"- {n}" for n in names]
        if self.quarantined:
            lines += ["", "## Quarantined sources", ""] + [f"- {q.line()}" for q in self.quarantined]
        if self.warnings:
            lines += ["", "## Warnings", ""] + [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"
