"""Issue 15: a refresh (and an import) keeps every office-workbook feature a practice adds to its tracker.

The corpus (``tests.features``): 34 features, each added to a refreshed sample tracker by editing the zip
package as Excel writes it. For each one, and for all 34 together: the corpus file is a valid package;
``refresh_file`` does not refuse it; the result is a valid package; every part claimbook does not own is
byte for byte what it was; inside the parts it owns the feature's XML is still there (and on the Claims
sheet nothing but the computed columns' cells and <dimension> changed); and the refresh really happened
(the computed columns changed for the new date). One import of a small CSV is checked the same way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook.cli import main
from claimbook.errors import TrackerError
from claimbook.workbook.refresh import refresh_file
from tests.features import FEATURES, build, names_for
from tests.features.common import USER_SHEET
from tests.features.kept import (
    claims_without_computed, column, computed_letters, computed_values, first_difference, ideal_refresh,
    letter_of, lost_references, lost_sheets, missing_marks, parts, unowned_changes,
)
from tests.features.package import Package
from tests.package_check import problems

AS_OF = date(2026, 12, 2)
ALL_XLSX = names_for("xlsx")  # all 34 (the .xlsx ribbon included)
ALL_XLSM = names_for("xlsm")  # the 33 that go on the macro template


def test_the_corpus_has_34_features_in_the_places_the_issue_names():
    assert len(FEATURES) == 34 and len(ALL_XLSX) == 34
    where = " ".join(f.where for f in FEATURES.values())
    assert where.count("Claims") >= 8 and "Dashboard" in where and "Worklist" in where and "Payers" in where
    assert sum(USER_SHEET in f.where for f in FEATURES.values()) >= 12


def _built(tmp_path: Path, names: list[str], kind: str | None = None):
    path, marks = build(tmp_path / "Tracker", names, kind)
    found = problems(path)
    assert not found, f"the corpus file itself is not a valid package: {found}"
    return path, marks, parts(path)


def _refresh(path: Path) -> None:
    try:
        refresh_file(path, as_of=AS_OF)
    except TrackerError as err:
        pytest.fail(f"the refresh refused the workbook: {err}")


def _check_kept(path: Path, before: dict[str, bytes], marks: dict, imported: bool = False) -> Package:
    after = Package.open(path)
    assert problems(path) == [], f"not a valid package after the run: {problems(path)}"
    changed = unowned_changes(before, after, imported)
    assert not changed, "parts claimbook does not own were changed: " + "; ".join(changed)
    was = Package(before, path.suffix)
    lost = lost_sheets(was, after) + lost_references(was, after, imported)
    assert not lost, "lost inside claimbook's parts: " + "; ".join(lost)
    lost = [f"{name}: {m}" for name, ms in marks.items() for m in missing_marks(after, ms)]
    assert not lost, "lost inside claimbook's parts: " + "; ".join(lost)
    return after


def _check_refreshed(before_pkg: Package, after: Package) -> None:
    """Only computed cells (and <dimension>) changed on the Claims sheet, and they did change."""
    letters = computed_letters(before_pkg)
    assert len(letters) >= 10, letters
    was, now = claims_without_computed(before_pkg, letters), claims_without_computed(after, letters)
    assert was == now, "the Claims sheet changed outside the computed columns:\n" + first_difference(was, now)
    old, new = computed_values(before_pkg), computed_values(after)
    assert old != new, "the computed columns did not change: no refresh happened"
    assert column(after, "Age") != column(before_pkg, "Age"), "Age did not move on with the date"
    actions = column(after, "Next Action")
    assert len([a for a in actions.values() if a]) >= 10, actions


@pytest.mark.parametrize("name", list(FEATURES))
def test_the_corpus_file_is_valid_and_openpyxl_reads_it(tmp_path, name):
    path, _marks, before = _built(tmp_path, [name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the x14 extensions it cannot keep
        wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    assert "Claims" in wb.sheetnames
    base = _base_parts(path.suffix[1:])
    assert problems_of_base(path.suffix[1:]) == []
    assert any(base.get(n) != data for n, data in before.items()), f"{name} added nothing to the tracker"


def problems_of_base(kind: str) -> list[str]:
    from tests.features import base_tracker

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"Base.{kind}"
        path.write_bytes(base_tracker(kind))
        return problems(path)


def _base_parts(kind: str) -> dict[str, bytes]:
    import io
    import zipfile

    from tests.features import base_tracker

    with zipfile.ZipFile(io.BytesIO(base_tracker(kind))) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("name", list(FEATURES))
def test_a_refresh_keeps_the_feature(tmp_path, name):
    path, marks, before = _built(tmp_path, [name])
    before_pkg = Package.open(path)
    _refresh(path)
    after = _check_kept(path, before, marks)
    _check_refreshed(before_pkg, after)


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_a_refresh_keeps_all_the_features_together(tmp_path, kind):
    path, marks, before = _built(tmp_path, ALL_XLSX if kind == "xlsx" else ALL_XLSM, kind)
    before_pkg = Package.open(path)
    _refresh(path)
    after = _check_kept(path, before, marks)
    _check_refreshed(before_pkg, after)


def test_an_import_keeps_all_the_features(tmp_path, capsys):
    path, marks, before = _built(tmp_path, ALL_XLSX, "xlsx")
    before_pkg = Package.open(path)
    existing = column(before_pkg, "Claim ID")
    last_row = max(existing)
    last_id = existing[last_row]
    status = letter_of(before_pkg, "Status")
    csv = tmp_path / "export.csv"
    csv.write_text("Claim ID,Payer,DOS,Billed,Status\n"
                   f"{last_id},,,,Denied\n"
                   "FEAT-1,Aetna,11/02/2026,240.00,Submitted\n"
                   "FEAT-2,Cigna,11/09/2026,95.50,Submitted\n", encoding="utf-8")
    code = main(["import", str(csv), "--into", str(path), "--as-of", AS_OF.isoformat()])
    out = capsys.readouterr()
    assert code == 0, f"the import refused the workbook: {out.out}{out.err}"
    after = _check_kept(path, before, marks, imported=True)
    ids = set(column(after, "Claim ID").values())
    assert {"FEAT-1", "FEAT-2"} <= ids, ids
    assert column(after, "Status")[last_row] == "Denied"
    letters = computed_letters(before_pkg)
    was = claims_without_computed(before_pkg, letters, {f"{status}{last_row}"}, last_row + 1)
    now = claims_without_computed(after, letters, {f"{status}{last_row}"}, last_row + 1)
    assert was == now, "the import changed Claims cells it did not import:\n" + first_difference(was, now)
    titles = [t for t, _p, _a in after.sheets()]
    assert "Import Log" in titles and USER_SHEET in titles and "Lists" in titles, titles


# --- the checks themselves: met by a refresh that keeps everything, failed by one that loses a feature ---

@pytest.fixture(scope="module")
def refreshed_bases(tmp_path_factory):
    """The feature-free trackers, refreshed as of AS_OF by today's edge (their computed cells)."""
    from tests.features import base_tracker

    out = {}
    for kind in ("xlsx", "xlsm"):
        path = tmp_path_factory.mktemp("base") / f"Base.{kind}"
        path.write_bytes(base_tracker(kind))
        refresh_file(path, as_of=AS_OF)
        out[kind] = path
    return out


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_the_checks_pass_a_refresh_that_keeps_everything(tmp_path, kind, refreshed_bases):
    path, marks, before = _built(tmp_path, names_for(kind), kind)
    before_pkg = Package.open(path)
    ideal_refresh(path, refreshed_bases[kind])
    after = _check_kept(path, before, marks)
    _check_refreshed(before_pkg, after)


