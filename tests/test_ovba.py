"""The VBA project writer (claimbook.template.ovba / .cfb), proven by independent readers.

Validators: olefile (strict OLE reader), oletools' olevba (strict mode), pyOpenVBA's parsers and
check_file(), and LibreOffice headless when it is installed. Each is also shown to accept
xlwings' own Excel-written workbook and to reject deliberately broken projects, so the
checks are not vacuous.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from oletools import olevba
from pyopenvba import integrity
from pyopenvba.cfb import CFB
from pyopenvba.vba import decompress as pyopenvba_decompress
from pyopenvba.vba import parse_project_stream, parse_vba_project

from claimbook.template import cfb, ovba
from claimbook.template.ovba import VbaModule, VbaReference

XLWINGS_DIR = Path(xlwings.__file__).parent
XLWINGS_BAS = XLWINGS_DIR / "xlwings.bas"
DICTIONARY_CLS = XLWINGS_DIR / "addin" / "Dictionary.cls"
QUICKSTART = XLWINGS_DIR / "quickstart_standalone.xlsm"

RIBBON_MODULE = '''Attribute VB_Name = "Ribbon"
Option Explicit

Public Sub OnRefresh(control As IRibbonControl)
    RunPython "import claimbook.xl; claimbook.xl.refresh()"
End Sub

Public Sub OnExport(control As IRibbonControl)
    RunPython "import claimbook.xl; claimbook.xl.export()"
End Sub
'''


def _read(path: Path) -> str:
    return path.read_bytes().decode("cp1252")


def sample_modules() -> list[VbaModule]:
    return [
        VbaModule("ThisWorkbook", "document", ""),
        VbaModule("Sheet1", "document", "Option Explicit\n"),
        VbaModule("Sheet2", "document", ""),
        VbaModule("Ribbon", "standard", RIBBON_MODULE),
        VbaModule("xlwings", "standard", _read(XLWINGS_BAS)),
        VbaModule("Dictionary", "class", _read(DICTIONARY_CLS)),
    ]


@pytest.fixture(scope="module")
def modules() -> list[VbaModule]:
    return sample_modules()


@pytest.fixture(scope="module")
def project(modules: list[VbaModule]) -> bytes:
    return ovba.build_vba_project(modules)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def make_xlsm(vba_bin: bytes, sheet_codenames: tuple[str, ...] = ("Sheet1", "Sheet2")) -> bytes:
    """A minimal macro-enabled workbook around ``vba_bin`` (codeNames match the document modules)."""
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>'
                     for i in range(1, len(sheet_codenames) + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheet_codenames) + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_codenames) + 1))
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = {
        "[Content_Types].xml": decl + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
            f"{overrides}</Types>"),
        "_rels/.rels": decl + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": decl + (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<workbookPr codeName="ThisWorkbook"/><sheets>{sheets}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": decl + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'),
        "xl/vbaProject.bin": vba_bin,
    }
    for i, code_name in enumerate(sheet_codenames, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = decl + (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetPr codeName="{code_name}"/><sheetData/></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def ole_tree(vba_bin: bytes) -> dict:
    """All streams of a compound file as a nested dict (the input format of cfb.write_cfb)."""
    tree: dict = {}
    with olefile.OleFileIO(vba_bin) as ole:
        for path in ole.listdir(streams=True, storages=False):
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = ole.openstream(path).read()
    return tree


def dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """(id, payload) records of a decompressed dir stream."""
    out, i = [], 0
    while i < len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, i)
        if rid == 0x0009:          # PROJECTVERSION: Size is "Reserved" (4), payload is 6 bytes
            size = 6
        out.append((rid, dir_stream[i + 6:i + 6 + size]))
        i += 6 + size
        if rid == 0x0010:
            break
    assert i == len(dir_stream), "trailing bytes after the dir terminator"
    return out


def olevba_sources(data: bytes, filename: str) -> dict[str, str]:
    """Module sources that olevba's public API reads through the project's dir stream.

    olevba also scans every stream for compressed source as a fallback for damaged files;
    anything found that way (no ``VBA/`` path, no .bas/.cls name) is reported separately
    under the key ``"<fallback>"`` so tests can tell a parsed project from a salvaged one.
    """
    parser = olevba.VBA_Parser(filename, data=data, relaxed=False)
    try:
        assert parser.detect_vba_macros()
        out: dict[str, str] = {}
        for _sub, stream, vba_filename, code in parser.extract_all_macros():
            if stream.startswith("VBA/") and vba_filename.endswith((".bas", ".cls")):
                out[Path(vba_filename).stem] = code
            else:
                out.setdefault("<fallback>", "")
                out["<fallback>"] += code
        return out
    finally:
        parser.close()


def olevba_strict(vba_bin: bytes) -> dict[str, str]:
    """olevba's project parser in strict mode (relaxed=False), without the fallback scan."""
    with olefile.OleFileIO(vba_bin) as ole:
        return {Path(name).stem: code for _path, name, code in
                olevba._extract_vba(ole, "", "PROJECT", "VBA/dir", relaxed=False)}


