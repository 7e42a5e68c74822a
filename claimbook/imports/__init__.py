"""Importing claims CSV exports, 835 remittances and 277 status files into a tracker: the shared planning.

Both edges use it: ``claimbook import`` (openpyxl, a closed workbook file) and the ribbon's "Import
remittance" button (xlwings, the workbook open in Excel). Everything here works on plain values:

    batches = prepare(files, aliases, seen, again)      # read, sniff, parse and validate every file
    result = plan(batches, claims_block, day_first, payments=payment_rows)  # reports + the rows as they will be
    rows = log_rows(result.reports, when)               # the Import Log rows to append
    paid = result.payment_rows(when)                    # the Payments sheet rows to append

Nothing is written until every file has been read and planned. A file that cannot be read safely is
refused whole (a report of kind "(refused)" with its reason, naming the file and for X12 the segment and
its position) and the other files are imported; when no file can be imported, ``ImportFileError`` says
why for each before any cell changes. The edges then write ``result.edit`` (changed cells, new rows),
the log rows and the payment rows (docs/x12-import.md), and refresh.

Modules: ``files`` (read and recognise), ``csvfile`` (claims CSV), ``importyaml`` (column presets),
``merge`` (records into the Claims rows), ``x12records`` (835/277 plans as records), ``plan`` (the whole
import), ``report`` (reports, Import Log rows, summary). Nothing here imports openpyxl or xlwings.
"""

from claimbook.imports.files import Batch, prepare, read_x12, sniff
from claimbook.imports.importyaml import check_import_yaml, load_import_settings
from claimbook.imports.merge import ClaimsEdit, new_edit, runs
from claimbook.imports.plan import ImportResult, payer_key_for, plan, plan_files
from claimbook.imports.report import (CLEAR, IMPORT_LOG_COLUMNS, IMPORT_LOG_SHEET, IMPORT_LOG_WIDTHS, STAMP_FORMAT,
                                      Change, ImportReport, hashes_in_log, log_rows, summary)

__all__ = ["Batch", "prepare", "read_x12", "sniff", "check_import_yaml", "load_import_settings", "ClaimsEdit",
           "new_edit", "runs", "ImportResult", "payer_key_for", "plan", "plan_files", "CLEAR", "IMPORT_LOG_COLUMNS",
           "IMPORT_LOG_SHEET", "IMPORT_LOG_WIDTHS", "STAMP_FORMAT", "Change", "ImportReport", "hashes_in_log",
           "log_rows", "summary"]
