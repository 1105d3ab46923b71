"""The registry of readers, in the manner of rdflib's plugin registry.

A reader reads one document geometry (a table, a slide deck) into records. It is a subpackage
of this package (or any importable module) registered by one line:

    register("table", "pipeline.extract.readers.table", "TableReader")

`get(name)` imports the module only when the reader is first used; `readers()` lists the
registered names. A layout profile (pipeline/extract/profiles/*.yaml) names its reader with
`reader:`. docs/layouts.md says how to add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.extract.readers.base import Reader


@dataclass(frozen=True)
class Plugin:
    name: str
    module_path: str
    class_name: str


_plugins: dict[str, Plugin] = {}
_loaded: dict[str, "Reader"] = {}


class UnknownReader(LookupError):
    """A profile or a caller names a reader nobody registered (the profile loader names the file)."""

    def __init__(self, name: str) -> None:
        self.reason = f"unknown reader {name!r} (registered readers: {', '.join(readers())})"
        super().__init__(self.reason)


def register(name: str, module_path: str, class_name: str) -> None:
    """Register (or replace) the reader `name`, importable as `module_path`.`class_name`."""
    _plugins[name] = Plugin(name, module_path, class_name)
    _loaded.pop(name, None)


def get(name: str) -> "Reader":
    """The reader registered as `name`, imported on first use."""
    if name not in _loaded:
        plugin = _plugins.get(name)
        if plugin is None:
            raise UnknownReader(name)
        cls = getattr(import_module(plugin.module_path), plugin.class_name)
        _loaded[name] = cls()
    return _loaded[name]


def readers() -> tuple[str, ...]:
    return tuple(sorted(_plugins))


def profile_folders() -> tuple[Path, ...]:
    """The `profiles/` folder of every registered reader package that has one, without importing
    the readers: a reader may ship its layout profiles beside its code."""
    folders = []
    for name in readers():
        spec = find_spec(_plugins[name].module_path)
        for location in (spec.submodule_search_locations or ()) if spec else ():
            if (Path(location) / "profiles").is_dir():
                folders.append(Path(location) / "profiles")
    return tuple(folders)


register("table", "pipeline.extract.readers.table", "TableReader")
register("slides", "pipeline.extract.readers.slides", "SlidesReader")
