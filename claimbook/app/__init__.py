"""The application layer: one session, one set of use cases, every front door a thin adapter.

    front doors   claimbook.commands (CLI)   claimbook.excel.macros (ribbon)   claimbook.excel.udfs (cells)
                        |                            |                                 |
    application   claimbook.app: context.Session (tracker, Settings, rules folder, rules, as-of, date order,
                  backups) and the use cases: refresh / evaluate / evaluate_row / find_claim (refresh.py),
                  import_files (importing.py), check_rules (rulescheck.py), worksheet-function rows
                  (cells.py), the demo (demo.py)
                        |                            |
    edges         claimbook.workbook.edge.FileEdge (openpyxl)   claimbook.excel.edge.LiveEdge (xlwings)
                  both implement claimbook.app.edge.Edge: read blocks, write blocks, add a sheet, save
                        |
    core          claimbook.pipeline.run_blocks -> table (cells <-> claims) -> engine -> rules, model

A use case only talks to an ``Edge``; it never imports openpyxl or xlwings.
"""
