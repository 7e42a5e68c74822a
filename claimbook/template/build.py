"""Build ``templates/ClaimTracker.xlsm`` from text sources, without Excel, byte for byte reproducibly.

Sources (all text, all diffable):

* the sheets: ``claimbook.workbook.layout.new_tracker`` with the shipped default rules, plus an
  ``xlwings.conf`` sheet (hidden, last) holding the settings xlwings' ``RunPython`` reads;
* the ribbon: ``claimbook/template_src/customUI.xml`` (2006/01 namespace, survives openpyxl);
* the VBA: ``claimbook/template_src/vba/`` (the ribbon callbacks, ``ThisWorkbook`` and one empty document
  module per sheet, named after the sheets' codeNames) and xlwings' own VBA runtime, ``xlwings.bas`` and
  ``addin/Dictionary.cls``, read from the **installed, pinned** xlwings package (BSD part only).

openpyxl writes the workbook; the zip is then rewritten with ``xl/vbaProject.bin`` (from
:func:`claimbook.template.ovba.build_vba_project`), ``customUI/customUI.xml``, their relationships, the
macro-enabled content type, fixed document dates, fixed zip timestamps and a fixed part order, so two
builds give identical bytes.

Also here: a small reader for what the build wrote (:func:`read_vba_modules`, :func:`xlwings_version_in`),
used by ``claimbook excel install`` to check the workbook's xlwings version without Excel.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import io
import re
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import claimbook
from claimbook.errors import TrackerError
from claimbook.template import ovba
from claimbook.template.ovba import VbaModule

__all__ = [
    "CONF_SHEET",
    "TEMPLATE_NAME",
    "build_template",
    "build_template_bytes",
    "committed_template",
    "ribbon_xml",
    "read_vba_modules",
    "vba_modules",
    "xlwings_runtime",
    "xlwings_version_in",
]

TEMPLATE_NAME = "ClaimTracker.xlsm"
SOURCES = Path(claimbook.__file__).resolve().parent / "template_src"
VBA_SOURCES = SOURCES / "vba"
RIBBON_MODULE = "ClaimbookRibbon"
START_MODULE = "ClaimbookStart"  # starts Python for the ribbon; claimbook's words when it cannot

CONF_SHEET = "xlwings.conf"  # xlwings.bas: PROJECT_NAME & ".conf"; keys from A1 down, values in B
CONF_CODE_NAME = "shXlwingsConf"

# Fixed inputs that would otherwise be "now": the day whose payer rules the Payers sheet shows until
# the first refresh, the document dates in docProps/core.xml and every zip entry's timestamp.
TEMPLATE_AS_OF = date(2026, 1, 1)
DOC_DATE = "2026-01-01T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
RULES_SHOWN_AS = "The rules that come with claimbook (press Refresh priorities to show the rules this workbook uses)"

CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_UI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
CUSTOMUI_PART = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"

# (key, template value, what it is for). Keys must stay contiguous from A1: xlwings reads A1 down to
# the first blank cell. `claimbook excel install` writes the interpreter of the Python it runs in.
CONF_SETTINGS: tuple[tuple[str, object, str], ...] = (
    ("INTERPRETER_WIN", r"%LOCALAPPDATA%\claimbook\venv\Scripts\pythonw.exe",
     r"Windows: the full path of the pythonw.exe that has claimbook installed. The default is the one the "
     r"install guide creates (%LOCALAPPDATA%\claimbook\venv\Scripts\pythonw.exe); 'claimbook excel install' "
     r"writes the right one for you. %LOCALAPPDATA% and other %VARIABLES% are expanded."),
    ("INTERPRETER_MAC", "$HOME/.claimbook/venv/bin/python",
     "macOS: the full path of the python that has claimbook installed. The default is the one the install "
     "guide creates ($HOME/.claimbook/venv/bin/python); 'claimbook excel install' writes the right one for "
     "you. $HOME at the start is expanded."),
    ("ADD_WORKBOOK_TO_PYTHONPATH", False,
     "False: claimbook is installed in Python, so the workbook's folder is not searched for Python code "
     "(a stray .py file beside the workbook cannot get in the way)."),
    ("SHOW CONSOLE", False, "Windows: False keeps the black console window hidden while a button runs."),
    ("USE UDF SERVER", False,
     "False: every button starts Python afresh and ends it, so nothing is left running after a click."),
    ("UDF MODULES", "claimbook.excel.udfs",
     "Windows only: the Python module with claimbook's worksheet functions (used by xlwings' Import Functions)."),
    # Text, not a boolean: xlwings compares the value with the string "False".
    ("SHOW_ERROR_POPUPS", "False",
     "False: when Python cannot start claimbook, the buttons show claimbook's own message (what to do) "
     "instead of xlwings' error window."),
)
CONF_NOTES = (
    "About this sheet",
    "These settings tell the buttons on the Claims ribbon tab where Python is. Column A holds the setting, "
    "column B its value, column C what it is for.",
    f"Keep the settings in rows 1 to {len(CONF_SETTINGS)} with no blank row between them. Change a value only "
    "if the buttons "
    "say Python cannot be found; running 'claimbook excel install' again fills them in.",
)


# ----------------------------------------------------------------------------------------- sources
def _text(path: Path) -> str:
    """A source file as text with LF line ends (a CRLF checkout builds the same bytes)."""
    return path.read_bytes().decode("cp1252").replace("\r\n", "\n").replace("\r", "\n")


def ribbon_xml() -> bytes:
    """The ``customUI/customUI.xml`` part: the source file, UTF-8, LF line ends."""
    return (SOURCES / "customUI.xml").read_bytes().decode("utf-8").replace("\r\n", "\n").encode("utf-8")


def xlwings_runtime() -> tuple[str, str]:
    """(``xlwings.bas``, ``addin/Dictionary.cls``) from the installed xlwings package."""
    package = importlib.resources.files("xlwings")
    bas = package.joinpath("xlwings.bas").read_bytes().decode("cp1252")
    dictionary = package.joinpath("addin").joinpath("Dictionary.cls").read_bytes().decode("cp1252")
    return bas, dictionary


def vba_modules(document_code_names: list[str]) -> list[VbaModule]:
    """Every module of the project: ThisWorkbook, one document module per sheet (in sheet order),
    the ribbon callbacks, xlwings' runtime and its Dictionary class."""
    modules = [VbaModule("ThisWorkbook", "document", _text(VBA_SOURCES / "ThisWorkbook.cls"))]
    for code_name in document_code_names:
        source = VBA_SOURCES / f"{code_name}.cls"
        if not source.is_file():
            raise FileNotFoundError(
                f"sheet codeName {code_name!r} has no document module source {source}; add one (empty body)")
        modules.append(VbaModule(code_name, "document", _text(source)))
    bas, dictionary = xlwings_runtime()
    modules += [
        VbaModule(RIBBON_MODULE, "standard", _text(VBA_SOURCES / f"{RIBBON_MODULE}.bas")),
        VbaModule(START_MODULE, "standard", _text(VBA_SOURCES / f"{START_MODULE}.bas")),
        VbaModule("xlwings", "standard", bas),
        VbaModule("Dictionary", "class", dictionary),
    ]
    return modules


