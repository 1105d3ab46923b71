"""The `servicegraph` command line. Commands live in pipeline/commands/, one module per area."""

from __future__ import annotations

import atexit
import importlib
import os
import pkgutil
import sys

import typer

import pipeline.commands

app = typer.Typer(
    help="Employment-area service documents (PDF) -> CPSV-AP linked open data.",
    no_args_is_help=True,
    add_completion=False,
)

for _mod in sorted(pkgutil.iter_modules(pipeline.commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"pipeline.commands.{_mod.name}").register(app)


def main() -> None:
    """The installed `servicegraph` command: the app, then an exit without the interpreter's
    teardown. With Prefect loaded, freeing its thousands of modules and objects at exit took
    ~0.5 s of every run (measured: the last atexit handler to process end). Everything a command
    writes is closed (and synced) before it returns; the exit handlers (logging, Prefect's
    events, multiprocessing, temporary folders) still run, then the process leaves."""
    try:
        app()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if not isinstance(code, int):  # sys.exit("message") prints it and exits 1, like Python does
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    main()
