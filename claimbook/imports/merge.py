"""The Claims rows as an import will leave them: records merged into a copy of the Claims block by Claim ID."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimbook import table
from claimbook.imports.exportrows import Flagged
from claimbook.imports.memory import keep_office_value
from claimbook.errors import TrackerError
from claimbook.imports.report import CLEAR, Change, ImportReport
from claimbook.pipeline import Block


@dataclass
class ClaimsEdit:
    """The Claims block with the import applied in memory.

    ``rows[:used]`` are the rows in use before the import (changed in place, cells listed in
    ``changed``); ``rows[used:]`` are the rows the import fills: trailing blank rows of the table first
    (``rows[used:existing]``), then rows the table grows by.
    """

    header: list
    rows: list[list]
    used: int
    existing: int
    changed: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index), rows < used

    @property
    def new_rows(self) -> list[list]:
        return self.rows[self.used:]

    @property
    def grows_by(self) -> int:
        return max(0, len(self.rows) - self.existing)

    def changed_columns(self) -> dict[int, list[int]]:
        """Column index -> sorted row indexes of the changed cells in existing rows."""
        out: dict[int, list[int]] = {}
        for r, c in self.changed:
            out.setdefault(c, []).append(r)
        return {c: sorted(rs) for c, rs in sorted(out.items())}


def runs(indexes: list[int]) -> list[list[int]]:
    """Sorted integers split into runs of consecutive ones."""
    out: list[list[int]] = []
    for i in indexes:
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def new_edit(block: Block) -> ClaimsEdit:
    width = len(block.header)
    rows = [list(r) + [None] * (width - len(r)) for r in block.rows]
    used = 0
    for i, r in enumerate(rows):
        if not table.row_is_blank(r, range(width)):
            used = i + 1
    return ClaimsEdit(list(block.header), rows, used, len(rows))


class Merger:
    """Merges records ``(where, {input header: raw value})`` into a ClaimsEdit by Claim ID."""

    def __init__(self, edit: ClaimsEdit, day_first: bool, memory: dict | None = None):
        self.edit = edit
        self.day_first = day_first
        # (claim key, header) -> what the last import wrote (``claimbook.imports.memory``): a value the
        # office changed since is kept when the file brings the same value again.
        self.memory = memory if memory is not None else {}
        self.cols = table.map_input_columns(edit.header)  # field -> index
        self.rows_by_key: dict[str, list[int]] = {}
        id_col = self.cols["claim_id"]
        for i, row in enumerate(edit.rows):
            key = table.claim_key(row[id_col])
            if key:
                self.rows_by_key.setdefault(key, []).append(i)
        self.next_row = edit.used
        from claimbook.imports.sizes import MAX_CLAIMS

        self.max_claims = max(MAX_CLAIMS, len(edit.rows))  # a tracker already past the limit may still update

    def current(self) -> dict[str, dict[str, object]]:
        """Claim ID (as matched) -> {input header: value}, for rows whose Claim ID is on one row only."""
        out = {}
        for key, rows in self.rows_by_key.items():
            if len(rows) == 1:
                row = self.edit.rows[rows[0]]
                out[key] = {table.INPUT_BY_FIELD[f].header: row[i] for f, i in self.cols.items()}
        return out

    def merge(self, records, report: ImportReport) -> None:
        edit = self.edit
        missing_cols: set[str] = set()
        added_keys = {table.claim_key(c) for c in report.added}
        updated_keys = {table.claim_key(c) for c in report.updated}
        for where, values in records:
            typed: dict[str, object] = {}
            problems: list[str] = []
            for header_name, raw in values.items():
                col = table.INPUT_BY_HEADER.get(header_name)
                if col is None or (raw is not CLEAR and table.is_blank(raw)):
                    continue
                if col.field not in self.cols:
                    missing_cols.add(col.header)
                    continue
                if raw is CLEAR:
                    typed[col.field] = ("ok", None)
                    continue
                value, problem = table.typed_cell(col, raw, self.day_first)
                if problem:
                    problems.append((col.header, problem))
                    typed[col.field] = ("raw", raw)
                else:
                    typed[col.field] = ("ok", value)
            cid = typed.get("claim_id")
            if not cid or cid[0] != "ok" or not cid[1]:
                report.skipped.append((where, "no Claim ID"))
                continue
            key = table.claim_key(cid[1])
            rows = self.rows_by_key.get(key, [])
            if len(rows) == 1:
                self._note_spelling(report, str(cid[1]), edit.rows[rows[0]][self.cols["claim_id"]])
            if len(rows) > 1:
                report.skipped.append((where, f"its Claim ID is on {len(rows)} rows of the tracker; fix the "
                                              "duplicate first"))
                continue
            if not rows:
                r = self.next_row
                self.next_row += 1
                if r >= len(edit.rows):
                    if r >= self.max_claims:  # stop at once: planning more claims than a tracker keeps wastes memory
                        from claimbook.imports.sizes import claims_past_limit_message

                        raise TrackerError(claims_past_limit_message())
                    edit.rows.append([None] * len(edit.header))
                row = edit.rows[r]
                for f, (state, v) in typed.items():
                    if v is not None:
                        row[self.cols[f]] = v if state == "ok" else str(v)
                        if f != "claim_id":
                            header = table.INPUT_BY_FIELD[f].header
                            report.written.append(Change(str(cid[1]), header, None, row[self.cols[f]]))
                            self.memory[(key, header)] = row[self.cols[f]]
                self.rows_by_key[key] = [r]
                if key not in added_keys:
                    report.added.append(str(cid[1]))
                    added_keys.add(key)
                for header, p in problems:
                    if isinstance(values.get(header), Flagged):
                        continue  # an unknown status word: listed once for the whole file
                    label = where if where.startswith("claim ") else f"{where} (claim {cid[1]})"
                    report.notes.append(f"{label}: {header} could not be read; stored as typed, it shows under "
                                        "Data Issues")
                    report.details.append((str(cid[1]), f"{where}: {p}"))
                continue
            r = rows[0]
            row = edit.rows[r]
            changed = False
            for f, (state, v) in typed.items():
                if f == "claim_id":
                    continue
                col = table.INPUT_BY_FIELD[f]
                if state != "ok":
                    report.skipped.append((where, f"{col.header} not changed: the value could not be read"))
                    report.details.append((str(cid[1]), f"{where}: {col.header} not changed: "
                                                         f"{_problem_text(problems, col.header)}"))
                    continue
                c = self.cols[f]
                old = row[c]
                if table.same_cell(col, old, v, self.day_first):
                    continue
                if keep_office_value(self.memory, key, col.header, old, v, self.day_first):
                    report.kept.append(Change(str(cid[1]), col.header, old, v))
                    continue
                row[c] = v
                self.memory[(key, col.header)] = v
                if r < edit.used:
                    edit.changed.add((r, c))
                report.changes.append(Change(str(cid[1]), col.header, old, v))
                changed = True
            if changed and key not in updated_keys and key not in added_keys:
                report.updated.append(str(cid[1]))
                updated_keys.add(key)
        if missing_cols:
            report.notes.append("The tracker has no column for " + ", ".join(sorted(missing_cols))
                                + "; those values were not imported")


    @staticmethod
    def _note_spelling(report: ImportReport, typed: str, in_tracker: object) -> None:
        """Say so when a Claim ID matched a row written another way ("00123" and the 123 Excel made of it)."""
        shown = table.parse_text(in_tracker, "Claim ID", [])
        if shown and shown != typed.strip():
            note = f'Claim ID "{typed.strip()}" matched claim {shown} in the tracker'
            if note not in report.notes:
                report.notes.append(note)


def _problem_text(problems: list[tuple[str, str]], header: str) -> str:
    for h, p in problems:
        if h == header:
            return p
    return "the value could not be read"
