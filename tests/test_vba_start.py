"""ClaimbookStart.bas, the VBA that starts Python for the ribbon buttons, run for real: LibreOffice
executes VBA, so the message an office manager sees when Python cannot start claimbook is checked here
(in LibreOffice ``#If Mac`` is false: the Windows wording). Excel itself is covered by
docs/excel-acceptance.md."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from claimbook.template import ovba
from claimbook.template.build import START_MODULE, VBA_SOURCES, _text
from claimbook.template.ovba import VbaModule
from tests.test_ovba import _uno_python, make_xlsm

pytestmark = pytest.mark.libreoffice

_RUN_VBA = r'''import json, os, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

doc_path, profile, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
pipe = "claimbook_" + uuid.uuid4().hex
proc = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                         "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe); break
        except Exception:
            time.sleep(0.25)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(doc_path)), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    sp = doc.getScriptProvider()
    out = []
    for name, arg in calls:
        script = sp.getScript("vnd.sun.star.script:VBAProject.%s?language=Basic&location=document" % name)
        out.append(script.invoke((arg,), (), ())[0])
    doc.close(True)
    print(json.dumps(out))
finally:
    try:
        if desktop is not None: desktop.terminate()
    except Exception: pass
    try: proc.wait(timeout=60)
    except subprocess.TimeoutExpired: proc.kill()
'''

CLICK_TO_COPY = "Press Ctrl+C to copy this message to the clipboard."  # xlwings adds it on Windows
ADVICE = ("To fix it: close this tracker, double-click 'Install claimbook.cmd' in the claimbook folder (or type "
          "%LOCALAPPDATA%\\claimbook\\venv\\Scripts\\claimbook excel install in Command Prompt), then open "
          "the tracker again.")


def _start_problem(tmp_path: Path, *said: str) -> list[str]:
    python = _uno_python()
    if python is None:
        pytest.skip("LibreOffice (soffice) with python3-uno is not installed")
    modules = [VbaModule("ThisWorkbook", "document", 'Attribute VB_Name = "ThisWorkbook"\n'),
               VbaModule("Sheet1", "document", 'Attribute VB_Name = "Sheet1"\n'),
               VbaModule("Sheet2", "document", 'Attribute VB_Name = "Sheet2"\n'),
               VbaModule(START_MODULE, "standard", _text(VBA_SOURCES / f"{START_MODULE}.bas"))]
    book = tmp_path / "start.xlsm"
    book.write_bytes(make_xlsm(ovba.build_vba_project(modules)))
    script = tmp_path / "run_vba.py"
    script.write_text(_RUN_VBA)
    calls = json.dumps([[f"{START_MODULE}.StartProblem", text] for text in said])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    run = subprocess.run([python, str(script), str(book), str(tmp_path / "profile"), calls],
                         capture_output=True, text=True, timeout=240, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_start_problems_are_told_in_claimbooks_words(tmp_path: Path) -> None:
    no_claimbook = ("Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
                    "ModuleNotFoundError: No module named 'claimbook'\n" + CLICK_TO_COPY + "\n")
    no_xlwings = "ModuleNotFoundError: No module named 'xlwings'\n"
    no_part = "Traceback ...\nModuleNotFoundError: No module named 'openpyxl.styles'\n"
    other = "Traceback ...\nPermissionError: [WinError 5] Access is denied\n\n" + CLICK_TO_COPY
    said = _start_problem(tmp_path, no_claimbook, no_xlwings, no_part, other)
    assert said[0] == "Python starts, but claimbook is not installed in it (it has no 'claimbook').\n\n" + ADVICE
    assert said[1] == "Python starts, but claimbook is not installed in it (it has no 'xlwings').\n\n" + ADVICE
    assert said[2] == ("claimbook's installation is not complete: a part it needs ('openpyxl') is missing.\n\n"
                       + ADVICE)
    assert said[3] == ("claimbook could not start. Python said:\nPermissionError: [WinError 5] Access is denied"
                       "\n\n" + ADVICE + "\n\nIf it keeps happening, send this message to whoever supports "
                       "claimbook.")
    assert not any("Traceback" in text or CLICK_TO_COPY in text for text in said)


def test_every_ribbon_button_goes_through_claimbook_run() -> None:
    ribbon = _text(VBA_SOURCES / "ClaimbookRibbon.bas")
    start = _text(VBA_SOURCES / f"{START_MODULE}.bas")
    assert "RunPython" not in ribbon.replace("xlwings' RunPython", "")
    assert ribbon.count("    ClaimbookRun \"import claimbook.excel.macros as m; m.") == 7
    # the same interpreter test as xlwings' "Could not find Interpreter!", before RunPython
    assert 'If interpreter = "" Or Not FileExists(interpreter) Then' in start
    assert start.index("FileExists(interpreter)") < start.index("    RunPython pythonCode")
    assert "Option Private Module" in start  # not offered as a macro or a worksheet function