# ------------------------------------------------------------------------------------------- build
def _workbook(rules):
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    from claimbook.workbook.layout import new_tracker

    if rules is None:
        from claimbook.rules.loader import default_rules_dir, load_rules

        rules = dataclasses.replace(load_rules(default_rules_dir()), folder=RULES_SHOWN_AS)
    wb = new_tracker(rules, as_of=TEMPLATE_AS_OF)
    ws = wb.create_sheet(CONF_SHEET)
    ws.sheet_properties.codeName = CONF_CODE_NAME
    ws.sheet_properties.tabColor = "808080"
    plain, bold = Font(name="Calibri", size=11), Font(name="Calibri", size=11, bold=True)
    top = Alignment(horizontal="left", vertical="top")
    for row, (key, value, note) in enumerate(CONF_SETTINGS, start=1):
        ws.cell(row, 1, key).font = bold
        ws.cell(row, 2, value).font = plain
        ws.cell(row, 3, note).font = Font(name="Calibri", size=10, color="595959")
        ws.cell(row, 1).alignment = ws.cell(row, 2).alignment = top
        ws.cell(row, 3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 14 * max(1, -(-len(note) // 85))
    first_note = len(CONF_SETTINGS) + 2  # one blank row ends the settings for xlwings
    for i, text in enumerate(CONF_NOTES):
        cell = ws.cell(first_note + i, 1, text)
        cell.font = bold if i == 0 else Font(name="Calibri", size=10, italic=True, color="595959")
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 80
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.sheet_state = "hidden"
    wb.properties.creator = "claimbook"
    wb.properties.title = "Claim Tracker"
    wb.properties.created = datetime(2026, 1, 1)
    return wb


_CODE_NAME = re.compile(rb'<sheetPr[^>]*\bcodeName="([^"]+)"')
_WB_CODE_NAME = re.compile(rb'<workbookPr[^>]*\bcodeName="ThisWorkbook"')


def _zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _insert_before(xml: bytes, marker: bytes, new: bytes, part: str) -> bytes:
    at = xml.find(marker)
    if at < 0:
        raise ValueError(f"{part}: {marker.decode()} not found")
    return xml[:at] + new + xml[at:]


def _sheet_code_names(parts: dict[str, bytes]) -> list[str]:
    """codeNames of the worksheets in workbook order, checked to be present in every sheet's XML."""
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    names = []
    for rid in re.findall(r'<sheet [^>]*?r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        m = _CODE_NAME.search(parts[part])
        if not m:
            raise ValueError(f"{part} has no codeName; every sheet needs one to match its VBA document module")
        names.append(m.group(1).decode("utf-8"))
    if not _WB_CODE_NAME.search(parts["xl/workbook.xml"]):
        raise ValueError('xl/workbook.xml: workbookPr codeName="ThisWorkbook" is missing')
    return names


_FIRST = ("[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", CUSTOMUI_PART,
          "xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def _package(parts: dict[str, bytes]) -> bytes:
    """The zip, deterministic: fixed order (the package's own parts first), timestamps and attributes."""
    order = [n for n in _FIRST if n in parts] + [n for n in parts if n not in _FIRST and n != VBA_PART]
    order += [VBA_PART] if VBA_PART in parts else []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, parts[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()


def build_template_bytes(rules=None) -> bytes:
    """The template workbook's bytes. ``rules=None`` uses the rules that come with claimbook."""
    wb = _workbook(rules)
    raw = io.BytesIO()
    wb.save(raw)
    parts = _zip_entries(raw.getvalue())
    if VBA_PART in parts or CUSTOMUI_PART in parts:
        raise ValueError("openpyxl already wrote VBA or a ribbon; the template is built from text sources only")

    code_names = _sheet_code_names(parts)
    parts[VBA_PART] = ovba.build_vba_project(vba_modules(code_names))
    parts[CUSTOMUI_PART] = ribbon_xml()

    ct = parts["[Content_Types].xml"]
    if ct.count(CT_MAIN.encode()) != 1:
        raise ValueError("[Content_Types].xml: the workbook's main content type was not found once")
    ct = ct.replace(CT_MAIN.encode(), CT_MACRO_MAIN.encode())
    if b'Extension="bin"' not in ct:
        ct = _insert_before(ct, b"<Override", f'<Default Extension="bin" ContentType="{CT_VBA}"/>'.encode(),
                            "[Content_Types].xml")
    parts["[Content_Types].xml"] = ct
    parts["xl/_rels/workbook.xml.rels"] = _insert_before(
        parts["xl/_rels/workbook.xml.rels"], b"</Relationships>",
        f'<Relationship Id="rIdVBA" Type="{REL_VBA}" Target="vbaProject.bin"/>'.encode(),
        "xl/_rels/workbook.xml.rels")
    parts["_rels/.rels"] = _insert_before(
        parts["_rels/.rels"], b"</Relationships>",
        f'<Relationship Id="rIdCustomUI" Type="{REL_UI}" Target="{CUSTOMUI_PART}"/>'.encode(), "_rels/.rels")

    core, n = re.subn(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                      lambda m: m.group(1) + DOC_DATE.encode() + m.group(3), parts["docProps/core.xml"])
    if n != 2:
        raise ValueError("docProps/core.xml: expected a created and a modified date")
    parts["docProps/core.xml"] = core
    return _package(parts)


def build_template(path=None, rules=None, backups_kept: int = 0) -> Path:
    """Write the template to ``path`` (default: ``templates/ClaimTracker.xlsm`` in the checkout), atomically;
    a file already there is kept as ``.backup-1`` when ``backups_kept`` > 0. The folder must exist
    (``TrackerError`` otherwise, nothing written)."""
    from claimbook.workbook.io import write_bytes_atomic

    target = Path(path) if path else default_template_path()
    if not target.parent.is_dir():
        raise TrackerError(f"The folder {target.parent} does not exist. Create it first, or give a file name in "
                           "a folder that exists; nothing was written.")
    data = build_template_bytes(rules)
    write_bytes_atomic(target, data, backups_kept)
    return target


def default_template_path() -> Path:
    """``templates/ClaimTracker.xlsm`` at the root of the checkout this package runs from."""
    return Path(claimbook.__file__).resolve().parent.parent / "templates" / TEMPLATE_NAME


def in_checkout() -> bool:
    """True when claimbook runs from its source folder (a git checkout), not from an installed wheel."""
    root = Path(claimbook.__file__).resolve().parent.parent
    return (root / "pyproject.toml").is_file() and (root / "templates").is_dir()


def committed_template() -> Path | None:
    """The committed template when running from a checkout, else None (an installed wheel builds it)."""
    path = default_template_path()
    return path if path.is_file() else None


# ------------------------------------------------------------------------------------------ reading
class _Cfb:
    """Just enough of an MS-CFB reader to get streams out of ``vbaProject.bin`` (v3 and v4 files)."""

    def __init__(self, data: bytes):
        if data[:8] != bytes.fromhex("D0CF11E0A1B11AE1"):
            raise ValueError("not a compound file (vbaProject.bin)")
        self.data = data
        self.ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mssz = 1 << struct.unpack_from("<H", data, 0x20)[0]
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector = first_difat
        for _ in range(n_difat):
            entries = struct.unpack_from(f"<{self.ssz // 4}I", self._sector(sector))
            difat += entries[:-1]
            sector = entries[-1]
        self.fat: list[int] = []
        for s in difat[:n_fat]:
            self.fat += struct.unpack_from(f"<{self.ssz // 4}I", self._sector(s))
        dirs = self._chain(first_dir)
        self.entries = [dirs[i:i + 128] for i in range(0, len(dirs) - 127, 128)]
        minifat = self._chain(first_minifat) if n_minifat else b""
        self.minifat = list(struct.unpack(f"<{len(minifat) // 4}I", minifat))
        root = self.entries[0]
        self.ministream = self._chain(struct.unpack_from("<I", root, 0x74)[0])

    def _sector(self, n: int) -> bytes:
        start = (n + 1) * self.ssz
        if start + self.ssz > len(self.data):
            raise ValueError(f"sector {n} lies outside the file")
        return self.data[start:start + self.ssz]

    def _chain(self, first: int, table=None, unit=None, source=None) -> bytes:
        table = self.fat if table is None else table
        out = bytearray()
        seen = set()
        n = first
        while n < 0xFFFFFFFA:
            if n in seen or n >= len(table):
                raise ValueError("broken sector chain in the compound file")
            seen.add(n)
            if source is None:
                out += self._sector(n)
            else:
                out += source[n * unit:(n + 1) * unit]
            n = table[n]
        return bytes(out)

    def _children(self, sid: int) -> dict[str, int]:
        out: dict[str, int] = {}
        stack = [struct.unpack_from("<I", self.entries[sid], 0x4C)[0]]
        while stack:
            n = stack.pop()
            if n >= 0xFFFFFFFA or n >= len(self.entries):
                continue
            e = self.entries[n]
            (length,) = struct.unpack_from("<H", e, 0x40)
            out[e[:max(length - 2, 0)].decode("utf-16-le").upper()] = n
            stack += struct.unpack_from("<II", e, 0x44)
        return out

    def stream(self, *path: str) -> bytes:
        sid = 0
        for name in path:
            children = self._children(sid)
            if name.upper() not in children:
                raise KeyError("/".join(path))
            sid = children[name.upper()]
        e = self.entries[sid]
        start = struct.unpack_from("<I", e, 0x74)[0]
        size = struct.unpack_from("<Q", e, 0x78)[0] & (0xFFFFFFFF if self.ssz == 512 else -1)
        if size < self.cutoff:
            data = self._chain(start, self.minifat, self.mssz, self.ministream)
        else:
            data = self._chain(start)
        if len(data) < size:
            raise ValueError(f"stream {'/'.join(path)} is shorter than its size")
        return data[:size]


def _modules_in_dir(dir_stream: bytes) -> list[tuple[str, str, int]]:
    """(module name, stream name, source offset) from a decompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    out: list[tuple[str, str, int]] = []
    name = stream = None
    offset = 0
    i = 0
    while i + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, i)
        if rid == 0x0009:  # PROJECTVERSION: the size field is "Reserved" (4); the payload is 6 bytes
            size = 6
        payload = dir_stream[i + 6:i + 6 + size]
        i += 6 + size
        if rid == 0x0019:
            name, stream, offset = payload.decode("cp1252"), None, 0
        elif rid == 0x001A:
            stream = payload.decode("cp1252")
        elif rid == 0x0031:
            (offset,) = struct.unpack("<I", payload)
        elif rid == 0x002B and name is not None:
            out.append((name, stream or name, offset))
            name = None
        elif rid == 0x0010:
            break
    return out


def read_vba_modules(workbook) -> dict[str, str]:
    """Module name -> source text, read back from a workbook's ``xl/vbaProject.bin`` (path or bytes).

    Works on a workbook Excel has saved too (it honours each module's source offset).
    """
    data = workbook if isinstance(workbook, bytes) else Path(workbook).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if VBA_PART not in z.namelist():
            raise ValueError("the workbook has no VBA project (xl/vbaProject.bin)")
        cfb = _Cfb(z.read(VBA_PART))
    dir_stream = ovba.decompress(cfb.stream("VBA", "dir"))
    return {name: ovba.decompress(cfb.stream("VBA", stream)[offset:]).decode("cp1252")
            for name, stream, offset in _modules_in_dir(dir_stream)}


_VERSION = re.compile(r'^\s*(?:Public\s+)?Const\s+XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', re.M | re.I)


def xlwings_version_in(workbook) -> str | None:
    """The ``XLWINGS_VERSION`` constant of the workbook's ``xlwings`` VBA module (None if absent)."""
    for source in read_vba_modules(workbook).values():
        m = _VERSION.search(source)
        if m:
            return m.group(1)
    return None


def template_bytes() -> bytes:
    """The template: the committed file in a checkout, else a fresh build (the same bytes)."""
    committed = committed_template()
    return committed.read_bytes() if committed else build_template_bytes()
