"""Planning a whole import: every file applied, in order, to the Claims rows in memory; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claimbook import table
from claimbook.imports.files import Batch, prepare
from claimbook.imports.importyaml import load_export_settings
from claimbook.imports.memory import last_written
from claimbook.imports.words import unknown_payer_notes
from claimbook.imports.merge import ClaimsEdit, Merger, new_edit
from claimbook.imports.report import ImportReport, hashes_in_log
from claimbook.imports.x12records import x12_records
from claimbook.pipeline import Block


@dataclass
class ImportResult:
    reports: list[ImportReport]
    edit: ClaimsEdit

    @property
    def imported(self) -> bool:
        """Whether any file was imported (not all skipped as already imported)."""
        return any(r.kind != "(skipped)" for r in self.reports)


def payer_key_for(rules):
    """(payer name, payer ID) -> the key of the payer rules file they match, None for an unknown payer."""
    if rules is None:
        return None

    def key(name: str, payer_id: str):
        payer, known = rules.payer_for(name or "", payer_id or "")
        return payer.key if known else None

    return key


def plan(batches: list[Batch], claims: Block, day_first: bool = False, add_unmatched: bool = False,
         rules=None, log_rows_read=None) -> ImportResult:
    """Apply every batch, in order, to the Claims rows in memory; nothing is written. With ``rules``, a
    remittance's payer is matched to the row's payer through the payer rules' names and IDs. With the
    Import Log's rows, a value the office changed since the last import is kept (``imports.memory``)."""
    payer_key = payer_key_for(rules)
    edit = new_edit(claims)
    merger = Merger(edit, day_first, last_written(log_rows_read))
    reports = []
    for b in batches:
        rep = ImportReport(b.path.name, b.digest, b.label or "(skipped)", [], [], [], list(b.skipped), list(b.notes))
        if b.label == "X12":
            merger.merge(x12_records(b.payload, merger, rep, add_unmatched, payer_key), rep)
        elif b.label is not None:
            merger.merge(b.payload, rep)
            if rules is not None:  # payer spellings no rules file knows: listed once, with the line to add
                rep.notes += unknown_payer_notes(b.payload, rules, "import.yaml")
        reports.append(rep)
    return ImportResult(reports, edit)


def plan_files(files, claims: Block, settings_rows, rules_folder: Path | None, log_rows_read,
               preset: str | None = None, again: bool = False, add_unmatched: bool = False) -> ImportResult:
    """Everything before writing, for an edge that has read the Claims, Settings and Import Log blocks."""
    from claimbook.rules.loader import load_rules

    table.map_input_columns(claims.header)  # a tracker without Claim ID / Payer / DOS stops here
    settings, day_first = load_export_settings(rules_folder, preset)
    batches = prepare(files, settings, hashes_in_log(log_rows_read), again)
    from claimbook.errors import RulesError

    try:  # payer matching for remittances, and the payer names of a CSV that no rules file knows
        rules = load_rules(rules_folder)
    except RulesError:
        if day_first is None or any(b.label == "X12" for b in batches):
            raise
        rules = None  # a claims CSV with its own date order imports without them, as before
    if day_first is None:
        day_first = rules.settings.day_first_dates
    return plan(batches, claims, day_first, add_unmatched, rules, log_rows_read)