def pyopenvba_report(tmp_path: Path, xlsm: bytes, name: str = "book.xlsm"):
    path = tmp_path / name
    path.write_bytes(xlsm)
    return integrity.check_file(path)


def with_stream(vba_bin: bytes, path: tuple[str, ...], data: bytes) -> bytes:
    tree = ole_tree(vba_bin)
    node = tree
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = data
    return cfb.write_cfb(tree)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


# ---------------------------------------------------------------------------
# positive controls: the validators accept xlwings' Excel-written workbook
# ---------------------------------------------------------------------------

def test_validators_accept_xlwings_excel_workbook(tmp_path: Path) -> None:
    data = QUICKSTART.read_bytes()
    report = pyopenvba_report(tmp_path, data, "quickstart.xlsm")
    assert report.ok, report.issues
    sources = olevba_sources(data, "quickstart.xlsm")
    assert {"xlwings", "Dictionary", "ThisWorkbook"} <= set(sources)
    with zipfile.ZipFile(QUICKSTART) as z:
        assert olefile.isOleFile(z.read("xl/vbaProject.bin"))


# ---------------------------------------------------------------------------
# compound file
# ---------------------------------------------------------------------------

def test_olefile_opens_every_stream(project: bytes, modules: list[VbaModule]) -> None:
    assert olefile.isOleFile(project)
    with olefile.OleFileIO(project, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        names = sorted("/".join(p) for p in ole.listdir(streams=True, storages=False))
        assert names == sorted(["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"]
                               + [f"VBA/{m.name}" for m in modules])
        for name in names:
            assert len(ole.openstream(name).read()) == ole.get_size(name)
        assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
        assert not any(n.upper().startswith("VBA/__SRP_") for n in names)
        assert ole.get_type("VBA") == olefile.STGTY_STORAGE
        assert ole.root.clsid == "00000000-0000-0000-0000-000000000000" or not ole.root.clsid


def test_module_stream_over_4k_uses_regular_sectors(project: bytes) -> None:
    with olefile.OleFileIO(project) as ole:
        size = ole.get_size("VBA/xlwings")
        assert size > 4096            # above the mini stream cutoff
        assert ovba.decompress(ole.openstream("VBA/xlwings").read()).startswith(b'Attribute VB_Name = "xlwings"')


def _check_red_black(ole: olefile.OleFileIO) -> None:
    entries = ole.direntries

    def walk(sid: int) -> tuple[list[str], int]:
        """In-order names and black height; asserts the red-black rules."""
        if sid == olefile.NOSTREAM:
            return [], 1
        e = entries[sid]
        left, lh = walk(e.sid_left)
        right, rh = walk(e.sid_right)
        assert lh == rh, f"unequal black height below {e.name!r}"
        if e.color == 0:  # red: children must be black
            for child in (e.sid_left, e.sid_right):
                assert child == olefile.NOSTREAM or entries[child].color == 1
        return left + [e.name] + right, lh + (e.color == 1)

    for e in entries:
        if e is not None and e.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE) and e.sid_child != olefile.NOSTREAM:
            assert entries[e.sid_child].color == 1, "tree root must be black"
            names, _ = walk(e.sid_child)
            assert all(cfb.compare_names(a, b) < 0 for a, b in zip(names, names[1:])), names


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 8, 13, 31, 40])
def test_directory_is_a_sorted_red_black_tree(count: int) -> None:
    rng = random.Random(count)
    names = {f"{'m' * rng.randint(1, 5)}{i}{rng.choice('AbC')}": bytes([i]) * rng.randint(0, 5000)
             for i in range(count)}
    data = cfb.write_cfb({"VBA": names, "PROJECT": b"x"})
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        _check_red_black(ole)
        for name, content in names.items():
            assert ole.openstream(f"VBA/{name}").read() == content


