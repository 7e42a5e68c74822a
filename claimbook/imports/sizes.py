"""The import's size limits (docs/data-safety.md): plain numbers, used by the CSV reader and the merge here
and re-exported by ``claimbook.workbook.limits`` with the workbook's own limits."""

from __future__ import annotations

MB = 1_000_000
MAX_CLAIMS = 100_000  # rows of the Claims table after an import
MAX_CSV_BYTES = 100 * MB
MAX_CSV_ROWS = 300_000  # data rows of one claims CSV (repeated rows of a claim count)


def claims_past_limit_message() -> str:
    return (f"This import would take the Claims table past {MAX_CLAIMS:,} claims, the most claimbook keeps in one "
            "tracker. Move older (closed) claims to an archive workbook, or import a shorter export (a narrower "
            "date range); nothing was changed.")
