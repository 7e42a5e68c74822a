"""templates/ClaimTracker.xlsm: built from text sources, reproducibly, and proven by independent readers.

The committed file must equal a fresh build byte for byte. Everything else is read back from the built
file, not from the sources: the ribbon (schema, tips, callbacks), the VBA project (olevba strict,
pyOpenVBA's parsers and check_file, claimbook's own reader), the xlwings version, the codeNames, an
openpyxl round trip, and, when LibreOffice is installed, its import of the VBA and a rendering of the sheets.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from openpyxl import load_workbook
from pyopenvba import integrity
from pyopenvba.cfb import CFB
from pyopenvba.vba import parse_vba_project

from claimbook.cli import main
from claimbook.commands.template import differences
from claimbook.template import build, ovba
from tests.test_ovba import _libreoffice_modules, _uno_python, olevba_sources, olevba_strict

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "ClaimTracker.xlsm"
CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
PINNED_XLWINGS = "0.37.8"
SHEETS = ["Worklist", "Claims", "Follow-up Log", "Dashboard", "Payers", "Settings", "How to", "xlwings.conf"]
CODE_NAMES = ["shWorklist", "shClaims", "shLog", "shDashboard", "shPayers", "shSettings", "shHowTo",
              "shXlwingsConf"]
MODULES = ["ThisWorkbook", *CODE_NAMES, "ClaimbookRibbon", "ClaimbookStart", "xlwings", "Dictionary"]
BUTTONS = {"Refresh priorities": "refresh", "Explain claim": "explain_claim", "Log follow-up": "log_followup",
           "Import remittance": "import_remittance", "Check rules": "check_rules",
           "Open rules folder": "open_rules_folder", "Help": "show_help"}
PENDING_ENTRY_POINTS = {"import_remittance"}  # being written in claimbook.excel.macros


def _schema_path() -> Path | None:
    for candidate in (os.environ.get("CLAIMBOOK_CUSTOMUI_XSD"), ROOT / "schemas" / "customUI.xsd",
                      ROOT.parent / "shared" / "schemas" / "customUI.xsd"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").rstrip("\n").split("\n")


@pytest.fixture(scope="module")
def built() -> bytes:
    return build.build_template_bytes()


@pytest.fixture(scope="module")
def parts(built: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def vba_bin(parts: dict[str, bytes]) -> bytes:
    return parts["xl/vbaProject.bin"]


@pytest.fixture(scope="module")
def expected_modules() -> list[ovba.VbaModule]:
    return build.vba_modules(CODE_NAMES[:])


@pytest.fixture(scope="module")
def ribbon(parts: dict[str, bytes]) -> ET.Element:
    return ET.fromstring(parts["customUI/customUI.xml"])


# ------------------------------------------------------------------------------ the committed file
def test_committed_template_is_a_fresh_build(built: bytes) -> None:
    assert TEMPLATE.is_file(), "templates/ClaimTracker.xlsm is missing: run `claimbook template build`"
    committed = TEMPLATE.read_bytes()
    assert committed == built, (
        "templates/ClaimTracker.xlsm is not what its sources build; run `claimbook template build` and "
        "commit it. Differences: " + "; ".join(differences(committed, built)))


def test_build_is_deterministic(built: bytes, tmp_path: Path) -> None:
    assert build.build_template_bytes() == built
    out = build.build_template(tmp_path / "again.xlsm")
    assert out.read_bytes() == built


def test_build_does_not_record_the_build_machine(parts: dict[str, bytes]) -> None:
    markers = {str(ROOT), str(Path.home()), os.environ.get("USER") or "\0", "site-packages"}
    for name, data in parts.items():
        if name.endswith(".bin"):
            continue
        text = data.decode("utf-8")
        for marker in markers:
            assert marker not in text, f"{name} contains {marker!r}"


def test_package_parts(built: bytes, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {build.ZIP_DATE}
    ct = parts["[Content_Types].xml"].decode()
    assert re.search(r'PartName="/xl/workbook.xml" ContentType="application/vnd\.ms-excel\.sheet\.macroEnabled'
                     r'\.main\+xml"', ct)
    assert '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in ct
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' \
        in parts["xl/_rels/workbook.xml.rels"].decode()
    assert ('Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
            'Target="customUI/customUI.xml"') in parts["_rels/.rels"].decode()
    assert not any("customUI14" in n for n in parts)          # would lose its relationship in openpyxl
    core = parts["docProps/core.xml"].decode()
    assert core.count(build.DOC_DATE) == 2
    with olefile.OleFileIO(parts["xl/vbaProject.bin"], raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.exists("VBA/dir") and ole.exists("PROJECT")
        assert not [p for p in ole.listdir() if p[-1].startswith("__SRP_")]


# -------------------------------------------------------------------------------------- the ribbon
def test_ribbon_validates_against_customui_schema(parts: dict[str, bytes]) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    xsd = _schema_path()
    if xsd is None:
        pytest.skip("customUI.xsd not found (set CLAIMBOOK_CUSTOMUI_XSD to Microsoft's 2006/01 customUI.xsd)")
    schema = xmlschema.XMLSchema(str(xsd))
    schema.validate(parts["customUI/customUI.xml"].decode("utf-8"))
    assert schema.target_namespace == "http://schemas.microsoft.com/office/2006/01/customui"
    # negative control: the schema rejects a button with an attribute it does not know
    bad = parts["customUI/customUI.xml"].decode("utf-8").replace('size="large"', 'size="huge"', 1)
    assert not schema.is_valid(bad)


def test_every_button_is_explained(ribbon: ET.Element) -> None:
    tabs = ribbon.findall(f"{CUI}ribbon/{CUI}tabs/{CUI}tab")
    assert [t.get("label") for t in tabs] == ["Claims"]
    buttons = ribbon.findall(f".//{CUI}button")
    assert {b.get("label") for b in buttons} == set(BUTTONS)
    assert len({b.get("id") for b in buttons}) == len(buttons)
    for b in buttons:
        for attr in ("id", "label", "imageMso", "onAction", "screentip", "supertip"):
            assert (b.get(attr) or "").strip(), f"button {b.get('id')} has no {attr}"
        assert len(b.get("screentip")) <= 1024 and len(b.get("supertip")) <= 1024
    refresh = next(b for b in buttons if b.get("label") == "Refresh priorities")
    assert refresh.get("size") == "large" and refresh.get("imageMso") == "Refresh"


def _subs(source: str) -> dict[str, str]:
    """Sub/Function name -> its parameter list."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?(?:Sub|Function)[ \t]+(\w+)[ \t]*\(([^)]*)\)",
        source, re.M | re.I)}


