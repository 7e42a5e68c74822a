"""Cell formats (``xl/styles.xml``): which cell styles show dates, and adding the formats claimbook writes.

A cell's ``s`` attribute is an index into ``cellXfs``; an ``xf`` names a number format, font, fill,
border, alignment and protection. Existing entries are never changed or renumbered (the practice's cells
point at them); claimbook's new formats are appended. Dates are told apart the way openpyxl tells them
(``openpyxl.styles.numbers``), so both readers see the same values.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

from claimbook.xlsx.parts import local


class StyleBook:
    """The cell formats of one workbook, read from its ``styles.xml`` (``None``: Excel's defaults only)."""

    def __init__(self, xml: bytes | None):
        self.xml = xml
        self.root = ET.fromstring(xml) if xml else None
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        self.xf_formats: list[int] = []  # numFmtId of each cellXfs entry
        if self.root is not None:
            for el in self.root:
                name = local(el.tag)
                if name == "numFmts":
                    for f in el:
                        if f.get("numFmtId", "").isdigit():
                            self.formats[int(f.get("numFmtId"))] = f.get("formatCode") or ""
                elif name == "cellXfs":
                    self.xf_formats = [int(x.get("numFmtId") or 0) for x in el if local(x.tag) == "xf"]
        self._dates: set[int] | None = None
        self._durations: set[int] | None = None

    def number_format(self, xf: int) -> str:
        """The number format code of cell style ``xf`` ("General" when there is none)."""
        if 0 <= xf < len(self.xf_formats):
            return self.formats.get(self.xf_formats[xf], "General")
        return "General"

    def date_styles(self) -> set[int]:
        """Indices of the cell styles whose number format shows a date or time."""
        if self._dates is None:
            self._dates = {i for i, f in enumerate(self.xf_formats) if is_date_format(self.formats.get(f, "General"))}
        return self._dates

    def duration_styles(self) -> set[int]:
        """Indices of the cell styles that show elapsed time ([h]:mm): read as durations, as openpyxl does."""
        if self._durations is None:
            self._durations = {i for i in self.date_styles()
                               if is_timedelta_format(self.formats.get(self.xf_formats[i], "General"))}
        return self._durations

    def is_date(self, xf: int) -> bool:
        return xf in self.date_styles()
