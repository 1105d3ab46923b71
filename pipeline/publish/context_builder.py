"""Build pipeline/publish/context.jsonld from the official CPSV-AP 3.2.0 context.

A development tool, not a pipeline stage: run it when context_terms.yaml changes or a new
CPSV-AP context is adopted, and commit the result. Users never need the SEMIC reference
files; the committed context.jsonld is what publish uses.

    python -m pipeline.publish.context_builder /work/shared/reference/cpsv-ap-3.2.0/cpsv-ap-context.jsonld
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from pipeline.errors import PipelineError

HERE = Path(__file__).resolve().parent
TERMS_FILE = HERE / "context_terms.yaml"
CONTEXT_FILE = HERE / "context.jsonld"


def _official_iri(value: object) -> str:
    return value if isinstance(value, str) else value["@id"]  # type: ignore[index]


def _is_id_valued(value: object) -> bool:
    return isinstance(value, dict) and value.get("@type") == "@id"


def build_context(official: dict, terms: dict) -> dict:
    """Our context: official class terms as-is, official "Class.prop" terms as "prop"."""
    official_ctx: dict = official["@context"]
    skip = set(terms.get("skip_official", []))
    ctx: dict[str, object] = dict(sorted(terms["prefixes"].items()))

    classes: dict[str, str] = {}
    props: dict[str, dict[str, object]] = {}
    for name, value in sorted(official_ctx.items()):
        if name.startswith("@") or name in skip:
            continue
        iri = _official_iri(value)
        if "." not in name:
            classes[name] = iri
            continue
        prop = name.split(".", 1)[1]
        if prop in skip:
            continue
        entry: dict[str, object] = {"@id": iri}
        if _is_id_valued(value):
            entry["@type"] = "@id"
        props.setdefault(prop, entry)

    # One term per IRI, or rdflib's compaction would pick between synonyms arbitrarily.
    preferred = terms.get("preferred_property_names", [])
    by_iri: dict[str, str] = {}
    for prop in sorted(props, key=lambda p: (p not in preferred, preferred.index(p) if p in preferred else 0, p)):
        by_iri.setdefault(str(props[prop]["@id"]), prop)
    kept_props = {p: props[p] for p in sorted(by_iri.values())}

    taken_iris = set(classes.values()) | set(by_iri)
    own: dict[str, object] = {}
    for name, spec in sorted(terms["own_terms"].items()):
        if name in classes or name in kept_props:
            raise PipelineError(f"{TERMS_FILE}: own term {name!r} clashes with an official CPSV-AP term")
        prefix, local = spec["iri"].split(":", 1)
        full = terms["prefixes"][prefix] + local
        if full in taken_iris:
            raise PipelineError(f"{TERMS_FILE}: own term {name!r} repeats an IRI already named by CPSV-AP")
        own[name] = {"@id": spec["iri"], "@type": "@id"} if spec.get("id") else spec["iri"]

    ctx.update(sorted(classes.items()))
    ctx.update(kept_props)
    ctx.update(own)
    ctx["@language"] = "fi"  # the documents are Finnish: fi-tagged strings print as plain JSON strings
    return {"@context": dict(sorted(ctx.items()))}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    official_path = Path(argv[0])
    try:
        official = json.loads(official_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{official_path}: cannot read the official context ({exc})") from exc
    terms = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))
    context = build_context(official, terms)
    CONTEXT_FILE.write_text(json.dumps(context, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {CONTEXT_FILE} ({len(context['@context'])} entries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
