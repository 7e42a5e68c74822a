"""The import use case: claims CSV exports, 835 remittances and 277 status files into a tracker, then a refresh.

Every file is read and planned (``claimbook.imports``) before anything is written; the edge then writes
the Claims edit and the Import Log rows, and the same refresh as the Refresh button runs on the same
session.
"""

from __future__ import annotations

from datetime import date, datetime

from claimbook.app.refresh import refresh, session_for


def import_files(edge, files, *, preset=None, again=False, add_unmatched=False, as_of: date | None = None,
                 rules_dir=None, when: datetime | None = None):
    """Plan every file, then write the Claims edit, the Import Log and Payments rows, refresh and save.

    Returns (ImportResult, Refreshed or None). Nothing is written when no file needs importing.
    """
    from claimbook.imports import plan_files

    session = session_for(edge, as_of, rules_dir)
    result = plan_files(files, edge.read_claims(), list(session.settings_rows), session.rules_folder,
                        edge.read_import_log(), preset, again, add_unmatched, edge.read_payments(),
                        rules=session.rules)
    if not result.imported:
        return result, None
    edge.apply_edit(result.edit)
    when = when or datetime.now()
    edge.add_import_log(result.reports, when)
    edge.add_payments(result.payment_rows(when))
    return result, refresh(edge, session)