def test_sibling_order_is_length_then_uppercase() -> None:
    assert cfb.compare_names("dir", "PROJECT") < 0          # shorter first
    assert cfb.compare_names("abc", "ABD") < 0
    assert cfb.compare_names("Sheet1", "SHEET1") == 0
    with pytest.raises(ValueError, match="duplicate"):
        cfb.write_cfb({"Sheet1": b"", "SHEET1": b""})


def test_project_directory_is_red_black(project: bytes) -> None:
    with olefile.OleFileIO(project) as ole:
        _check_red_black(ole)


def test_difat_sectors_for_a_large_file() -> None:
    # More than 109 FAT sectors (> ~7 MB) needs DIFAT sectors beyond the header.
    big = bytes(range(256)) * (8 * 1024 * 1024 // 256)
    data = cfb.write_cfb({"big": big, "small": b"abc"})
    n_difat = struct.unpack_from("<I", data, 0x48)[0]
    assert n_difat >= 1
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("big").read() == big
        assert ole.openstream("small").read() == b"abc"


def test_empty_and_cutoff_sized_streams_round_trip() -> None:
    tree = {"empty": b"", "a4095": b"a" * 4095, "b4096": b"b" * 4096, "S": {"T": {"c": b"c" * 64}}}
    data = cfb.write_cfb(tree)
    assert ole_tree(data) == tree


# ---------------------------------------------------------------------------
# compression
# ---------------------------------------------------------------------------

def _final_chunk_incompressible(data: bytes) -> bool:
    rest = len(data) % 4096
    return rest > 3640  # all literals: rest + ceil(rest / 8) > 4096


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=13000))
def test_round_trip_random_bytes(data: bytes) -> None:
    try:
        packed = ovba.compress(data)
    except ValueError:
        assert _final_chunk_incompressible(data)
        return
    assert ovba.decompress(packed) == data
    assert olevba.decompress_stream(bytearray(packed)) == data
    assert pyopenvba_decompress(packed) == data


_repetitive = st.lists(
    st.sampled_from([b"Dim ", b"x", b"As Long", b"\r\n", b"    ", b"End Sub", b"a", b"ab", b"\x00", b"\xff"]),
    max_size=3000,
).map(b"".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_repetitive)
def test_round_trip_repetitive_data(data: bytes) -> None:
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert olevba.decompress_stream(bytearray(packed)) == data
    assert pyopenvba_decompress(packed) == data
    if len(data) > 200:
        assert len(packed) < len(data)


