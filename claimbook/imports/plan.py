"""Planning a whole import: every file applied, in order, to the Claims rows in memory; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from claimbook import table
from claimbook.imports.files import Batch, prepare
from claimbook.imports.importyaml import load_export_settings
from claimbook.imports.memory import last_written
from claimbook.imports.words import unknown_payer_notes
from claimbook.imports.merge import ClaimsEdit, Merger, new_edit
from claimbook.imports.report import REFUSED, ImportReport, hashes_in_log
from claimbook.imports.x12records import x12_records
from claimbook.pipeline import Block


@dataclass
class ImportResult:
    reports: list[ImportReport]
    edit: ClaimsEdit
    posted: list = field(default_factory=list)  # claimbook.x12.Posted: remittance payments for the Payments sheet

    def payment_rows(self, when: datetime) -> list[list]:
        """Rows to append to the Payments sheet (``claimbook.x12.history.PAYMENT_COLUMNS``)."""
        return [p.row(when) for p in self.posted]

    @property
    def imported(self) -> bool:
        """Whether any file was imported (not all skipped as already imported, or refused)."""
        return any(r.kind not in ("(skipped)", REFUSED) for r in self.reports)

    @property
    def refused(self) -> list[ImportReport]:
        """The files refused whole (their reason is ``notes[0]``); the others were imported."""
        return [r for r in self.reports if r.refused]


def payer_key_for(rules):
    """(payer name, payer ID) -> the key of the payer rules file they match, None for an unknown payer."""
    if rules is None:
        return None

    def key(name: str, payer_id: str):
        payer, known = rules.payer_for(name or "", payer_id or "")
        return payer.key if known else None

    return key


def payment_history(rows) -> dict[str, list]:
    """The Payments sheet's data rows as claim key -> payments posted (``claimbook.x12.history``)."""
    from claimbook.x12.history import read_rows

    out: dict[str, list] = {}
    for p in read_rows(rows):
        out.setdefault(table.claim_key(p.claim_id), []).append(p)
    return out


def plan(batches: list[Batch], claims: Block, day_first: bool = False, add_unmatched: bool = False,
         rules=None, log_rows_read=None, payments=None) -> ImportResult:
    """Apply every batch, in order, to the Claims rows in memory; nothing is written. With ``rules``, a
    remittance's payer is matched to the row's payer through the payer rules' names and IDs. With the
    Import Log's rows, a value the office changed since the last import is kept (``imports.memory``).
    ``payments``: the Payments sheet's data rows (the payment history remittances are netted against)."""
    payer_key = payer_key_for(rules)
    edit = new_edit(claims)
    merger = Merger(edit, day_first, last_written(log_rows_read))
    history = payment_history(payments)
    posted: list = []
    reports = []
    for b in batches:
        if b.refused:
            reports.append(ImportReport(b.path.name, b.digest, REFUSED, [], [], [], [], [b.refused]))
            continue
        rep = ImportReport(b.path.name, b.digest, b.label or "(skipped)", [], [], [], list(b.skipped), list(b.notes))
        if b.label == "X12":
            merger.merge(x12_records(b.payload, merger, rep, add_unmatched, payer_key, history, posted), rep)
        elif b.label is not None:
            merger.merge(b.payload, rep)
            if rules is not None:  # payer spellings no rules file knows: listed once, with the line to add
                rep.notes += unknown_payer_notes(b.payload, rules, "import.yaml")
        reports.append(rep)
    return ImportResult(reports, edit, posted)


def plan_files(files, claims: Block, settings_rows, rules_folder: Path | None, log_rows_read,
               preset: str | None = None, again: bool = False, add_unmatched: bool = False,
               payment_rows=None, rules=None) -> ImportResult:
    """Everything before writing, for an edge that has read the Claims, Settings, Import Log and Payments
    blocks (``payment_rows``: the Payments sheet's data rows, [] when it has none). ``rules``: the session's
    rules when it has them (they are then not loaded again)."""
    from claimbook.rules.loader import load_rules

    table.map_input_columns(claims.header)  # a tracker without Claim ID / Payer / DOS stops here
    settings, day_first = load_export_settings(rules_folder, preset)
    batches = prepare(files, settings, hashes_in_log(log_rows_read), again)
    from claimbook.errors import RulesError

    try:  # payer matching for remittances, and the payer names of a CSV that no rules file knows
        rules = rules if rules is not None else load_rules(rules_folder)
    except RulesError:
        if day_first is None or any(b.label == "X12" for b in batches):
            raise
        rules = None  # a claims CSV with its own date order imports without them, as before
    if day_first is None:
        day_first = rules.settings.day_first_dates
    result = plan(batches, claims, day_first, add_unmatched, rules, log_rows_read, payment_rows)
    from claimbook.imports.notices import csv_notices

    for b, rep in zip(batches, result.reports):  # cut text, dates that read both ways: listed, never silent
        if b.label == "claims CSV":
            # Month first is everyone's default (the shipped import.yaml says so too): only day first is a choice.
            rep.notes.extend(csv_notices(b.payload, day_first, order_set=day_first))
    return result