def test_every_onaction_is_a_ribbon_sub_in_the_built_vba(ribbon: ET.Element, vba_bin: bytes) -> None:
    sources = olevba_strict(vba_bin)                        # read back from the built file
    for button in ribbon.findall(f".//{CUI}button"):
        callback = button.get("onAction")
        owners = [name for name, src in sources.items() if callback.lower() in {s.lower() for s in _subs(src)}]
        assert owners == ["ClaimbookRibbon"], f"{callback}: defined in {owners}"
        params = {k.lower(): v for k, v in _subs(sources["ClaimbookRibbon"]).items()}[callback.lower()]
        assert re.fullmatch(r"\s*control\s+As\s+IRibbonControl\s*", params, re.I), (callback, params)


def test_ribbon_subs_only_hand_over_to_python(ribbon: ET.Element, vba_bin: bytes) -> None:
    import claimbook.excel.macros as macros

    source = olevba_strict(vba_bin)["ClaimbookRibbon"]
    bodies = dict(re.findall(r"Sub (\w+)\(control As IRibbonControl\)\r?\n(.*?)\r?\nEnd Sub", source, re.S))
    by_label = {b.get("label"): b.get("onAction") for b in ribbon.findall(f".//{CUI}button")}
    missing = []
    for label, entry in BUTTONS.items():
        body = bodies[by_label[label]].strip()
        assert body == f'ClaimbookRun "import claimbook.excel.macros as m; m.{entry}()"', (label, body)
        if not callable(getattr(macros, entry, None)):
            missing.append(entry)
    assert set(missing) <= PENDING_ENTRY_POINTS, f"ribbon buttons call missing entry points: {missing}"


def test_pending_entry_points_exist() -> None:
    import claimbook.excel.macros as macros

    assert BUTTONS["Import remittance"] == "import_remittance"  # the ribbon button calls it
    assert all(callable(getattr(macros, name, None)) for name in PENDING_ENTRY_POINTS)


# ----------------------------------------------------------------------------------------- the VBA
def test_olevba_reads_exactly_the_sources(built: bytes, vba_bin: bytes,
                                          expected_modules: list[ovba.VbaModule]) -> None:
    strict = olevba_strict(vba_bin)
    assert list(strict) == MODULES
    for m in expected_modules:
        assert _lines(strict[m.name]) == _lines(ovba.module_source(m)), m.name
    via_xlsm = olevba_sources(built, "ClaimTracker.xlsm")
    assert set(via_xlsm) == set(MODULES)                    # all through the dir stream, no fallback scan


