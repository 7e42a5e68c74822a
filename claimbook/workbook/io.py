"""Reading and writing a tracker workbook with openpyxl: open once, find the blocks, write cells, save.

Cell values are read straight from the worksheet's cell store, so reading never creates empty cells
(which would change the saved file). Text that came from outside is always written as a string cell,
never as a formula. Saving goes to a temporary file in the same folder, is flushed to disk, and only
then replaces the workbook (``os.replace``), so a crash leaves the original as it was.

The work is split by step: ``opening``, ``places`` (finding and reading blocks), ``writing``,
``saving`` and ``importlog``. Every name stays importable from ``claimbook.workbook.io``.
"""

from __future__ import annotations

from claimbook.workbook.opening import (  # noqa: F401 - importable from here as before
    _coordinate,
    _DATE_WARNING,
    _drawing_kinds,
    _EXT_KINDS,
    _IMPORT_SUFFIXES,
    _local,
    _lock_files,
    _lost_dates,
    _lost_dates_message,
    _no_lotus_leap_day,
    _PLAIN,
    _reindex_styles,
    _rels,
    _ZIP_TIME,
    check_file,
    check_not_open,
    check_writable,
    CLAIMS_NAME,
    content_openpyxl_drops,
    DATE_FORMAT,
    load,
    LOG_NAMES,
    SETTINGS_SHEET,
)
from claimbook.workbook.places import (  # noqa: F401 - importable from here as before
    MAX_GAP,
    _bounds,
    _find_table,
    _max_col,
    _max_row,
    _sheet,
    _table_place,
    _value,
    find_claims,
    find_log,
    Place,
    read_block,
    read_settings_rows,
)
from claimbook.workbook.writing import (  # noqa: F401 - importable from here as before
    _marked,
    ensure_columns,
    mark_computed,
    put,
    set_table_ref,
    unowned_computed_columns,
    us_date_defaults,
    write_computed,
)
from claimbook.workbook.saving import (  # noqa: F401 - importable from here as before
    _fsync_dir,
    _new_file_mode,
    _rotate_backups,
    _StableZip,
    backup_path,
    check_new_file,
    replace_atomic,
    save_atomic,
    temp_path,
    write_bytes_atomic,
    write_workbook,
)
from claimbook.workbook.importlog import (  # noqa: F401 - importable from here as before
    apply_edit,
    imported_hashes,
    read_import_log,
    write_import_log,
)


