"""The table part of a layout profile as one frozen value, with its defaults written once."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.extract.readers.base import SettingsError, flatten, settings_from
from pipeline.extract.readers.table.wording import phrase_tokens

# Where a table's title comes from: the first header cell (a spreadsheet whose top-left header
# cell names the table) or the line(s) just above the header row (a caption).
TITLE_SOURCES = ("first_header_cell", "caption")


class TableProfileError(SettingsError):
    """The table part of a profile is malformed (the layout loader names the file)."""


@dataclass(frozen=True)
class ColumnSpec:
    role: str
    # Alternative wordings of the column's header cell, each the cell's whole text as words.
    headers: tuple[tuple[str, ...], ...] = ()
    title: bool = False  # the header cell holds the table's title, not a column name
    wordings: tuple[str, ...] = ()  # `headers` as the profile writes them (for messages)


@dataclass(frozen=True)
class TableSettings:
    """Everything the table reader takes from a profile; geometry in points or x font size."""

    columns: tuple[ColumnSpec, ...]
    table_title: str = "first_header_cell"
    min_columns: int = 2
    unique_roles: tuple[str, ...] = ()
    group_bold: bool = True
    group_only_first_column: bool = True
    area_pattern: str | None = None
    line_centre_tolerance: float = 0.35
    line_gap: float = 0.4
    word_gap: float = 0.39
    column_slack: float = 2.0
    rule_min_share: float = 0.6
    join_tolerance: float = 1.0
    min_pair_fit: float = 0.6
    caption_lines: float = 3.0
    # A word is bold when its font name contains one of these (group rows are bold).
    bold_markers: tuple[str, ...] = ("Bold", "Black", "Heavy", "Semibold")

    def check(self) -> None:
        if self.table_title not in TITLE_SOURCES:
            raise TableProfileError(f"title.table_title must be one of {TITLE_SOURCES}, "
                                    f"not {self.table_title!r}")
        if self.columns[0].title != (self.table_title == "first_header_cell"):
            raise TableProfileError("the first column is the title column (title: true) exactly "
                                    "when title.table_title is first_header_cell")
        roles = self.roles
        if len(set(roles)) != len(roles):
            raise TableProfileError("a column role is listed twice")
        for spec in self.columns[1:]:
            if spec.title or not spec.headers:
                raise TableProfileError(f"column {spec.role!r} needs 'headers' (its header "
                                        "cell's wordings); only the first column may be the title")
        strays = sorted(set(self.unique_roles) - set(roles))
        if strays:
            raise TableProfileError(f"header.unique_roles names unknown roles: {', '.join(strays)}")

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)

    @property
    def name_role(self) -> str:
        return self.columns[0].role


class ColumnEntry(BaseModel):
    """A column as a profile writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    role: str
    headers: tuple[str, ...] = ()
    title: bool = False

    def spec(self) -> ColumnSpec:
        headers = tuple(phrase_tokens(h) for h in self.headers)
        return ColumnSpec(role=self.role, headers=tuple(h for h in headers if h), title=self.title,
                          wordings=self.headers)


# The profile's sections and the settings fields their keys fill ({} = the keys are the fields).
SECTIONS = {
    "header": {"min_columns": "min_columns", "unique_roles": "unique_roles"},
    "group_rows": {"bold": "group_bold", "only_first_column": "group_only_first_column"},
    "title": {"area_pattern": "area_pattern", "table_title": "table_title"},
    "geometry": {},
}


def settings_from_profile(data: Mapping[str, Any]) -> TableSettings:
    """The table part of a profile -> TableSettings (validated; defaults are the dataclass's)."""
    values = flatten(data, SECTIONS)
    geometry = {f.name for f in fields(TableSettings) if f.type == "float"}
    strays = sorted(set((data.get("geometry") or {})) - geometry)
    if strays:
        raise SettingsError(f"unknown geometry keys: {', '.join(strays)}")
    try:
        values["columns"] = tuple(ColumnEntry.model_validate(c).spec() for c in values.get("columns") or ())
    except ValidationError as exc:
        raise SettingsError(f"columns: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    if not values["columns"]:
        raise SettingsError("a table profile needs 'columns'")
    settings = settings_from(TableSettings, values)
    try:
        settings.check()
    except TableProfileError as exc:
        raise SettingsError(str(exc)) from None
    return settings
