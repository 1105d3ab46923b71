"""The table part of a layout profile as one frozen value, with its defaults written once."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from pipeline.extract.table.wording import phrase_tokens

# Where a table's title comes from: the first header cell (a spreadsheet whose top-left header
# cell names the table) or the line(s) just above the header row (a caption).
TITLE_SOURCES = ("first_header_cell", "caption")


class TableProfileError(ValueError):
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

    @classmethod
    def from_profile(cls, profile: dict[str, Any]) -> "TableSettings":
        columns = tuple(_column(c) for c in profile.get("columns", ()))
        if not columns:
            raise TableProfileError("a table profile needs 'columns'")
        header = profile.get("header") or {}
        groups = profile.get("group_rows") or {}
        geometry = profile.get("geometry") or {}
        floats = {f.name for f in fields(cls) if f.type == "float"}
        unknown = sorted(set(geometry) - floats)
        if unknown:
            raise TableProfileError(f"unknown geometry keys: {', '.join(unknown)}")
        values: dict[str, Any] = {k: float(v) for k, v in geometry.items()}
        if "min_columns" in header:
            values["min_columns"] = int(header["min_columns"])
        if "unique_roles" in header:
            values["unique_roles"] = tuple(str(r) for r in header["unique_roles"])
        if "bold" in groups:
            values["group_bold"] = bool(groups["bold"])
        if "only_first_column" in groups:
            values["group_only_first_column"] = bool(groups["only_first_column"])
        title = profile.get("title") or {}
        if "area_pattern" in title:
            values["area_pattern"] = title["area_pattern"]
        if "table_title" in title:
            values["table_title"] = str(title["table_title"])
        settings = cls(columns=columns, **values)
        settings.check()
        return settings

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


def _column(data: dict[str, Any]) -> ColumnSpec:
    if not isinstance(data, dict) or "role" not in data:
        raise TableProfileError("every column needs a 'role'")
    extra = sorted(set(data) - {"role", "headers", "title"})
    if extra:
        raise TableProfileError(f"column {data['role']!r}: unknown keys {', '.join(extra)}")
    headers = tuple(phrase_tokens(str(h)) for h in data.get("headers", ()))
    return ColumnSpec(role=str(data["role"]), headers=tuple(h for h in headers if h),
                      title=bool(data.get("title", False)),
                      wordings=tuple(str(h) for h in data.get("headers", ())))
