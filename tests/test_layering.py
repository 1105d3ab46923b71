"""The package's layering: data flows one way, and so do imports.

Every import counts, also the ones inside functions: a stage may import only the model, the
configuration, the errors and the stages before it; nothing imports in a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

# Lower rank first. A module not listed takes the rank of its longest listed prefix.
RANKS = {
    "pipeline.model": 0, "pipeline.config": 0, "pipeline.errors": 0,
    "pipeline.sources": 1, "pipeline.fetch": 1, "pipeline.fingerprint": 1, "pipeline.cache": 1,
    "pipeline.extract": 2,
    "pipeline.normalise": 3,
    "pipeline.rdf": 4,
    "pipeline.validate": 5,
    "pipeline.publish": 6,
    "pipeline.run": 7, "pipeline.store": 7, "pipeline.sparql": 7,
    "pipeline.prefect_api": 8, "pipeline.flows": 8, "pipeline.run.with_prefect": 8,
    "pipeline.commands": 9, "pipeline.cli": 9,
}
STAGES = range(2, 7)  # extract .. publish: strictly earlier stages only


def _rank(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in RANKS:
            return RANKS[".".join(parts[:n])]
    raise AssertionError(f"{module}: no rank in tests/test_layering.py")


def _name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
                targets.add(node.module)
                for alias in node.names:  # "from pipeline.publish import serialise"
                    if (PACKAGE.parent / node.module.replace(".", "/") / f"{alias.name}.py").exists():
                        targets.add(f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("pipeline")}
        graph[module] = targets - {module}
    return graph


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_stages_import_only_earlier_stages_and_the_model() -> None:
    wrong = []
    for module, targets in _imports().items():
        for target in targets:
            if target == "pipeline" or _package(target) == _package(module):
                continue
            low, high = _rank(target), _rank(module)
            if high in STAGES and not low < high or low > high:
                wrong.append(f"{module} (rank {high}) imports {target} (rank {low})")
    assert wrong == []


def test_no_module_imports_itself_in_a_circle() -> None:
    graph = _imports()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target in graph and target not in done:
                visit(target, path + [target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert cycles == []
