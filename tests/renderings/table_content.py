"""The appendix table's content (raw/src/appendix.yaml) reworded, reordered or re-shaped for a
rendering: the rows and cells stay the source's, so every rendering reads as tests/expected."""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

# The roles of appendix.yaml's columns, in its sheet order (table 2 has the first five).
SHEET_ROLES = ("name", "type", "producers", "shared", "tem_area", "immigrant", "multiprofessional")


def reshape(content: Mapping[str, Any], *, headers: Mapping[str, str] | None = None,
            order: Sequence[str] | None = None, caption: bool = False,
            widths: Mapping[str, float] | None = None, split_after: int | None = None) -> dict[str, Any]:
    """A copy of `content` whose tables have other header wording (`headers`, by role), columns
    in another `order` (roles), the table title as a `caption` line above the header (the first
    header cell then says `headers["name"]`), other column `widths` (by role, spreadsheet
    units) or another page-column split (`split_after` columns on the left pages)."""
    out = copy.deepcopy(dict(content))
    for sheet in out["sheets"]:
        roles = SHEET_ROLES[: len(sheet["header"])]
        if caption:
            sheet["caption"] = sheet["header"][0]
        for i, role in enumerate(roles):
            if headers and role in headers and (role != "name" or caption):
                sheet["header"][i] = headers[role]
            if widths and role in widths:
                sheet["widths"][i] = widths[role]
        if order:
            wanted = [r for r in order if r in roles]
            if sorted(wanted) != sorted(roles) or wanted[0] != "name":
                raise ValueError(f"order must list {roles} with name first, not {list(order)}")
            perm = [roles.index(r) for r in wanted]
            sheet["header"] = [sheet["header"][i] for i in perm]
            sheet["widths"] = [sheet["widths"][i] for i in perm]
            sheet["rows"] = [row if isinstance(row, dict) else [row[i] for i in perm] for row in sheet["rows"]]
        if split_after is not None:
            sheet["split_after_column"] = min(split_after, len(sheet["header"]))
    return out
