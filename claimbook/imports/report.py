"""What an import did: the per-file report, the Import Log rows and the message-box summary.

Plain values only; both edges write these rows (openpyxl in ``claimbook.workbook.io``, xlwings in
``claimbook.excel.macros``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from claimbook.imports.memory import KEPT, NEW_VALUE

IMPORT_LOG_SHEET = "Import Log"
IMPORT_LOG_COLUMNS = ("Imported", "File", "SHA-256", "Kind", "Added", "Updated", "Skipped", "Claim ID", "Field",
                      "Old", "New", "Note")
IMPORT_LOG_WIDTHS = (18, 28, 18, 12, 8, 8, 8, 16, 16, 20, 20, 60)
STAMP_FORMAT = "yyyy-mm-dd hh:mm"


class _Clear:
    """An imported value that empties a cell (a remittance that no longer has denial codes)."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR = _Clear()
REFUSED = "(refused)"


@dataclass
class Change:
    claim_id: str
    field: str  # the column header
    old: object
    new: object


@dataclass
class ImportReport:
    """What one imported file did to the tracker."""

    file: str
    sha256: str
    kind: str  # "claims CSV", "835", "277", "277CA", "(skipped)", "(refused)" (notes[0] says why)
    added: list[str]
    updated: list[str]
    changes: list[Change]
    skipped: list[tuple[str, str]]  # (where, why)
    notes: list[str]
    provider_adjustments: list[str] = field(default_factory=list)  # PLB lines (835), never spread over claims
    unmatched: list[str] = field(default_factory=list)  # claims in the payer file that are not in the tracker
    # (claim ID or None, text) that go on the Import Log only: they may quote names and cell contents,
    # which are never printed (a scheduled job's log is not the practice's workbook).
    details: list[tuple[str | None, str]] = field(default_factory=list)
    # Values a new claim was added with (the Import Log keeps them: they are what the import wrote), and
    # values the file would have changed but the office had corrected since the last import (kept).
    written: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)
    # Findings that did not stop the file being read (envelope counts, Not Used elements, balancing ...):
    # segment positions and element names, never values from a claim.
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.kind == REFUSED

    def line(self) -> str:
        if self.refused:
            return f"{self.file}: REFUSED, nothing imported from it"
        s = (f"{self.file}: {len(self.added)} added, {len(self.updated)} updated "
             f"({len(self.changes)} changes), {len(self.skipped)} skipped")
        if self.kept:
            s += f", {len(self.kept)} kept (changed on the Claims sheet since the last import)"
        if self.provider_adjustments:
            s += f", {len(self.provider_adjustments)} provider-level adjustment" + \
                 ("s" if len(self.provider_adjustments) != 1 else "")
        if self.warnings:
            s += f", {len(self.warnings)} warning" + ("s" if len(self.warnings) != 1 else "")
        return s


def hashes_in_log(rows) -> dict[str, object]:
    """SHA-256 -> import date of every file on the Import Log (its data rows, columns A..C or more)."""
    out: dict[str, object] = {}
    for row in rows or ():
        if len(row) < 3:
            continue
        h = row[2]
        if isinstance(h, str) and len(h) == 64 and h not in out:
            out[h] = row[0]
    return out


def _log_value(v):
    if v is None or isinstance(v, (str, int, float, date, datetime)):
        return v.value if hasattr(v, "value") and isinstance(getattr(v, "value"), str) else v
    return str(v)