_mixed = st.lists(
    st.one_of(
        st.binary(max_size=400),
        st.tuples(st.binary(min_size=1, max_size=9), st.integers(1, 700)).map(lambda t: t[0] * t[1]),
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mixed)
def test_round_trip_mixed_multi_chunk_data(data: bytes) -> None:
    target(float(len(data)))  # steer towards multi-chunk inputs
    try:
        packed = ovba.compress(data)
    except ValueError:
        assert _final_chunk_incompressible(data)
        return
    assert ovba.decompress(packed) == data
    assert olevba.decompress_stream(bytearray(packed)) == data
    assert pyopenvba_decompress(packed) == data


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4095, 4096, 4097, 8192, 20000])
def test_round_trip_runs(size: int) -> None:
    data = b"a" * size
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert olevba.decompress_stream(bytearray(packed)) == data
    assert len(packed) <= 1 + 2 * (-(-size // 4096)) + 40 * (-(-size // 4096))  # copy tokens, not literals


def test_incompressible_full_chunks_are_raw() -> None:
    data = random.Random(1).randbytes(4096 * 2)
    packed = ovba.compress(data)
    assert struct.unpack_from("<H", packed, 1)[0] == 0x3FFF
    assert ovba.decompress(packed) == data == olevba.decompress_stream(bytearray(packed))


def test_compression_uses_copy_tokens_on_source_text() -> None:
    src = XLWINGS_BAS.read_bytes()
    packed = ovba.compress(src)
    assert len(packed) < len(src) // 2
    assert ovba.decompress(packed) == src


def test_decompress_matches_olevba_on_the_xlwings_project() -> None:
    with zipfile.ZipFile(QUICKSTART) as z:
        vba_bin = z.read("xl/vbaProject.bin")
    with olefile.OleFileIO(vba_bin) as ole:
        dir_raw = ole.openstream("VBA/dir").read()
        dir_plain = ovba.decompress(dir_raw)
        assert dir_plain == olevba.decompress_stream(bytearray(dir_raw))
        records = dir_records(dir_plain)
        offsets, names = [], []
        for rid, payload in records:
            if rid == 0x001A:
                names.append(payload.decode("cp1252"))
            if rid == 0x0031:
                offsets.append(struct.unpack("<I", payload)[0])
        assert len(names) == len(offsets) >= 5
        for name, offset in zip(names, offsets):
            stream = ole.openstream(f"VBA/{name}").read()[offset:]
            assert ovba.decompress(stream) == olevba.decompress_stream(bytearray(stream))


@pytest.mark.parametrize("damage", ["signature", "chunk_sig", "truncated", "bad_offset"])
def test_decompress_rejects_malformed_input(damage: str) -> None:
    good = bytearray(ovba.compress(b"abcabcabcabc" * 50))
    if damage == "signature":
        good[0] = 0x02
    elif damage == "chunk_sig":
        good[2] &= 0x8F
    elif damage == "truncated":
        del good[-5:]
    else:
        good = bytearray(b"\x01") + struct.pack("<H", 0xB000 | 2) + b"\x01\xff\xff"  # copy before start
    with pytest.raises(ValueError):
        ovba.decompress(bytes(good))


# ---------------------------------------------------------------------------
# encryption (2.4.3)
# ---------------------------------------------------------------------------

def test_decrypt_reads_excels_values_and_ours() -> None:
    # xlwings' Excel-written PROJECT stream: no protection, no password, visible.
    excel_id = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    assert ovba.decrypt_data("8D8FA61394EA98EA98EA98EA98", excel_id) == b"\0\0\0\0"
    assert ovba.decrypt_data("8D8FA61394EF95EF95EF", excel_id) == b"\0"
    assert ovba.decrypt_data("8D8FA61394EF95EF9510", excel_id) == b"\xff"
    for seed in (0x00, 0x2D, 0x8D, 0xFF):
        assert ovba.decrypt_data(ovba.encrypt_data(b"xyz\0", excel_id, seed), excel_id) == b"xyz\0"
    # with Excel's seed and ignored bytes it reproduces Excel's bytes apart from the ignored ones
    ours = ovba.encrypt_data(b"\0\0\0\0", excel_id, 0x8D)
    assert ours[:6] == "8D8FA6" and len(ours) == len("8D8FA61394EA98EA98EA98EA98")


# ---------------------------------------------------------------------------
# project content
# ---------------------------------------------------------------------------

def test_project_stream(project: bytes, modules: list[VbaModule]) -> None:
    with olefile.OleFileIO(project) as ole:
        raw = ole.openstream("PROJECT").read()
        wm = ole.openstream("PROJECTwm").read()
    text = raw.decode("cp1252")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    pid = ovba.project_guid("VBAProject")
    assert lines[0] == f'ID="{pid}"'
    assert lines[1:7] == [
        "Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000", "Module=Ribbon", "Module=xlwings", "Class=Dictionary"]
    assert lines[7:10] == ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    values = dict(line.split("=", 1) for line in lines[10:13])
    assert ovba.decrypt_data(values["CMG"].strip('"'), pid) == b"\0\0\0\0"
    assert ovba.decrypt_data(values["DPB"].strip('"'), pid) == b"\0"
    assert ovba.decrypt_data(values["GC"].strip('"'), pid) == b"\xff"
    assert lines[13:] == ["", "[Host Extender Info]",
                          "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", ""]
    parsed = parse_project_stream(raw)
    assert parsed.name == "VBAProject" and not parsed.protection.has_password
    expected_wm = b"".join(m.name.encode() + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
                           for m in modules) + b"\0\0"
    assert wm == expected_wm


def test_dir_stream_records(project: bytes, modules: list[VbaModule]) -> None:
    with olefile.OleFileIO(project) as ole:
        raw = ole.openstream("VBA/dir").read()
    plain = ovba.decompress(raw)
    assert plain == olevba.decompress_stream(bytearray(raw))
    records = dir_records(plain)
    ids = [rid for rid, _ in records]
    head = [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09, 0x0C, 0x3C]
    refs = [0x16, 0x3E, 0x0D] * 2
    assert ids[:len(head) + len(refs) + 2] == head + refs + [0x0F, 0x13]
    rec = dict(records[:len(head)])
    assert struct.unpack("<I", rec[0x02])[0] == 0x409 == struct.unpack("<I", rec[0x14])[0]
    assert struct.unpack("<H", rec[0x03])[0] == 1252
    assert rec[0x04] == b"VBAProject"
    assert struct.unpack("<H", dict(records)[0x0F])[0] == len(modules)
    assert dict(records)[0x13] == b"\xff\xff"
    body = records[len(head) + len(refs) + 2:]
    assert body[-1] == (0x10, b"")
    per_module = [body[i:i + 11] for i in range(0, len(body) - 1, 11)]
    assert len(per_module) == len(modules)
    for m, recs in zip(modules, per_module):
        got = dict(recs)
        assert [r for r, _ in recs][:9] == [0x19, 0x47, 0x1A, 0x32, 0x1C, 0x48, 0x31, 0x1E, 0x2C]
        assert recs[9][0] == (0x21 if m.kind == "standard" else 0x22)
        assert recs[10][0] == 0x2B
        assert got[0x19] == got[0x1A] == m.name.encode()
        assert got[0x47] == got[0x32] == m.name.encode("utf-16-le")
        assert got[0x31] == b"\0\0\0\0"            # MODULEOFFSET 0: no performance cache
        assert got[0x2C] == b"\xff\xff"


def test_reference_records_have_excels_structure(project: bytes) -> None:
    """Our REFERENCEREGISTERED records are laid out like the one Excel wrote in xlwings' workbook."""
    with zipfile.ZipFile(QUICKSTART) as z, olefile.OleFileIO(z.read("xl/vbaProject.bin")) as ole:
        excel = dir_records(ovba.decompress(ole.openstream("VBA/dir").read()))
    with olefile.OleFileIO(project) as ole:
        ours = dir_records(ovba.decompress(ole.openstream("VBA/dir").read()))

    def registered(records):
        out = {}
        for rid, payload in records:
            if rid == 0x0D:
                (size,) = struct.unpack_from("<I", payload)
                libid = payload[4:4 + size]
                assert len(payload) == 4 + size + 6 and payload[4 + size:] == b"\0" * 6
                out[libid.split(b"#")[0]] = libid
        return out

    excel_refs, our_refs = registered(excel), registered(ours)
    office = rb"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}"
    assert excel_refs[office].split(b"#")[:3] == our_refs[office].split(b"#")[:3]
    assert rb"*\G{00020430-0000-0000-C000-000000000046}" in our_refs   # stdole
    # the records before the references match Excel's field by field (project version aside)
    for rid in (0x02, 0x14, 0x03, 0x04, 0x07, 0x08):
        assert dict(ours)[rid] == dict(excel)[rid]


def test_olevba_extracts_exactly_the_sources(project: bytes, modules: list[VbaModule]) -> None:
    for data, filename in ((project, "vbaProject.bin"), (make_xlsm(project), "book.xlsm")):
        sources = olevba_sources(data, filename)
        assert set(sources) == {m.name for m in modules}   # all via the dir stream, no fallback
        for m in modules:
            stored = ovba.module_source(m)
            assert _lines(sources[m.name]) == _lines(stored)
            assert olevba.filter_vba(sources[m.name]) == olevba.filter_vba(stored)
    strict = olevba_strict(project)
    assert {name: _lines(code) for name, code in strict.items()} == {
        m.name: _lines(ovba.module_source(m)) for m in modules}


def test_sources_keep_the_callers_code(modules: list[VbaModule]) -> None:
    by_name = {m.name: m for m in modules}
    original = _lines(_read(XLWINGS_BAS))
    stored = _lines(ovba.module_source(by_name["xlwings"]))
    assert stored[0] == 'Attribute VB_Name = "xlwings"'
    assert stored[1:] == original[1:]
    cls_original = _lines(_read(DICTIONARY_CLS))
    cls_stored = _lines(ovba.module_source(by_name["Dictionary"]))
    body_start = next(i for i, line in enumerate(cls_original) if not line.startswith(("Attribute", "VERSION", "BEGIN", "  ", "END")))
    assert cls_stored[-len(cls_original[body_start:]):] == cls_original[body_start:]


def test_pyopenvba_accepts_the_project(tmp_path: Path, project: bytes, modules: list[VbaModule]) -> None:
    report = pyopenvba_report(tmp_path, make_xlsm(project))
    assert report.ok, report.issues
    assert report.issues == ()
    cfb_obj = CFB.from_bytes(project)
    parsed = parse_vba_project(cfb_obj)
    assert parsed.validate(cfb_obj) == []
    assert parsed.name == "VBAProject" and parsed.code_page == 1252
    assert [m.name for m in parsed.modules] == [m.name for m in modules]
    assert [r.name for r in parsed.references] == ["stdole", "Office"]
    for ours, theirs in zip(modules, parsed.modules):
        assert theirs.kind.value == (0x21 if ours.kind == "standard" else 0x22)
        assert _lines(theirs.source) == _lines(ovba.module_source(ours))


def test_build_is_deterministic(project: bytes) -> None:
    assert ovba.build_vba_project(sample_modules()) == project
    assert ovba.project_guid("VBAProject") == ovba.project_guid("VBAProject") != ovba.project_guid("Other")


def test_project_over_64k(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = ["claim", "payer", "denied", "appeal", "aging", "followup", "x", "y", "z", "Long", "String"]
    lines = [f"    v{rng.randrange(10**9)} = \"{rng.randbytes(24).hex()}\" ' {rng.choice(words)}"
             for _ in range(3000)]
    big = "Sub Big()\n" + "\n".join(lines) + "\nEnd Sub\n"
    mods = sample_modules() + [VbaModule("BigModule", "standard", big)]
    data = ovba.build_vba_project(mods)
    assert len(data) > 64 * 1024
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.get_size("VBA/BigModule") > 64 * 1024
    sources = olevba_sources(data, "vbaProject.bin")
    assert _lines(sources["BigModule"]) == _lines(ovba.module_source(mods[-1]))
    report = pyopenvba_report(tmp_path, make_xlsm(data))
    assert report.ok, report.issues


# ---------------------------------------------------------------------------
# source normalisation
# ---------------------------------------------------------------------------

def test_plain_sources_get_their_attributes() -> None:
    std = ovba.module_source(VbaModule("Tools", "standard", "Sub A()\nEnd Sub"))
    assert std == 'Attribute VB_Name = "Tools"\r\nSub A()\r\nEnd Sub\r\n'
    cls = ovba.module_source(VbaModule("Thing", "class", "Public X As Long\n"))
    assert cls.split("\r\n")[:9] == [
        'Attribute VB_Name = "Thing"',
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
        "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = False", "Attribute VB_Exposed = False",
        "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False",
        "Public X As Long"]
    wb = ovba.module_source(VbaModule("ThisWorkbook", "document", ""))
    sheet = ovba.module_source(VbaModule("Sheet7", "document", "Private Sub Worksheet_Activate()\nEnd Sub\n"))
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in wb
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in sheet
    for text in (wb, sheet):
        assert text.split("\r\n")[2:8] == [
            "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
            "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
            "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    assert sheet.endswith("Private Sub Worksheet_Activate()\r\nEnd Sub\r\n")


def test_class_header_is_stripped() -> None:
    text = ovba.module_source(VbaModule("Dictionary", "class", _read(DICTIONARY_CLS)))
    assert "VERSION 1.0 CLASS" not in text and "\r\nBEGIN\r\n" not in text and "MultiUse" not in text
    assert text.startswith('Attribute VB_Name = "Dictionary"\r\nAttribute VB_Base = "0{FCFB3D2A')
    assert "Attribute VB_Exposed = True" in text           # caller's value kept
    assert text.count("Attribute VB_Exposed") == 1
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_line_endings_are_normalised() -> None:
    text = ovba.module_source(VbaModule("M", "standard", "Sub A()\rEnd Sub\nSub B()\r\nEnd Sub"))
    assert text == 'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\nSub B()\r\nEnd Sub\r\n'


def test_unencodable_character_is_rejected_with_module_and_line() -> None:
    src = "Sub A()\n    MsgBox \"ok é €\"\n    MsgBox \"\u2713\"\nEnd Sub\n"
    with pytest.raises(ValueError, match=r"module Checks, line 3: character '✓'"):
        ovba.build_vba_project([VbaModule("Checks", "standard", src)])
    # cp1252 characters (é, €) are fine and survive the round trip
    data = ovba.build_vba_project([VbaModule("Ok", "standard", "' é € ü\n")])
    assert "' é € ü" in olevba_sources(data, "vbaProject.bin")["Ok"]


@pytest.mark.parametrize("bad", [
    [VbaModule("1abc", "standard", "")],
    [VbaModule("A", "standard", ""), VbaModule("a", "class", "")],
    [VbaModule("dir", "standard", "")],
    [VbaModule("M", "weird", "")],  # type: ignore[arg-type]
    [VbaModule("M", "standard", 'Attribute VB_Name = "Other"\n')],
])
def test_invalid_modules_are_rejected(bad: list[VbaModule]) -> None:
    with pytest.raises(ValueError):
        ovba.build_vba_project(bad)


def test_custom_references() -> None:
    ref = VbaReference("Scripting", r"*\G{420B2830-E718-11CF-893D-00A0C9054228}#1.0#0#C:\Windows\System32\scrrun.dll#Microsoft Scripting Runtime")
    data = ovba.build_vba_project([VbaModule("M", "standard", "")], references=[ref])
    parsed = parse_vba_project(CFB.from_bytes(data))
    assert [r.name for r in parsed.references] == ["Scripting"]


# ---------------------------------------------------------------------------
# negative controls: the validators reject broken projects
# ---------------------------------------------------------------------------

def _broken_projects(project: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(project) as ole:
        dir_raw = ole.openstream("VBA/dir").read()
        module_raw = ole.openstream("VBA/Ribbon").read()
    bad_chunk = bytearray(module_raw)
    bad_chunk[2] &= 0x8F                                      # chunk signature 0b011 -> 0b000
    return {
        "truncated dir": with_stream(project, ("VBA", "dir"), dir_raw[: len(dir_raw) // 2]),
        "corrupt module chunk": with_stream(project, ("VBA", "Ribbon"), bytes(bad_chunk)),
        "dir not compressed": with_stream(project, ("VBA", "dir"), ovba.decompress(dir_raw)),
    }


def test_validators_reject_broken_projects(tmp_path: Path, project: bytes) -> None:
    for label, data in _broken_projects(project).items():
        report = pyopenvba_report(tmp_path, make_xlsm(data), label.replace(" ", "_") + ".xlsm")
        assert not report.ok, label
        assert report.errors, label
        with pytest.raises(Exception):
            olevba_strict(data)
        # olevba's public API no longer reads the project through its dir stream; at most
        # its fallback scan salvages module text from raw streams.
        try:
            found = olevba_sources(data, "vbaProject.bin")
        except Exception:
            continue
        assert set(found) - {"<fallback>"} != {"ThisWorkbook", "Sheet1", "Sheet2", "Ribbon", "xlwings", "Dictionary"}, label


def test_olefile_rejects_a_broken_compound_file(project: bytes) -> None:
    broken = bytearray(project)
    struct.pack_into("<I", broken, 0x4C, 0x7FFFFF)                 # first FAT sector points past the end
    with pytest.raises(Exception):
        with olefile.OleFileIO(bytes(broken), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            ole.openstream("VBA/dir").read()
    truncated = project[: len(project) - 1024]
    with pytest.raises(Exception):
        with olefile.OleFileIO(truncated, raise_defects=olefile.DEFECT_INCORRECT) as ole:
            for path in ole.listdir():
                ole.openstream(path).read()
    assert not olefile.isOleFile(b"\0" * 8 + project[8:])


# ---------------------------------------------------------------------------
# LibreOffice (optional): imports the VBA project into Basic
# ---------------------------------------------------------------------------

_UNO_SCRIPT = r'''
import json, os, re, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

doc_path, profile = sys.argv[1], sys.argv[2]
pipe = "claimbook_" + uuid.uuid4().hex
proc = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                         "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    else:
        raise SystemExit("could not connect to soffice")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(doc_path)), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 0)))
    result = {}
    libs = doc.BasicLibraries
    for lib_name in libs.getElementNames():
        libs.loadLibrary(lib_name)
        lib = libs.getByName(lib_name)
        for mod_name in lib.getElementNames():
            src = lib.getByName(mod_name)
            try:
                kind = lib.getModuleInfo(mod_name).ModuleType
            except Exception:
                kind = None
            subs = re.findall(r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?(?:Sub|Function)[ \t]+(\w+)",
                              src, re.M | re.I)
            result[lib_name + "." + mod_name] = {"type": kind, "subs": subs}
    doc.close(True)
    print(json.dumps(result))
finally:
    try:
        if desktop is not None:
            desktop.terminate()
    except Exception:
        pass
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
'''


def _uno_python() -> str | None:
    if shutil.which("soffice") is None:
        return None
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


def _libreoffice_modules(tmp_path: Path, xlsm: bytes, python: str) -> dict:
    book = tmp_path / "book.xlsm"
    book.write_bytes(xlsm)
    script = tmp_path / "list_basic.py"
    script.write_text(_UNO_SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    run = subprocess.run([python, str(script), str(book), str(tmp_path / "profile")],
                         capture_output=True, text=True, timeout=240, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_imports_the_modules(tmp_path: Path, project: bytes) -> None:
    python = _uno_python()
    if python is None:
        pytest.skip("LibreOffice (soffice) with python3-uno is not installed")
    found = _libreoffice_modules(tmp_path, make_xlsm(project), python)
    vba = {k.split(".", 1)[1]: v for k, v in found.items() if k.startswith("VBAProject.")}
    assert set(vba) == {"ThisWorkbook", "Sheet1", "Sheet2", "Ribbon", "xlwings", "Dictionary"}
    # com.sun.star.script.ModuleType: NORMAL 1, CLASS 2, DOCUMENT 4
    assert {name: info["type"] for name, info in vba.items()} == {
        "ThisWorkbook": 4, "Sheet1": 4, "Sheet2": 4, "Ribbon": 1, "xlwings": 1, "Dictionary": 2}
    assert vba["Ribbon"]["subs"] == ["OnRefresh", "OnExport"]
    assert {"RunPython", "GetConfig", "ImportPythonUDFs"} <= set(vba["xlwings"]["subs"])
    assert {"Add", "Exists", "Class_Initialize"} <= set(vba["Dictionary"]["subs"])

    # negative control: with a truncated dir stream LibreOffice imports nothing
    broken = _broken_projects(project)["truncated dir"]
    (tmp_path / "broken").mkdir()
    found = _libreoffice_modules(tmp_path / "broken", make_xlsm(broken), python)
    assert not any(k.startswith("VBAProject.") for k in found)
