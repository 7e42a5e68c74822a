"""``claimbook excel install``: copy or update the tracker, point it at this Python, keep the macros intact."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlwings
from openpyxl import load_workbook

from claimbook.cli import main
from claimbook.commands import excel
from claimbook.errors import ClaimbookError, TrackerError
from claimbook.template import build

ROOT = Path(__file__).resolve().parent.parent
MACRO_PARTS = ("xl/vbaProject.bin", "customUI/customUI.xml")
UI_REL = ('Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
          'Target="customUI/customUI.xml"')


@pytest.fixture(scope="module")
def template() -> bytes:
    return build.build_template_bytes()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _conf(path: Path) -> dict[str, object]:
    ws = load_workbook(path, keep_vba=True)["xlwings.conf"]
    return {str(r[0].value): r[1].value for r in ws.iter_rows(min_row=1, max_row=6, max_col=2)}


def _assert_macros_intact(path: Path, template: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(template)) as z:
        original = {n: z.read(n) for n in MACRO_PARTS}
    now = _parts(path)
    for name in MACRO_PARTS:
        assert now[name] == original[name], f"{name} changed"
    assert UI_REL in now["_rels/.rels"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in now["[Content_Types].xml"].decode()
    assert build.xlwings_version_in(path) == xlwings.__version__


@pytest.fixture
def tracker(tmp_path: Path, template: bytes) -> Path:
    path = tmp_path / "office" / "ClaimTracker.xlsm"
    path.parent.mkdir()
    path.write_bytes(template)
    return path


def _windows_python(tmp_path: Path) -> Path:
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_bytes(b"")
    (scripts / "pythonw.exe").write_bytes(b"")
    return scripts / "python.exe"


def test_fresh_copy_on_linux(tmp_path: Path, template: bytes) -> None:
    said: list[str] = []
    folder = tmp_path / "home" / "claimbook"
    assert excel.install(folder=folder, platform="linux", out=said.append) == 0
    book = folder / "ClaimTracker.xlsm"
    committed = build.committed_template()
    assert book.read_bytes() == (committed.read_bytes() if committed else template)
    assert (folder / "rules" / "settings.yaml").is_file()
    text = "\n".join(said)
    assert "Excel is not available on this system" in text
    assert f"xlwings {xlwings.__version__}: the workbook's macros and this Python match" in text
    assert "Unblock" in text and "Trust Center" in text and "Enable Macros" in text


def test_existing_tracker_is_kept(tmp_path: Path, tracker: Path) -> None:
    wb = load_workbook(tracker, keep_vba=True)
    wb["Claims"]["A2"] = "CLM-1"
    wb.save(tracker)
    before = tracker.read_bytes()
    said: list[str] = []
    assert excel.install(folder=tracker.parent, platform="linux", out=said.append) == 0
    assert tracker.read_bytes() == before
    assert "already there" in said[0]


def test_windows_writes_pythonw_and_keeps_the_macros(tmp_path: Path, tracker: Path, template: bytes) -> None:
    exe = _windows_python(tmp_path)
    said: list[str] = []
    assert excel.install(tracker, platform="win32", executable=str(exe), out=said.append) == 0
    conf = _conf(tracker)
    assert conf["INTERPRETER_WIN"] == str(exe.with_name("pythonw.exe"))
    assert conf["INTERPRETER_MAC"] == "$HOME/.claimbook/venv/bin/python"      # the other one is left alone
    assert conf["UDF MODULES"] == "claimbook.excel.udfs"
    _assert_macros_intact(tracker, template)
    assert any("(written on the xlwings.conf sheet)" in s for s in said)
    assert "macOS" not in "\n".join(said)
    wb = load_workbook(tracker, keep_vba=True)
    assert wb["xlwings.conf"].sheet_state == "hidden"
    assert [ws.sheet_properties.codeName for ws in wb.worksheets][-1] == "shXlwingsConf"

    once = tracker.read_bytes()                                   # again: nothing to change, file untouched
    said.clear()
    assert excel.install(tracker, platform="win32", executable=str(exe), out=said.append) == 0
    assert tracker.read_bytes() == once
    assert any("(already set on the xlwings.conf sheet)" in s for s in said)


def test_macos_writes_python_and_runs_runpython_install(tracker: Path, template: bytes) -> None:
    calls = []

    def runner(cmd, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "Successfully enabled RunPython!", "")

    said: list[str] = []
    exe = "/Users/pat/.claimbook/venv/bin/python"
    assert excel.install(tracker, platform="darwin", executable=exe, runner=runner, out=said.append) == 0
    assert calls == [[exe, "-m", "xlwings.cli", "runpython", "install"]]
    assert _conf(tracker)["INTERPRETER_MAC"] == exe
    assert _conf(tracker)["INTERPRETER_WIN"] == r"%LOCALAPPDATA%\claimbook\venv\Scripts\pythonw.exe"
    _assert_macros_intact(tracker, template)
    assert "Enable Macros" in "\n".join(said) and "Unblock" not in "\n".join(said)


def test_macos_runpython_install_failure_is_reported(tracker: Path) -> None:
    def runner(cmd, **kw):
        return subprocess.CompletedProcess(cmd, 1, "", "Permission denied")

    said: list[str] = []
    assert excel.install(tracker, platform="darwin", executable="/usr/bin/python3", runner=runner,
                         out=said.append) == 1
    text = "\n".join(said)
    assert "PROBLEM: 'xlwings runpython install' did not work (Permission denied)" in text
    assert "-m xlwings.cli runpython install" in text


def test_version_mismatch_is_a_problem(tracker: Path, monkeypatch) -> None:
    monkeypatch.setattr(xlwings, "__version__", "0.99.0")
    said: list[str] = []
    assert excel.install(tracker, platform="linux", out=said.append) == 1
    assert any("macros are from xlwings 0.37.8, but this Python has xlwings 0.99.0" in s for s in said)


def test_refuses_what_it_cannot_use(tmp_path: Path, tracker: Path) -> None:
    with pytest.raises(ClaimbookError, match="does not exist"):
        excel.install(tmp_path / "nope.xlsm", platform="linux", out=lambda s: None)
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(b"")
    with pytest.raises(ClaimbookError, match="not a macro-enabled workbook"):
        excel.install(plain, platform="linux", out=lambda s: None)
    (tracker.parent / ("~$" + tracker.name)).write_bytes(b"")     # Excel's lock file
    with pytest.raises(TrackerError, match="open in Excel"):
        excel.install(tracker, platform="linux", out=lambda s: None)


def test_workbook_without_conf_sheet_or_macros(tmp_path: Path, tracker: Path) -> None:
    wb = load_workbook(tracker, keep_vba=True)
    del wb["xlwings.conf"]
    wb.save(tracker)
    with pytest.raises(TrackerError, match="no 'xlwings.conf' sheet"):
        excel.write_conf(tracker, {"INTERPRETER_WIN": "x"})
    from openpyxl import Workbook

    bare = tmp_path / "bare.xlsm"
    Workbook().save(bare)
    with pytest.raises(TrackerError, match="no VBA project|Could not read the macros"):
        excel.install(bare, platform="linux", out=lambda s: None)


def test_nothing_is_written_if_the_macros_would_change(tracker: Path, monkeypatch) -> None:
    before = tracker.read_bytes()
    real = excel._macro_parts
    seen = []

    def flaky(parts):
        seen.append(1)
        got = dict(real(parts))
        if len(seen) == 2:                                            # the saved copy
            got["xl/vbaProject.bin"] = b"broken"
        return got

    monkeypatch.setattr(excel, "_macro_parts", flaky)
    with pytest.raises(TrackerError, match="nothing was written"):
        excel.write_conf(tracker, {"INTERPRETER_WIN": r"C:\py\pythonw.exe"})
    assert tracker.read_bytes() == before


def test_missing_key_is_added_inside_the_settings_block(tracker: Path) -> None:
    wb = load_workbook(tracker, keep_vba=True)
    ws = wb["xlwings.conf"]
    ws.delete_rows(1)                                                 # no INTERPRETER_WIN row any more
    wb.save(tracker)
    assert excel.write_conf(tracker, {"INTERPRETER_WIN": r"C:\py\pythonw.exe"}) == ["INTERPRETER_WIN"]
    ws = load_workbook(tracker)["xlwings.conf"]
    keys = []
    row = 1
    while ws.cell(row, 1).value:
        keys.append(ws.cell(row, 1).value)
        row += 1
    from claimbook.template.build import CONF_SETTINGS

    assert "INTERPRETER_WIN" in keys and len(keys) == len(CONF_SETTINGS)


_X14_CONDITIONAL_FORMAT = (
    b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" '
    b'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
    b'<xm:sqref>M2:M500</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')


def _with_x14_rule_on_claims(path: Path) -> None:
    """The tracker with an Excel 2010+ data bar on its Claims sheet (which openpyxl drops when it saves)."""
    names = load_workbook(path, keep_vba=True).sheetnames
    part = f"xl/worksheets/sheet{names.index('Claims') + 1}.xml"
    parts = _parts(path)
    parts[part] = parts[part].replace(b"</worksheet>", _X14_CONDITIONAL_FORMAT + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_windows_install_refuses_a_tracker_it_cannot_save_whole(tmp_path: Path, tracker: Path) -> None:
    import warnings

    _with_x14_rule_on_claims(tracker)
    before = tracker.read_bytes()
    exe = _windows_python(tmp_path)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        with pytest.raises(TrackerError) as err:
            excel.install(tracker, platform="win32", executable=str(exe), out=lambda s: None)
    assert said == []  # no openpyxl warning reaches the screen
    pythonw = exe.with_name("pythonw.exe")
    assert str(err.value) == (
        "ClaimTracker.xlsm has content claimbook cannot keep when it saves the file (Excel 2010+ conditional "
        "formatting on the Claims sheet). Instead, set it yourself in Excel on its xlwings.conf sheet: "
        f"INTERPRETER_WIN in column A (its row, or the first empty row) and {pythonw} beside it in column B; "
        "the file was not changed.")
    assert tracker.read_bytes() == before
    assert sorted(p.name for p in tracker.parent.iterdir()) == ["ClaimTracker.xlsm"]


def test_windows_install_saves_like_a_refresh(tmp_path: Path, tracker: Path, template: bytes) -> None:
    tracker.chmod(0o600)
    exe = _windows_python(tmp_path)
    assert excel.install(tracker, platform="win32", executable=str(exe), out=lambda s: None) == 0
    assert (tracker.parent / "ClaimTracker.backup-1.xlsm").read_bytes() == template  # kept, as refresh does
    assert _conf(tracker)["INTERPRETER_WIN"] == str(exe.with_name("pythonw.exe"))
    if sys.platform != "win32":
        assert oct(tracker.stat().st_mode & 0o777) == "0o600"
    (tracker.parent / "~$ClaimTracker.xlsm").write_bytes(b"left over")
    with pytest.raises(TrackerError, match="if Excel is not open, ~\\$ClaimTracker.xlsm is left over"):
        excel.install(tracker, platform="win32", executable=str(exe), out=lambda s: None)


def _greek_user(tmp_path: Path) -> Path:
    """A Windows venv under a user folder whose name Western Windows' ANSI code page (cp1252) cannot hold."""
    scripts = tmp_path / "Users" / "Ζωή" / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    for name in ("python.exe", "pythonw.exe"):
        (scripts / name).write_bytes(b"")
    return scripts / "python.exe"