def log_rows(reports: list[ImportReport], when: datetime) -> list[list]:
    """Rows for the Import Log: per file a summary row (file, hash, kind, counts, notes), then a row per
    new claim, per change (claim, field, old, new), per provider-level adjustment and per skipped line."""
    stamp = when.replace(microsecond=0)
    out: list[list] = []

    def row(claim=None, fld=None, old=None, new=None, note=None):
        return [stamp, rep.file, None, None, None, None, None, claim, fld, _log_value(old), _log_value(new), note]

    for rep in reports:
        if rep.refused:  # no hash: a refused file is not "already imported" next time
            out.append([stamp, rep.file, None, rep.kind, 0, 0, 0, None, None, None, None,
                        " ".join(" ".join(rep.notes).split())[:1000] or None])
            continue
        out.append([stamp, rep.file, rep.sha256, rep.kind, len(rep.added), len(rep.updated), len(rep.skipped),
                    None, None, None, None, "; ".join(rep.notes) or None])
        out += [row(None, "(warning)", note=text) for text in rep.warnings]
        out += [row(cid, "(new claim)") for cid in rep.added]
        out += [row(ch.claim_id, ch.field, None, ch.new, NEW_VALUE) for ch in rep.written]
        out += [row(ch.claim_id, ch.field, ch.old, ch.new) for ch in rep.changes]
        out += [row(ch.claim_id, ch.field, ch.old, ch.new, f"{KEPT} (Old): it was changed on the Claims sheet "
                    "after the last import wrote it, and this file still says what that import wrote (New)")
                for ch in rep.kept]
        out += [row(None, "(provider adjustment)", note=text) for text in rep.provider_adjustments]
        out += [row(note=f"skipped {w}: {why}") for w, why in rep.skipped]
        out += [row(claim, note=text) for claim, text in rep.details]
    return out


def summary(reports: list[ImportReport], tracker_note: str = "") -> str:
    """A plain-language account of an import, for a message box."""
    lines = []
    refused = [r for r in reports if r.refused]
    for rep in refused + [r for r in reports if not r.refused]:  # refused first: a long box is cut at the end
        if rep.refused:
            lines.append(f"{rep.file} — REFUSED, nothing was imported from it: "
                         f"{rep.notes[0].removeprefix(rep.file + ':').strip() if rep.notes else ''}")
            continue
        if rep.kind == "(skipped)":
            lines.append(f"{rep.file}: {rep.notes[0] if rep.notes else 'skipped'}".replace(
                " (use --again to import it again)", ""))
            continue
        what = {"835": "remittance (835)", "277": "claim status (277)", "277CA": "acknowledgment (277CA)"}.get(
            rep.kind, rep.kind)
        parts = [f"{len(rep.updated)} claim{'s' if len(rep.updated) != 1 else ''} updated "
                 f"({len(rep.changes)} change{'s' if len(rep.changes) != 1 else ''})"]
        if rep.added:
            parts.append(f"{len(rep.added)} added")
        if rep.unmatched:
            ids = ", ".join(u.split(":", 1)[0].removeprefix("claim ") for u in rep.unmatched[:5])
            more = "…" if len(rep.unmatched) > 5 else ""
            parts.append(f"{len(rep.unmatched)} not in the tracker ({ids}{more})")
        if rep.kept:
            parts.append(f"{len(rep.kept)} value{'s' if len(rep.kept) != 1 else ''} you changed on the Claims sheet "
                         "kept")
        if rep.provider_adjustments:
            parts.append(f"{len(rep.provider_adjustments)} provider-level adjustment"
                         f"{'s' if len(rep.provider_adjustments) != 1 else ''} (not a claim)")
        other = sum(1 for _, why in rep.skipped if not why.startswith("not in the tracker"))
        if other > 0:
            parts.append(f"{other} line{'s' if other != 1 else ''} skipped")
        if rep.warnings:
            parts.append(f"{len(rep.warnings)} warning{'s' if len(rep.warnings) != 1 else ''} about the file's "
                         "layout (read anyway; listed on the Import Log)")
        lines.append(f"{rep.file} — {what}: " + ", ".join(parts) + ".")
    if refused:
        lines.append(f"{len(refused)} of {len(reports)} files refused: the other files were imported. Fix or ask "
                     "for a new copy of the refused files and import them again.")
    if tracker_note:
        lines.append(tracker_note)
    lines.append("Every change is listed on the Import Log sheet.")
    return "\n".join(lines)