def test_pyopenvba_reads_exactly_the_sources(tmp_path: Path, built: bytes, vba_bin: bytes,
                                             expected_modules: list[ovba.VbaModule]) -> None:
    cfb_obj = CFB.from_bytes(vba_bin)
    parsed = parse_vba_project(cfb_obj)
    assert parsed.validate(cfb_obj) == []
    assert parsed.name == "VBAProject" and parsed.code_page == 1252
    assert [r.name for r in parsed.references] == ["stdole", "Office"]   # Office: IRibbonControl
    assert [m.name for m in parsed.modules] == MODULES
    for ours, theirs in zip(expected_modules, parsed.modules):
        assert theirs.kind.value == (0x21 if ours.kind == "standard" else 0x22), ours.name
        assert _lines(theirs.source) == _lines(ovba.module_source(ours)), ours.name
    path = tmp_path / "ClaimTracker.xlsm"
    path.write_bytes(built)
    report = integrity.check_file(path)
    assert report.ok, report.issues
    assert report.issues == ()


def test_own_reader_reads_exactly_the_sources(built: bytes, expected_modules: list[ovba.VbaModule]) -> None:
    read = build.read_vba_modules(built)
    assert list(read) == MODULES
    for m in expected_modules:
        assert read[m.name] == ovba.module_source(m)


def test_xlwings_runtime_is_the_installed_pinned_bsd_one(built: bytes) -> None:
    pin = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
           if re.match(r"xlwings\b", d)]
    assert pin == [f"xlwings=={PINNED_XLWINGS}"]
    assert xlwings.__version__ == PINNED_XLWINGS
    assert build.xlwings_version_in(built) == xlwings.__version__
    assert build.xlwings_version_in(TEMPLATE) == xlwings.__version__
    installed = Path(xlwings.__file__).parent
    read = build.read_vba_modules(built)
    assert _lines(read["xlwings"])[1:] == _lines((installed / "xlwings.bas").read_text("cp1252"))[1:]
    assert "BSD 3-clause license" in read["xlwings"]
    original = _lines((installed / "addin" / "Dictionary.cls").read_text("cp1252"))
    body = original[next(i for i, ln in enumerate(original) if ln.startswith("Option")):]
    assert _lines(read["Dictionary"])[-len(body):] == body


def test_document_modules_match_the_codenames(built: bytes, vba_bin: bytes) -> None:
    wb = load_workbook(io.BytesIO(built), keep_vba=True)
    assert wb.sheetnames == SHEETS
    assert wb.code_name == "ThisWorkbook"
    assert [ws.sheet_properties.codeName for ws in wb.worksheets] == CODE_NAMES
    parsed = parse_vba_project(CFB.from_bytes(vba_bin))
    documents = [m.name for m in parsed.modules if m.kind.value == 0x22 and m.name != "Dictionary"]
    assert documents == ["ThisWorkbook", *CODE_NAMES]
    with olefile.OleFileIO(vba_bin) as ole:
        project = ole.openstream("PROJECT").read().decode("cp1252")
    assert re.findall(r"^Document=(\w+)/&H00000000\r$", project, re.M) == ["ThisWorkbook", *CODE_NAMES]
    assert re.findall(r"^Class=(\w+)\r$", project, re.M) == ["Dictionary"]