def test_windows_user_folder_with_letters_excel_cannot_pass_on_gets_short_paths(tmp_path: Path,
                                                                              tracker: Path) -> None:
    exe = _greek_user(tmp_path)
    temp = r"C:\Users\Ζωή\AppData\Local\Temp"
    shorten = {str(exe.with_name("pythonw.exe")): str(exe.with_name("pythonw.exe")).replace("Ζωή", "ZOE~1"),
               temp: r"C:\Users\ZOE~1\AppData\Local\Temp"}.get
    said: list[str] = []
    assert excel.install(tracker, platform="win32", executable=str(exe), out=said.append,
                         paths=(temp, "cp1252", shorten)) == 0
    conf = _conf(tracker)
    assert conf["INTERPRETER_WIN"] == str(exe.with_name("pythonw.exe")).replace("Ζωή", "ZOE~1")
    ws = load_workbook(tracker)["xlwings.conf"]
    keys = [ws.cell(r, 1).value for r in range(1, len(build.CONF_SETTINGS) + 2)]
    assert keys[-1] == "TEMP DIR" and None not in keys                 # inside the block xlwings reads
    assert ws.cell(len(keys), 2).value == r"C:\Users\ZOE~1\AppData\Local\Temp"
    assert "Your Windows user folder has letters Excel's macros cannot pass on" in "\n".join(said)
    # Western letters fit the code page: nothing to change
    again: list[str] = []
    tracker2 = tracker.with_name("Other.xlsm")
    tracker2.write_bytes(build.build_template_bytes())
    assert excel.install(tracker2, platform="win32", executable=str(_windows_python(tmp_path / "w")),
                         out=again.append, paths=(r"C:\Users\Zoë\AppData\Local\Temp", "cp1252", shorten)) == 0
    assert "TEMP DIR" not in _conf(tracker2) and "cannot pass on" not in "\n".join(again)