@pytest.mark.parametrize("loss", ["ignoredErrors", "tabColor", "pivotCaches", "threadedComment", "dashboardDrawing",
                                  "hiddenSheetShown", "nothing"])
def test_the_checks_catch_a_refresh_that_loses_a_feature(tmp_path, loss, refreshed_bases):
    path, marks, before = _built(tmp_path, ALL_XLSX, "xlsx")
    before_pkg = Package.open(path)
    ideal_refresh(path, refreshed_bases["xlsx"])
    pkg = Package.open(path)
    if loss == "ignoredErrors":
        part = pkg.sheet_part("Claims")
        pkg.put(part, re.sub(r"<ignoredErrors>.*?</ignoredErrors>", "", pkg.text(part)))
    elif loss == "tabColor":
        part = pkg.sheet_part("Payers")
        pkg.put(part, re.sub(r"<tabColor [^>]*/>", "", pkg.text(part)))
    elif loss == "pivotCaches":
        pkg.put("xl/workbook.xml", re.sub(r"<pivotCaches>.*?</pivotCaches>", "", pkg.text("xl/workbook.xml")))
    elif loss == "dashboardDrawing":  # the logo's drawing is no longer shown on the Dashboard
        part = pkg.sheet_part("Dashboard")
        pkg.put(part, re.sub(r"<drawing [^>]*/>", "", pkg.text(part)))
    elif loss == "hiddenSheetShown":
        pkg.put("xl/workbook.xml", pkg.text("xl/workbook.xml").replace(' state="hidden" r:id', ' r:id'))
    elif loss == "threadedComment":
        name = "xl/threadedComments/threadedComment1.xml"
        pkg.put(name, pkg.text(name).replace("Rebilling today.", "Rebilling today"))
    pkg.save(path)
    if loss == "nothing":  # nothing lost: the checks pass, but comparing with the input says no refresh
        _check_kept(path, before, marks)
        with pytest.raises(AssertionError, match="no refresh happened"):
            _check_refreshed(before_pkg, before_pkg)
        return
    words = "parts claimbook does not own were changed" if loss == "threadedComment" else "lost inside"
    with pytest.raises(AssertionError, match=words):
        _check_kept(path, before, marks)