# ---------------------------------------------------------------------------------------- openpyxl
def test_openpyxl_round_trip_keeps_macros_and_ribbon(tmp_path: Path, built: bytes,
                                                     parts: dict[str, bytes]) -> None:
    src = tmp_path / "in.xlsm"
    src.write_bytes(built)
    wb = load_workbook(src, keep_vba=True)
    wb["Settings"]["B4"] = 10
    out = tmp_path / "out.xlsm"
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        again = {n: z.read(n) for n in z.namelist()}
    assert again["xl/vbaProject.bin"] == parts["xl/vbaProject.bin"]
    assert again["customUI/customUI.xml"] == parts["customUI/customUI.xml"]
    assert ('Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
            'Target="customUI/customUI.xml"') in again["_rels/.rels"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in again["[Content_Types].xml"].decode()
    wb2 = load_workbook(out, keep_vba=True)
    assert wb2.sheetnames == SHEETS
    assert set(wb2["Claims"].tables) == {"Claims"} and set(wb2["Follow-up Log"].tables) == {"FollowUpLog"}
    assert [ws.sheet_properties.codeName for ws in wb2.worksheets] == CODE_NAMES


def test_xlwings_conf_sheet(built: bytes) -> None:
    wb = load_workbook(io.BytesIO(built))
    ws = wb["xlwings.conf"]
    assert wb.sheetnames[-1] == "xlwings.conf" and ws.sheet_state == "hidden"
    keys = []
    row = 1
    while ws.cell(row, 1).value:                              # how xlwings.bas reads it: A1 down
        keys.append(ws.cell(row, 1).value)
        row += 1
    assert keys == ["INTERPRETER_WIN", "INTERPRETER_MAC", "ADD_WORKBOOK_TO_PYTHONPATH", "SHOW CONSOLE",
                    "USE UDF SERVER", "UDF MODULES", "SHOW_ERROR_POPUPS"]
    values = {k: ws.cell(i, 2).value for i, k in enumerate(keys, start=1)}
    assert values["INTERPRETER_WIN"] == r"%LOCALAPPDATA%\claimbook\venv\Scripts\pythonw.exe"
    assert values["INTERPRETER_MAC"] == "$HOME/.claimbook/venv/bin/python"
    assert values["SHOW CONSOLE"] is False and values["USE UDF SERVER"] is False
    assert values["ADD_WORKBOOK_TO_PYTHONPATH"] is False
    assert values["UDF MODULES"] == "claimbook.excel.udfs"
    # xlwings.bas: If GetConfig("SHOW_ERROR_POPUPS", "True") = "False" -> what Python printed goes to an
    # "Error" sheet, which ClaimbookStart turns into claimbook's message. Text, so the comparison holds.
    assert values["SHOW_ERROR_POPUPS"] == "False"
    for i in range(1, len(keys) + 1):
        assert len(ws.cell(i, 3).value or "") > 20, f"row {i} has no explanation in column C"
    import importlib

    importlib.import_module(values["UDF MODULES"])


# ---------------------------------------------------------------------------------------- commands
def test_template_check_command(tmp_path: Path, built: bytes, capsys) -> None:
    good = tmp_path / "good.xlsm"
    good.write_bytes(built)
    assert main(["template", "check", "--file", str(good)]) == 0
    assert "up to date" in capsys.readouterr().out
    with zipfile.ZipFile(io.BytesIO(built)) as z:
        stale_parts = {n: z.read(n) for n in z.namelist()}
    stale_parts["customUI/customUI.xml"] = stale_parts["customUI/customUI.xml"].replace(b"Help", b"Hilfe")
    stale = tmp_path / "stale.xlsm"
    stale.write_bytes(build._package(stale_parts))
    assert main(["template", "check", "--file", str(stale)]) == 1
    out = capsys.readouterr().out
    assert "out of date" in out and "changed: customUI/customUI.xml" in out
    assert "claimbook template build" in out
    assert main(["template", "check", "--file", str(tmp_path / "none.xlsm")]) == 1


def test_template_build_command(tmp_path: Path, built: bytes, capsys) -> None:
    out = tmp_path / "T.xlsm"
    assert main(["template", "build", "--out", str(out)]) == 0
    assert out.read_bytes() == built
    assert str(out) in capsys.readouterr().out


def test_template_build_never_replaces_a_file_without_force(tmp_path: Path, built: bytes, capsys) -> None:
    tracker = tmp_path / "ClaimTracker.xlsm"
    tracker.write_bytes(b"a tracker full of claims")
    tracker.chmod(0o600)
    assert main(["template", "build", "--out", str(tracker)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"claimbook: {tracker} already exists and claimbook template build does not replace it: it may be a "
        "tracker with your claims. Give a new file name, or add --force to replace it (the old file is then kept "
        "as ClaimTracker.backup-1.xlsm).")
    assert tracker.read_bytes() == b"a tracker full of claims"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ClaimTracker.xlsm"]

    assert main(["template", "build", "--out", str(tracker), "--force"]) == 0
    assert "The file that was there is kept as ClaimTracker.backup-1.xlsm." in capsys.readouterr().out
    assert tracker.read_bytes() == built
    assert (tmp_path / "ClaimTracker.backup-1.xlsm").read_bytes() == b"a tracker full of claims"
    if os.name == "posix":
        assert oct(tracker.stat().st_mode & 0o777) == "0o600"


def test_template_build_into_a_missing_folder_says_so(tmp_path: Path, capsys) -> None:
    out = tmp_path / "nonexist" / "dir" / "T.xlsm"
    assert main(["template", "build", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (f"claimbook: The folder {out.parent} does not exist. Create it "
                                               "first, or give a file name in a folder that exists; nothing was "
                                               "written.")
    assert not (tmp_path / "nonexist").exists()


# -------------------------------------------------------------------------------------- LibreOffice
def render(xlsm: Path, outdir: Path, dpi: int = 60) -> list[Path]:
    """Render every visible sheet with LibreOffice (PDF, one page per printed page), then to PNGs."""
    profile = outdir / "lo-profile"
    run = subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                          "--convert-to", "pdf", "--outdir", str(outdir), str(xlsm)],
                         capture_output=True, text=True, timeout=240)
    pdf = outdir / (xlsm.stem + ".pdf")
    assert run.returncode == 0 and pdf.is_file(), run.stderr
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(outdir / xlsm.stem)], check=True,
                   timeout=240)
    return sorted(outdir.glob(f"{xlsm.stem}*.png"))


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_imports_the_vba_and_renders_the_sheets(tmp_path: Path, built: bytes,
                                                            ribbon: ET.Element) -> None:
    python = _uno_python()
    if python is None:
        pytest.skip("LibreOffice (soffice) with python3-uno is not installed")
    found = _libreoffice_modules(tmp_path, built, python)
    vba = {k.split(".", 1)[1]: v for k, v in found.items() if k.startswith("VBAProject.")}
    assert set(vba) == set(MODULES)
    # com.sun.star.script.ModuleType: NORMAL 1, CLASS 2, DOCUMENT 4
    assert {n: i["type"] for n, i in vba.items()} == {
        **{n: 4 for n in ["ThisWorkbook", *CODE_NAMES]}, "ClaimbookRibbon": 1, "ClaimbookStart": 1, "xlwings": 1,
        "Dictionary": 2}
    assert vba["ClaimbookRibbon"]["subs"] == [b.get("onAction") for b in ribbon.findall(f".//{CUI}button")]
    assert {"RunPython", "GetConfig", "GetConfigFromSheet"} <= set(vba["xlwings"]["subs"])

    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    book = tmp_path / "render" / "ClaimTracker.xlsm"
    book.parent.mkdir()
    book.write_bytes(built)
    pngs = render(book, book.parent)
    assert len(pngs) >= 7 and all(p.stat().st_size > 1000 for p in pngs)
    text = subprocess.run(["pdftotext", "-layout", str(book.with_suffix(".pdf")), "-"], capture_output=True,
                          text=True, check=True).stdout
    for title in ("Worklist: the claims to work today",
                  "Dashboard: the follow-up backlog, and open AR (billed claims not yet paid) by payer and age", "Payer rules in use", "How to use this claim tracker", "Worklist - page 1 of"):
        assert title in text, title
    assert "INTERPRETER_WIN" not in text                     # xlwings.conf is hidden, so not printed
    keep = os.environ.get("CLAIMBOOK_RENDER_DIR")
    if keep:
        for p in pngs:
            shutil.copy(p, Path(keep) / p.name)


