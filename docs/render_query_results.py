"""Write the README's section of canned queries with their results on the committed output/.

    .venv/bin/python docs/render_query_results.py          # rewrite README.md in place
    .venv/bin/python docs/render_query_results.py --check  # exit 1 if README.md is out of date

A test runs `--check`, so the README shows what the committed data really answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.config import Settings
from rdflib import URIRef

from pipeline.store import _shrink, canned_query, display_prefixes, load_store, query_header, query_store, release_dir_for

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- canned-queries:start -->", "<!-- canned-queries:end -->"
MAX_ROWS = 8
# Columns that only repeat an IRI the title already names are left out of the README's tables.
HIDDEN = {"service", "entry"}


def render(settings: Settings | None = None) -> str:
    settings = settings or Settings()
    release = release_dir_for(None, settings)
    store = load_store(release)
    pfx = display_prefixes(settings)  # the same shortening as `servicegraph query`'s table
    used = ("au", "tsa", "mk", "st", "pr", "dl", "cp", "id")
    legend = ", ".join(f"`{p}:` {pfx[p]}" for p in used if p in pfx)
    parts = [START, "", f"Results on the committed release `{release.resolve().name}` (`output/latest`).",
             f"Prefixes: {legend}.", ""]
    for path in sorted((ROOT / "queries").glob("*.rq")):
        name = path.stem
        sparql = canned_query(name, settings)
        header = query_header(sparql)
        result = query_store(store, sparql)
        keep = [i for i, v in enumerate(result.variables) if v not in HIDDEN]
        rows = result.rows[:MAX_ROWS]
        parts += [f"### {header.get('title', name)}", "", header.get("answers", "").strip(), ""]
        shown = f", first {MAX_ROWS} shown" if len(result.rows) > MAX_ROWS else ""
        parts += [f"`servicegraph query --name {name}` ({len(result.rows)} rows{shown})", ""]
        parts.append("| " + " | ".join(result.variables[i] for i in keep) + " |")
        parts.append("|" + " --- |" * len(keep))
        parts += ["| " + " | ".join(_cell(row[i], pfx) for i in keep) + " |" for row in rows]
        parts.append("")
    parts.append(END)
    return "\n".join(parts)


def _cell(term: object, pfx: dict[str, str]) -> str:
    text = _shrink(term, pfx) if isinstance(term, URIRef) else ("" if term is None else str(term))
    return " ".join(text.split()).replace("|", "\\|")


def updated_readme(text: str, section: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"{README}: markers {START} / {END} are missing")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + section + tail


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated_readme(text, render())
    if "--check" in argv:
        if new != text:
            print("README.md's canned-query results are out of date: run docs/render_query_results.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
