Attribute VB_Name = "ClaimbookStart"
' Starts claimbook's Python for the ribbon buttons (ClaimbookRibbon) through xlwings' RunPython, and
' says in claimbook's words what is wrong when Python cannot do the work: no Python at the path on the
' xlwings.conf sheet (instead of xlwings' "Could not find Interpreter!"), or claimbook, or a part it
' needs, not installed in that Python (instead of a ModuleNotFoundError traceback). The xlwings.conf
' sheet sets SHOW_ERROR_POPUPS to False, so xlwings puts what Python printed on a sheet named "Error";
' this module reads it, removes that sheet and shows a plain message. claimbook's own code never lets an
' error reach xlwings (claimbook.excel.macros shows its own messages), so anything there is a start-up
' problem.
' Source of truth: claimbook/template_src/vba/ClaimbookStart.bas (rebuild: claimbook template build).
Option Explicit
Option Private Module

Private Const TITLE As String = "claimbook"
Private Const ERROR_SHEET As String = "Error"

Public Sub ClaimbookRun(ByVal pythonCode As String)
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
        ' The same test xlwings makes before it says "Could not find Interpreter!" (Windows only; on a
        ' Mac, Excel's sandbox cannot look into the folder, so xlwings does not test it either).
        If interpreter = "" Or Not FileExists(interpreter) Then
            MsgBox "claimbook cannot find Python on this computer, so the button cannot run." & vbLf & vbLf & _
                   "The tracker looks for it here (xlwings.conf sheet, INTERPRETER_WIN):" & vbLf & _
                   interpreter & vbLf & vbLf & InstallAdvice(), vbCritical, TITLE
            Exit Sub
        End If
    #End If
    If interpreter = "" Then
        MsgBox "This tracker does not say where Python is, so the button cannot run." & vbLf & vbLf & _
               InstallAdvice(), vbCritical, TITLE
        Exit Sub
    End If
    If SheetExists(ThisWorkbook, ERROR_SHEET) Then
        MsgBox "This workbook has a sheet named """ & ERROR_SHEET & """. claimbook's buttons need that name " & _
               "for their own messages: please rename that sheet (right-click its tab > Rename) and press " & _
               "the button again.", vbExclamation, TITLE
        Exit Sub
    End If
    RunPython pythonCode
    If SheetExists(ThisWorkbook, ERROR_SHEET) Then ExplainFailedStart
End Sub

Private Sub ExplainFailedStart()
    ' xlwings wrote what Python printed into A1 of the "Error" sheet it has just added.
    Dim said As String, alerts As Boolean
    said = CStr(ThisWorkbook.Worksheets(ERROR_SHEET).Range("A1").Value)
    alerts = Application.DisplayAlerts
    Application.DisplayAlerts = False
    ThisWorkbook.Worksheets(ERROR_SHEET).Delete
    Application.DisplayAlerts = alerts
    MsgBox StartProblem(said), vbCritical, TITLE
End Sub

Public Function StartProblem(ByVal said As String) As String
    ' What Python printed when it could not start claimbook, in claimbook's words.
    Dim missing As String
    missing = MissingModule(said)
    If missing = "claimbook" Or missing = "xlwings" Then
        StartProblem = "Python starts, but claimbook is not installed in it (it has no '" & missing & "')." & _
                       vbLf & vbLf & InstallAdvice()
    ElseIf missing <> "" Then
        StartProblem = "claimbook's installation is not complete: a part it needs ('" & missing & _
                       "') is missing." & vbLf & vbLf & InstallAdvice()
    Else
        StartProblem = "claimbook could not start. Python said:" & vbLf & LastLine(said) & vbLf & vbLf & _
                       InstallAdvice() & vbLf & vbLf & _
                       "If it keeps happening, send this message to whoever supports claimbook."
    End If
End Function

Private Function MissingModule(ByVal said As String) As String
    ' "ModuleNotFoundError: No module named 'claimbook.excel'" -> "claimbook"
    Dim at As Long, moduleName As String
    at = InStr(1, said, "No module named '", vbBinaryCompare)
    If at = 0 Then Exit Function
    moduleName = Mid$(said, at + Len("No module named '"))
    If InStr(moduleName, "'") > 0 Then moduleName = Left$(moduleName, InStr(moduleName, "'") - 1)
    If InStr(moduleName, ".") > 0 Then moduleName = Left$(moduleName, InStr(moduleName, ".") - 1)
    MissingModule = moduleName
End Function

Private Function LastLine(ByVal said As String) As String
    Dim lines As Variant, i As Long
    lines = Split(Replace(said, vbCr, ""), vbLf)
    For i = UBound(lines) To LBound(lines) Step -1
        If Trim$(lines(i)) <> "" And InStr(lines(i), "Press Ctrl+C") = 0 Then
            LastLine = Trim$(lines(i))
            Exit Function
        End If
    Next i
End Function

Private Function InstallAdvice() As String
    #If Mac Then
        InstallAdvice = "To fix it: close this tracker, double-click 'Install claimbook.command' in the claimbook " & _
                        "folder (or type ~/.claimbook/venv/bin/claimbook excel install in Terminal), then open " & _
                        "the tracker again."
    #Else
        InstallAdvice = "To fix it: close this tracker, double-click 'Install claimbook.cmd' in the claimbook " & _
                        "folder (or type %LOCALAPPDATA%\claimbook\venv\Scripts\claimbook excel install in " & _
                        "Command Prompt), then open the tracker again."
    #End If
End Function