def render_sheet(xlsm: bytes, sheet: str, png: Path, dpi: int = 100, height_in: float | None = None) -> Path:
    """One sheet of a workbook as a PNG (LibreOffice print layout, first page, optionally only the top
    ``height_in`` inches). Used for the pictures in docs/images/template-*.png."""
    import tempfile

    wb = load_workbook(io.BytesIO(xlsm))
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    wb[sheet].sheet_state = "visible"
    wb.active = 0
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "sheet.xlsx"
        wb.save(book)
        profile = Path(tmp) / "lo-profile"
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(book)], capture_output=True, check=True,
                       timeout=240)
        crop = ["-W", str(int(11 * dpi)), "-H", str(int(height_in * dpi))] if height_in else []
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", *crop,
                        str(book.with_suffix(".pdf")), str(png.with_suffix(""))], check=True, timeout=240)
    return png


def test_template_commands_outside_a_checkout_ask_for_a_path(monkeypatch, capsys, tmp_path):
    import claimbook.template.build as build
    from claimbook.cli import main

    monkeypatch.setattr(build, "in_checkout", lambda: False)
    assert main(["template", "check"]) == 2
    assert "--file" in capsys.readouterr().err
    assert main(["template", "build"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["template", "build", "--out", str(tmp_path / "T.xlsm")]) == 0
    assert main(["template", "check", "--file", str(tmp_path / "T.xlsm")]) == 0