def test_windows_user_folder_without_short_names_is_a_problem_told_plainly(tmp_path: Path, tracker: Path,
                                                                           monkeypatch) -> None:
    exe = _greek_user(tmp_path)
    monkeypatch.setenv("PUBLIC", str(tmp_path / "Public"))
    said: list[str] = []
    assert excel.install(tracker, platform="win32", executable=str(exe), out=said.append,
                         paths=(r"C:\Users\Ζωή\AppData\Local\Temp", "cp1252", lambda p: None)) == 1
    text = "\n".join(said)
    assert "PROBLEM: The path of Python" in text and "Ask your IT person to install Python" in text
    ws = load_workbook(tracker)["xlwings.conf"]
    temp_row = [r for r in range(1, 12) if ws.cell(r, 1).value == "TEMP DIR"][0]
    assert ws.cell(temp_row, 2).value == str(tmp_path / "Public" / "claimbook" / "temp")
    assert (tmp_path / "Public" / "claimbook" / "temp").is_dir()


def test_interpreter_settings() -> None:
    assert excel.interpreter_settings("linux", "/usr/bin/python3") == {}
    assert excel.interpreter_settings("darwin", "/opt/py/bin/python") == {"INTERPRETER_MAC": "/opt/py/bin/python"}
    # no pythonw.exe beside it: keep python.exe
    assert excel.interpreter_settings("win32", "/nowhere/python.exe") == {"INTERPRETER_WIN": "/nowhere/python.exe"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the real command only stays hands-off on Linux")
def test_cli_on_linux(tracker: Path, capsys) -> None:
    before = tracker.read_bytes()
    assert main(["excel", "install", "--workbook", str(tracker)]) == 0
    out = capsys.readouterr().out
    assert "Excel is not available on this system" in out and "Unblock" in out
    assert tracker.read_bytes() == before
