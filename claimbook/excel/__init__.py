"""claimbook inside Excel, through xlwings (BSD part only).

``macros``: the ribbon buttons, called by the workbook's VBA with ``RunPython``, e.g.
``RunPython "import claimbook.excel.macros as m; m.refresh()"``.
``udfs``: worksheet functions (``=CB_TF_DEADLINE(...)``), Windows Excel only.

Nothing here is imported by the rest of claimbook, so the command line never needs xlwings.
"""
