Attribute VB_Name = "ClaimbookRibbon"
' The "Claims" ribbon tab (customUI.xml): one Sub per button, each hands over to Python.
' No logic here: the work is done by claimbook.excel.macros, started by ClaimbookStart.ClaimbookRun
' (xlwings' RunPython, with claimbook's own messages when Python cannot start).
' Source of truth: claimbook/template_src/vba/ClaimbookRibbon.bas (rebuild: claimbook template build).
Option Explicit

Public Sub ClaimsRefresh(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.refresh()"
End Sub

Public Sub ClaimsExplain(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.explain_claim()"
End Sub

Public Sub ClaimsLogFollowup(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.log_followup()"
End Sub

Public Sub ClaimsImportRemittance(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.import_remittance()"
End Sub

Public Sub ClaimsCheckRules(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.check_rules()"
End Sub

Public Sub ClaimsOpenRulesFolder(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.open_rules_folder()"
End Sub

Public Sub ClaimsHelp(control As IRibbonControl)
    ClaimbookRun "import claimbook.excel.macros as m; m.show_help()"
End Sub
