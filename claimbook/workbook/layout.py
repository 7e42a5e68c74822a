"""The tracker workbook's layout, with openpyxl: build a new tracker, complete a practice's own
workbook, and write the generated sheets (Worklist, Dashboard, Payers).

Where generated values go is decided by ``claimbook.sheets`` (shared with the Excel edge); this module
adds what only a file can carry: tables, styles, drop-downs, conditional formats, charts, print setup.
Only Excel 2007-level features are used (no x14 extensions), so an openpyxl round trip keeps them all.

Modules: ``looks`` (colours, fonts, widths), ``generated`` (the Worklist, Dashboard and Payers blocks),
``newtracker`` (a new tracker), ``ensure`` (a practice's own workbook); ``write_generated`` is here.
Every name stays importable from ``claimbook.workbook.layout``.
"""

from __future__ import annotations

from claimbook import sheets as S
from claimbook.errors import TrackerError
from claimbook.pipeline import RefreshOutput

from claimbook.workbook.looks import (  # noqa: F401 - importable from here as before
    _CLAIM_WIDTHS,
    _dv_values,
    _LISTS,
    _PAYER_SIZE,
    _PAYER_SMALL,
    _PAYER_SMALL_SIZE,
    _PAYER_WIDTHS,
    _quote,
    _risk_rules,
    _TEXT_COLUMNS,
    _width,
    _worklist_columns,
    BAR_BLUE,
    BLUE,
    COMPUTED_BODY_FILL,
    COMPUTED_COLUMNS,
    COMPUTED_FILL,
    COMPUTED_FONT,
    COMPUTED_NOTE,
    FOLLOWUP_LOG_COLUMNS,
    Font,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_COLUMNS,
    INPUT_FILL,
    NAVY,
    NOTE_FONT,
    RISK_COLORS,
    SUBTITLE_FONT,
    THIN,
    TILE_FILL,
    TITLE_FONT,
    TOTAL_FILL,
    WHITE,
    WORKLIST_COLUMNS,
)
from claimbook.workbook.generated import (  # noqa: F401 - importable from here as before
    _align_computed,
    _axes,
    _build_charts,
    _CENTERED,
    _chart_col,
    _clear,
    _COLUMN_LOOKS,
    _finish_dashboard,
    _finish_generated,
    _finish_worklist,
    _height,
    _lines,
    _put_rows,
    _SMALL,
    _style_array,
    _style_backlog,
    _style_header_row,
    _style_kpis,
    _style_matrix,
    _style_payers_table,
    _style_problems,
    _style_status,
    _style_worklist_table,
    _STYLES,
    _text,
    _text_categories,
    _WORKLIST_DATES,
    _worklist_look,
    _WRAPPED,
    _write_blocks,
    put,
)
from claimbook.workbook.newtracker import (  # noqa: F401 - importable from here as before
    _add_defined_names,
    _build_claims,
    _build_dashboard,
    _build_howto,
    _build_log,
    _build_payers,
    _build_settings,
    _build_worklist,
    _claims_conditional_formats,
    _claims_validations,
    _date_validation,
    _ensure_settings_rows,
    _format_claim_column,
    _initial_blocks,
    _print_setup,
    _read_howto,
    _style_computed_headers,
    _style_setting_row,
    HOWTO_PAGE_HEIGHT,
    HOWTO_TEXT,
    HOWTO_WIDTH,
    new_tracker,
)
from claimbook.workbook.ensure import (  # noqa: F401 - importable from here as before
    _add_computed_columns,
    _extend_table,
    _table_last_row,
    _table_names,
    ensure_tracker,
)


def write_generated(wb, output: RefreshOutput, rules=None) -> None:
    """Write the Worklist, Dashboard and Payers blocks (cleared first), styled, with the charts.

    Writing the same output twice gives the same cells. Text is always written as text, never as a
    formula, whatever it starts with.
    """
    missing = [name for name in (S.WORKLIST, S.DASHBOARD, S.PAYERS) if name not in wb.sheetnames]
    if missing:
        if rules is None:
            raise TrackerError(f"This workbook has no {', '.join(missing)} sheet. Run 'claimbook refresh' to add it.")
        ensure_tracker(wb, rules)
    blocks = S.generated_blocks(output)
    _write_blocks(wb, blocks)
    nb = min(len(output.dashboard.buckets), S.MAX_BUCKETS)
    _finish_generated(wb, nb, list(output.worklist.header), len(output.worklist.rows))
    _align_computed(wb)


__all__ = ["new_tracker", "ensure_tracker", "write_generated", "put", "HOWTO_TEXT"]
