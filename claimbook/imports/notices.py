"""What an import must not do silently, found in the records of a claims CSV and added to its report.

- text longer than a cell holds (Excel's 32,767 characters) is cut to fit: each cut is listed;
- dates such as 05.03.2024, where day and month are both 12 or less, are read in the configured order
  (month first unless import.yaml or the rules say day first). When nothing settles the order (no date in
  the same column with a part over 12, and day first not chosen: month first is only the default, which
  the shipped import.yaml also states) or the column's other dates point the other way, the report says
  which rows could be read either way.

Notes name the row, the column and the Claim ID, never a cell's contents (dates of service are patient
information). ``same_field_columns`` notes two columns read as the same field (``exportrows`` calls it
when it maps the header).
"""

from __future__ import annotations

import re

from claimbook import table

_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_SHOWN = 5


def _rows(wheres: list[str]) -> str:
    shown = ", ".join(w.removeprefix("row ") for w in wheres[:_SHOWN])
    more = f" and {len(wheres) - _SHOWN} more" if len(wheres) > _SHOWN else ""
    return f"row{'s' if len(wheres) > 1 else ''} {shown}{more}"


def csv_notices(records, day_first: bool, order_set: bool) -> list[str]:
    """Notes for the report of one claims CSV (its records ``(where, {header: raw text})``)."""
    notes: list[str] = []
    ambiguous: dict[str, list[str]] = {}
    evidence: dict[str, set[str]] = {}
    for where, values in records:
        cid = " ".join(str(values.get("Claim ID") or "").split())
        for header, raw in values.items():
            if not isinstance(raw, str):
                continue
            col = table.INPUT_BY_HEADER.get(header)
            if col is None:
                continue
            if col.kind == "date":
                m = _DMY.match(raw)
                if not m:
                    continue
                a, b = int(m.group(1)), int(m.group(2))
                if a > 12 >= b:
                    evidence.setdefault(header, set()).add("day")
                elif b > 12 >= a:
                    evidence.setdefault(header, set()).add("month")
                elif a != b and a <= 12 and b <= 12:
                    ambiguous.setdefault(header, []).append(where)
            elif len(raw) > table.EXCEL_TEXT_LIMIT:
                notes.append(f"{where}{f' (claim {cid})' if cid else ''}: {header} has {len(raw):,} characters, "
                             f"more than the {table.EXCEL_TEXT_LIMIT:,} a cell can hold, so it was cut to fit")
    read = "day" if day_first else "month"
    for header, wheres in ambiguous.items():
        seen = evidence.get(header, set())
        other = "month" if day_first else "day"
        if other in seen and read not in seen:
            why = f"the column's other dates have the {other} first"
        elif seen or order_set:
            continue  # settled by the column's other dates or by the date order set for imports
        else:
            why = "nothing in the file or the settings says which"
        notes.append(f"{header} on {_rows(wheres)}: day or month first? Both parts are 12 or less; read {read} "
                     f"first, but {why}. If wrong, set date_order in import.yaml and import again with --again")
    return notes


def same_field_columns(header: list[str], cols: dict[str, int], aliases) -> list[str]:
    """A note per field that two or more columns name (two "Payer" columns): only the first is imported."""
    notes = []
    for field, first in cols.items():
        others = [i for i, h in enumerate(header) if i != first and str(h).strip()
                  and getattr(table.input_column_for(h, aliases), "field", None) == field]
        if others:
            name = table.INPUT_BY_FIELD[field].header
            numbers = [str(first + 1)] + [str(i + 1) for i in others]
            where = ", ".join(numbers[:-1]) + " and " + numbers[-1]
            notes.append(f"{len(others) + 1} columns are read as {name} (columns {where} of the file, counting from "
                         f"the left): only column {first + 1} was imported; rename or remove the other"
                         f"{'s' if len(others) > 1 else ''} if that is not the right one")
    return notes