# --- reopening: LibreOffice, and the VBA project through olevba ---------------------------------------

def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _libreoffice_opens(files: list[Path], out: Path) -> list[str]:
    """Convert every file to PDF in one LibreOffice run; the files it could not load have no PDF."""
    out.mkdir(exist_ok=True)
    profile = out / "profile"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                   capture_output=True, timeout=900, check=False)
    bad = []
    for f in files:
        pdf = out / (f.stem + ".pdf")
        if not pdf.exists() or pdf.stat().st_size < 1000:
            bad.append(f.name)
    return bad


CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _libreoffice_sheets(path: Path, out: Path) -> dict[str, str]:
    """Every sheet of ``path`` as LibreOffice reads it (CSV text by sheet title)."""
    out.mkdir(exist_ok=True)
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--norestore",
                    "--convert-to", CSV_ALL_SHEETS, "--outdir", str(out), str(path)],
                   capture_output=True, timeout=600, check=False)
    prefix = path.stem + "-"
    return {f.stem[len(prefix):]: f.read_text(encoding="utf-8") for f in out.glob(f"{prefix}*.csv")}


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_corpus_file_opens_in_libreoffice(tmp_path):
    files = []
    for name in FEATURES:
        folder = tmp_path / name
        folder.mkdir()
        path, _m = build(folder / name, [name])
        files.append(path)
    for kind in ("xlsx", "xlsm"):
        path, _m = build(tmp_path / f"all_{kind}", names_for(kind), kind)
        files.append(path)
    assert _libreoffice_opens(files, tmp_path / "pdf") == []
    sheets = _libreoffice_sheets(files[-2], tmp_path / "csv")
    practice = sheets[USER_SHEET]
    assert "Collections by month" in practice and "Grand Total" in practice and "Office visit fee,185" in practice
    ids = column(Package.open(files[-2]), "Claim ID").values()
    assert all(i in sheets["Claims"] for i in ids) and "Lists" in sheets


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_refreshed_trackers_open_in_libreoffice(tmp_path):
    files = []
    for kind in ("xlsx", "xlsm"):
        path, _m = build(tmp_path / f"all_{kind}", names_for(kind), kind)
        _refresh(path)
        files.append(path)
    assert _libreoffice_opens(files, tmp_path / "pdf") == []
    for path in files:
        sheets = _libreoffice_sheets(path, tmp_path / f"csv_{path.suffix[1:]}")
        actions = [a for a in column(Package.open(path), "Next Action").values() if a]
        assert actions and all(a.split(" (")[0] in sheets["Claims"] for a in actions)
        assert "Grand Total" in sheets[USER_SHEET]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_vba_project_reads_the_same_in_olevba_after_a_refresh(tmp_path):
    from oletools.olevba import VBA_Parser

    path, _m, before = _built(tmp_path, ALL_XLSM, "xlsm")

    def modules(data: bytes) -> dict[str, str]:
        parser = VBA_Parser("vbaProject.bin", data=data)
        try:
            return {name: code for _f, _s, name, code in parser.extract_macros()}
        finally:
            parser.close()
    was = modules(before["xl/vbaProject.bin"])
    assert len(was) >= 2, was.keys()
    _refresh(path)
    assert modules(parts(path)["xl/vbaProject.bin"]) == was


