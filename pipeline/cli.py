"""The `servicegraph` command line. Commands live in pipeline/commands/, one module per area."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import pipeline.commands

app = typer.Typer(
    help="Employment-area service documents (PDF) -> CPSV-AP linked open data.",
    no_args_is_help=True,
    add_completion=False,
)

for _mod in sorted(pkgutil.iter_modules(pipeline.commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"pipeline.commands.{_mod.name}").register(app)


if __name__ == "__main__":
    app()
