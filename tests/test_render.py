"""A filled tracker prints legibly: LibreOffice converts it to PDF headless, poppler turns pages into PNGs.

Checks what can be checked without eyes: every sheet produces pages, no text is clipped at the page
edge, the Dashboard charts have bars. The PNGs were also looked at by a person when the layout was
made; ``CLAIMBOOK_DOCS_IMAGES=1 pytest tests/test_render.py`` rewrites ``docs/images/`` from them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from claimbook import sheets as S
from claimbook.rules.loader import load_rules
from tests.test_layout import AS_OF, demo_tracker

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,  # a LibreOffice conversion per sheet: about 20 s of CPU; CI (.ci/run) runs them
    pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                       reason="needs LibreOffice (soffice) and poppler-utils (pdftoppm) on PATH"),
]

REPO = Path(__file__).resolve().parent.parent
DOCS_IMAGES = REPO / "docs" / "images"
TIMEOUT = 240


def to_pdf(xlsx: Path, outdir: Path, profile: Path) -> Path:
    """Convert with a private LibreOffice profile (no clash with a running LibreOffice), with a timeout."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    pdf = outdir / (xlsx.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice made no PDF of {xlsx.name}"
    return pdf


def to_png(pdf: Path, prefix: Path, page: int = 1, dpi: int = 80) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(prefix)], check=True, capture_output=True, timeout=TIMEOUT)
    return prefix.with_suffix(".png")


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def pdf_text(pdf: Path, first: int = 1, last: int = 1) -> str:
    return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def one_sheet(src: Path, sheet: str, dst: Path, keep_columns: tuple[str, ...] = ()) -> Path:
    """A copy holding only ``sheet`` (LibreOffice prints every sheet); optionally only some columns."""
    wb = openpyxl.load_workbook(src)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    ws = wb[sheet]
    if keep_columns:
        header = [c.value for c in ws[1]]
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[S.col_letter(i)].hidden = h not in keep_columns
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_cols = None
    wb.active = 0
    wb.save(dst)
    return dst


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The demo tracker (300 sample claims through the real pipeline) and a folder for renders."""
    folder = tmp_path_factory.mktemp("render")
    path = folder / "ClaimTracker.xlsx"
    demo_tracker(path, load_rules(), AS_OF, n=300)
    return path, folder, folder / "lo_profile"


def test_whole_tracker_converts(rendered):
    path, folder, profile = rendered
    pdf = to_pdf(path, folder, profile)
    assert pdf_pages(pdf) >= 7  # every sheet prints at least one page
    png = to_png(pdf, folder / "whole")
    assert png.stat().st_size > 20_000


SHEET_TEXT = {
    "Worklist": ("Worklist: the claims to work today", "Next Action", "today's share is", "That is today's share."),
    "Claims": ("Claim ID", "Patient", "Payer"),
    "Follow-up Log": ("Action Taken", "Next Date"),
    "Dashboard": ("Open AR", "All payers", "Open billed claims (count)", "Follow-up backlog: work due today",
                  "All follow-up work due now", "Cleared by"),
    "Payers": ("Payer rules in use", "Rules folder", "Rules in force on"),
    "Settings": ("As-of date", "Backups kept", "What it means", "Follow-up work per day"),
    "How to": ("How to use this claim tracker", "how much of that work fits in today.", "The daily routine"),
}


@pytest.mark.parametrize("sheet", list(SHEET_TEXT))
def test_each_sheet_prints_legibly(rendered, sheet):
    path, folder, profile = rendered
    name = sheet.replace(" ", "_")
    pdf = to_pdf(one_sheet(path, sheet, folder / f"{name}.xlsx"), folder, profile)
    text = pdf_text(pdf)
    for words in SHEET_TEXT[sheet]:  # a phrase at the end of a wrapped line shows nothing was clipped
        assert words in text, f"{sheet}: {words!r} not on page 1"
    png = to_png(pdf, folder / name)
    assert png.stat().st_size > (3_000 if sheet == "Follow-up Log" else 15_000)
    if sheet == "Worklist":
        assert "Why" in text and pdf_pages(pdf) < 40
    if sheet == "Dashboard":
        assert pdf_pages(pdf) == 1  # KPIs, both matrices and both charts on one page
    if sheet == "Payers":
        assert pdf_pages(pdf) <= 2  # one page wide, rows only as tall as their text
    if sheet == "How to":
        assert pdf_pages(pdf) == 3


def _pixels(pdf: Path, prefix: Path) -> tuple[int, int, bytes]:
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    data = prefix.with_suffix(".ppm").read_bytes()
    magic, w, h, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(w), int(h), pixels


def test_dashboard_charts_have_bars(rendered):
    path, folder, profile = rendered
    pdf = to_pdf(one_sheet(path, "Dashboard", folder / "Dash_bars.xlsx"), folder, profile)
    w, h, px = _pixels(pdf, folder / "dash_bars")
    right = 0  # bar-blue pixels in the right half of the page, where the charts are
    for y in range(h):
        row = px[y * w * 3:(y + 1) * w * 3]
        for x in range(w // 2, w):
            r, g, b = row[x * 3:x * 3 + 3]
            if abs(r - 0x44) < 20 and abs(g - 0x72) < 20 and abs(b - 0xC4) < 20:  # layout.BAR_BLUE
                right += 1
    assert right > 200, "the 'Open AR by age' chart shows no bars"


@pytest.mark.skipif(os.environ.get("CLAIMBOOK_DOCS_IMAGES") != "1", reason="set CLAIMBOOK_DOCS_IMAGES=1 to rewrite docs/images")
def test_write_docs_images(rendered):
    path, folder, profile = rendered
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    claims_view = ("Claim ID", "Patient", "Payer", "DOS", "Billed", "Status", "Denial Codes", "Age", "Next Action",
                   "Follow-up Date", "Days Overdue", "TF Risk", "Priority")
    for sheet, image, keep in (("Worklist", "worklist", ()), ("Claims", "claims", claims_view),
                               ("Dashboard", "dashboard", ())):
        pdf = to_pdf(one_sheet(path, sheet, folder / f"docs_{image}.xlsx", keep), folder, profile)
        png = to_png(pdf, folder / f"docs_{image}", dpi=110)
        shutil.copyfile(png, DOCS_IMAGES / f"{image}.png")
    assert all((DOCS_IMAGES / f"{i}.png").stat().st_size > 20_000 for i in ("worklist", "claims", "dashboard"))