@pytest.mark.libreoffice
def test_a_tracker_saved_by_libreoffice_is_refreshed_and_imported_on_the_stream_edge(tmp_path):
    """An office that opens its tracker in LibreOffice and saves it gets every part written anew in
    LibreOffice's own way (shared strings, its own styles, tables, charts, notes). The next refresh and
    import still edit the package (no upgrade through openpyxl), write what the openpyxl edge writes,
    leave the parts claimbook does not own as they were, and LibreOffice opens the result."""
    import zipfile

    from claimbook.app.importing import import_files
    from claimbook.app.refresh import refresh
    from claimbook.workbook.edge import FileEdge
    from claimbook.workbook.stream import StreamEdge
    from claimbook.xlsx.parts import Package as Parts

    made = tmp_path / "Tracker.xlsx"
    assert main(["demo", "--as-of", "2026-03-02", "--claims", "60", "--out", str(made)]) == 0
    out = tmp_path / "saved"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(made)],
                   capture_output=True, timeout=600, check=False)
    saved = out / "Tracker.xlsx"
    assert saved.exists()
    stream, model = tmp_path / "stream.xlsx", tmp_path / "model.xlsx"
    shutil.copy(saved, stream)
    shutil.copy(saved, model)
    with zipfile.ZipFile(saved) as z:
        before = {n: z.read(n) for n in z.namelist()}
    assert "xl/sharedStrings.xml" in before and any(n.startswith("xl/charts/") for n in before)

    with StreamEdge(stream) as edge:  # NeedsUpgrade (or any error) fails the test here
        refresh(edge, as_of=date(2026, 3, 3))
    refresh(FileEdge(model), as_of=date(2026, 3, 3))

    a, b = openpyxl.load_workbook(stream), openpyxl.load_workbook(model)
    for name in ("Claims", "Worklist", "Dashboard", "Payers"):
        values = [{c.coordinate: c.value for row in wb[name].iter_rows() for c in row if c.value is not None}
                  for wb in (a, b)]
        assert values[0] == values[1], name
    with Parts(stream) as pkg:
        owned = {s.part for s in pkg.sheets() if s.name in ("Claims", "Worklist", "Dashboard", "Payers")}
    with zipfile.ZipFile(stream) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = {n for n in before if after.get(n) != before[n]}
    assert set(after) == set(before)
    assert changed <= owned | {"xl/workbook.xml", "xl/styles.xml"}, changed - owned
    assert problems(stream) == []

    csv = tmp_path / "new.csv"
    csv.write_text("Claim ID,Patient,Payer,DOS,Billed,Status\nN1,Doe Jane,Aetna,02/02/2026,120.00,Submitted\n")
    with StreamEdge(stream) as edge:
        result, done = import_files(edge, [csv], as_of=date(2026, 3, 3))
    assert [r.kind for r in result.reports] == ["claims CSV"] and done.output.summary.claims == 61
    assert problems(stream) == []
    sheets = _libreoffice_sheets(stream, tmp_path / "csv")
    assert "N1" in sheets["Claims"] and "claims CSV" in sheets["Import Log"]
