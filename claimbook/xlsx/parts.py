"""The zip package: parts, content types, relationships, the workbook's sheets and tables.

``Package`` reads a tracker file once (the zip's directory) and each part on demand; ``write`` writes a
new package where the parts claimbook changed or added replace theirs and every other part is copied
with its bytes, name, order, date and compression unchanged.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_WORKSHEET = NS_REL + "/worksheet"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True)
class Rel:
    id: str
    type: str  # the full relationship type URI
    target: str  # the zip name of the part (internal), or the target as written (external)
    external: bool

    @property
    def kind(self) -> str:
        """The type's last word: "worksheet", "table", "drawing"..."""
        return self.type.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Sheet:
    name: str
    sheet_id: str
    rel_id: str
    part: str  # zip name, e.g. xl/worksheets/sheet2.xml
    state: str  # visible, hidden, veryHidden
    kind: str  # worksheet, chartsheet, dialogsheet...


@dataclass
class TablePart:
    part: str
    name: str
    display_name: str
    ref: str
    totals_row_count: int
    header_row_count: int
    autofilter_ref: str | None


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """The zip name a relationship target of ``source_part`` points to."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Package:
    """A workbook file's zip package, opened for reading (``close`` or use as a context manager)."""

    def __init__(self, path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path)
        self.infos = self.zip.infolist()
        self.names = {i.filename for i in self.infos}
        self._rels: dict[str, list[Rel]] = {}
        self._sheets: list[Sheet] | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.zip.close()

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def open(self, name: str):
        return self.zip.open(name)

    # ---- relationships
    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` ("" for the package's own), internal targets as zip names."""
        if part not in self._rels:
            name = rels_name(part) if part else "_rels/.rels"
            out = []
            if name in self.names:
                for el in ET.fromstring(self.read(name)):
                    target = el.get("Target") or ""
                    external = el.get("TargetMode") == "External"
                    out.append(Rel(el.get("Id") or "", el.get("Type") or "", target if external else
                                   resolve(part or "/", target) if part else target.lstrip("/"), external))
            self._rels[part] = out
        return self._rels[part]

    def related(self, part: str, kind: str) -> list[str]:
        """Zip names of the internal parts ``part`` relates to with this kind ("table", "drawing"...)."""
        return [r.target for r in self.rels(part) if r.kind == kind and not r.external]

    # ---- the workbook
    @property
    def workbook_part(self) -> str:
        for r in self.rels(""):
            if r.kind == "officeDocument":
                return r.target
        return "xl/workbook.xml"

    def sheets(self) -> list[Sheet]:
        """The workbook's sheets in tab order."""
        if self._sheets is None:
            book = self.workbook_part
            by_id = {r.id: r for r in self.rels(book)}
            out = []
            root = ET.fromstring(self.read(book))
            for el in root.iter(f"{{{NS_MAIN}}}sheet"):
                rid = el.get(f"{{{NS_REL}}}id") or ""
                rel = by_id.get(rid)
                out.append(Sheet(el.get("name") or "", el.get("sheetId") or "", rid, rel.target if rel else "",
                                 el.get("state") or "visible", rel.kind if rel else ""))
            self._sheets = out
        return self._sheets

    def worksheet(self, name: str) -> Sheet | None:
        """The worksheet with this tab name (Excel compares names without case), or None."""
        wanted = name.casefold()
        return next((s for s in self.sheets() if s.name.casefold() == wanted and s.kind == "worksheet"), None)

    def tables(self, sheet_part: str) -> list[TablePart]:
        """The Excel tables (ListObjects) on a worksheet."""
        out = []
        for part in self.related(sheet_part, "table"):
            if part not in self.names:
                continue
            root = ET.fromstring(self.read(part))
            af = next((el for el in root if local(el.tag) == "autoFilter"), None)
            out.append(TablePart(part, root.get("name") or "", root.get("displayName") or "", root.get("ref") or "",
                                 int(root.get("totalsRowCount") or 0), int(root.get("headerRowCount") or 1),
                                 af.get("ref") if af is not None else None))
        return out

    def styles_part(self) -> str | None:
        parts = self.related(self.workbook_part, "styles")
        return parts[0] if parts and parts[0] in self.names else None

    # ---- saving
    def write(self, target, replaced: dict[str, bytes], added: dict[str, bytes] | None = None,
              removed: set[str] | frozenset = frozenset()) -> None:
        """Write the package to ``target``: parts in ``replaced`` with their new content, the others copied
        as they are (same name, order, date, compression) except the ``removed`` ones, then the ``added``
        parts. New content is bytes, or a function giving its pieces (written as they come, so a large
        sheet is never held whole twice)."""
        added = dict(added or {})
        with zipfile.ZipFile(target, "w", allowZip64=True) as out:
            for info in self.infos:
                if info.filename in removed:
                    continue
                data = replaced.get(info.filename)
                if data is None:
                    with self.zip.open(info) as src, out.open(_copy_info(info), "w", force_zip64=info.file_size > 2**30) as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                else:
                    _write(out, _copy_info(info), data)
            for name, data in added.items():
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o600 << 16
                _write(out, zi, data)


def _write(out: zipfile.ZipFile, zi: zipfile.ZipInfo, data) -> None:
    if isinstance(data, (bytes, bytearray)):
        out.writestr(zi, data)
        return
    with out.open(zi, "w", force_zip64=True) as dst:
        for piece in data():
            dst.write(piece)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    zi.create_system = info.create_system
    zi.comment = info.comment
    zi.extra = b""  # zip64 and timestamps extras are rewritten by zipfile as needed
    return zi


