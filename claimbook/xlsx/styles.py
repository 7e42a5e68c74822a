"""Cell formats (``xl/styles.xml``): which cell styles show dates, and adding the formats claimbook writes.

A cell's ``s`` attribute is an index into ``cellXfs``; an ``xf`` names a number format, font, fill,
border, alignment and protection. Existing entries are never changed or renumbered (the practice's cells
point at them); claimbook's new formats are appended, and an identical one already there is used instead
(so refreshing twice adds nothing the second time). ``to_bytes`` splices the additions into the original
bytes: every other element, prefix, ``mc:Ignorable`` declaration and ``extLst`` stays exactly as it was.
Dates are told apart the way openpyxl tells them (``openpyxl.styles.numbers``), so both readers see the
same values.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.parts import NS_MAIN, local
from claimbook.xlsx.xmlscan import ScanError, Writer, qualify, scan, splice, start_tag

# CT_Stylesheet's sequence: where a section missing from a workbook's styles.xml goes
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst")
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf", "dxfs": "dxf"}
_TOGGLES = {"b", "i", "strike", "outline", "shadow", "condense", "extend"}  # <b/> is <b val="1"/>
_ALIGN_DEFAULTS = {"horizontal": "general", "vertical": "bottom", "indent": "0", "relativeIndent": "0",
                   "textRotation": "0", "wrapText": "0", "shrinkToFit": "0", "justifyLastLine": "0",
                   "readingOrder": "0"}
_BOOL = {"true": "1", "false": "0"}
_EMPTY_STYLESHEET = f'<styleSheet xmlns="{NS_MAIN}"/>'.encode()


def _name(tag: str) -> str:
    """A tag's name for comparing: local for the main namespace (or none, as openpyxl makes them)."""
    if tag.startswith("{" + NS_MAIN + "}"):
        return tag[len(NS_MAIN) + 2:]
    return tag


def canon(el, section: str = "") -> tuple:
    """A comparable form of a style element: names without the main namespace, booleans as 0/1, default
    alignment attributes and empty border sides left out, a font's children in any order."""
    name = _name(el.tag)
    attrs = {}
    for k, v in el.attrib.items():
        k = _name(k)
        v = _BOOL.get(v, v)
        if name == "alignment" and _ALIGN_DEFAULTS.get(k) == v:
            continue
        if k == "rgb":
            v = v.upper()
        attrs[k] = v
    if name in _TOGGLES and section == "font":
        if attrs.get("val", "1") == "0":
            return ()
        attrs["val"] = "1"
    kids = [canon(c, name if name in ("font",) else section) for c in el]
    if name == "border":
        kids = [k for k in kids if k and (k[1] or k[2])]  # <left/> is no left border
    kids = [k for k in kids if k != ()]
    if name == "font":
        kids.sort()
    return (name, tuple(sorted(attrs.items())), tuple(kids), (el.text or "").strip())


def _to_tree(obj):
    """An openpyxl style object as an ElementTree element (an element is taken as it is)."""
    if hasattr(obj, "to_tree"):
        el = obj.to_tree()
        return ET.fromstring(ET.tostring(el)) if not isinstance(el, ET.Element) else el
    return obj


class StyleBook:
    """The cell formats of one workbook, read from its ``styles.xml`` (``None``: Excel's defaults only)."""

    def __init__(self, xml: bytes | None):
        self.xml = xml
        self.root = ET.fromstring(xml) if xml else None
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        self.xf_formats: list[int] = []  # numFmtId of each cellXfs entry
        self._custom: set[int] = set()  # numFmtIds the workbook defines in numFmts
        self.sections: dict[str, list] = {k: [] for k in _ITEM}  # existing elements of each section
        if self.root is not None:
            for el in self.root:
                name = local(el.tag)
                if name in _ITEM:
                    self.sections[name] = [x for x in el if local(x.tag) == _ITEM[name]]
                if name == "numFmts":
                    for f in el:
                        if f.get("numFmtId", "").isdigit():
                            self.formats[int(f.get("numFmtId"))] = f.get("formatCode") or ""
                            self._custom.add(int(f.get("numFmtId")))
                elif name == "cellXfs":
                    self.xf_formats = [int(x.get("numFmtId") or 0) for x in el if local(x.tag) == "xf"]
        self._dates: set[int] | None = None
        self._durations: set[int] | None = None
        self._added: dict[str, list[str]] = {k: [] for k in _ITEM}
        self._keys: dict[str, dict] | None = None  # section -> canonical form -> index (built on first add)
        self._xf_els: list = list(self.sections["cellXfs"])  # existing and added xf elements (for copies)
        self._writer: Writer | None = None

    # ---- reading
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

    # ---- adding
    @property
    def changed(self) -> bool:
        """Whether anything was added (``to_bytes`` then differs from the part as read)."""
        return any(self._added.values())

    def count(self, section: str) -> int:
        """How many entries ``section`` ("fonts", "cellXfs"...) has, the added ones included."""
        return len(self.sections[section]) + len(self._added[section])

    def _index(self) -> dict[str, dict]:
        if self._keys is None:
            self._keys = {}
            for section, els in self.sections.items():
                found: dict = {}
                key_of = self._xf_key if section == "cellXfs" else (lambda e, s=section: canon(e, _ITEM[s]))
                for i, el in enumerate(els):
                    found.setdefault(key_of(el), i)
                self._keys[section] = found
        return self._keys

    def _find_or_add(self, section: str, key, el) -> int:
        keys = self._index()[section]
        if key in keys:
            return keys[key]
        i = self.count(section)
        keys[key] = i
        self._added[section].append(self._write(el))
        return i

    def _write(self, el) -> str:
        if self._writer is None:
            self._writer = Writer(scan(self._data(), depth=0), NS_MAIN)
        return self._writer.write(el)

    def _data(self) -> bytes:
        return self.xml or _EMPTY_STYLESHEET

    def add_font(self, font) -> int:
        """Index of this font (an openpyxl ``Font`` or a ``<font>`` element), appended when not there."""
        el = _to_tree(font)
        return self._find_or_add("fonts", canon(el, "font"), el)

    def add_fill(self, fill) -> int:
        el = _to_tree(fill)
        return self._find_or_add("fills", canon(el, "fill"), el)

    def add_border(self, border) -> int:
        el = _to_tree(border)
        return self._find_or_add("borders", canon(el, "border"), el)

    def number_format_id(self, code: str | None) -> int:
        """The numFmtId showing ``code``: the workbook's own, a built-in one, or a new one appended."""
        code = code or "General"
        if code == "General":
            return 0
        for i in sorted(self._custom):
            if self.formats.get(i) == code:
                return i
        for i, c in BUILTIN_FORMATS.items():
            if c == code and i not in self._custom:
                return i
        new = max([163, *self._custom]) + 1
        self._custom.add(new)
        self.formats[new] = code
        self._index()
        self._added["numFmts"].append(self._write(ET.Element("numFmt", numFmtId=str(new), formatCode=code)))
        return new

    def _xf_key(self, el) -> tuple:
        g = el.get
        kids = {_name(c.tag): canon(c) for c in el}
        off = frozenset(k for k, part in (("applyNumberFormat", "numFmtId"), ("applyFont", "fontId"),
                                          ("applyFill", "fillId"), ("applyBorder", "borderId"))
                        if _BOOL.get(g(k) or "", g(k)) == "0" and (g(part) or "0") != "0")
        off |= frozenset(k for k, part in (("applyAlignment", "alignment"), ("applyProtection", "protection"))
                         if _BOOL.get(g(k) or "", g(k)) == "0" and part in kids)
        return (int(g("numFmtId") or 0), int(g("fontId") or 0), int(g("fillId") or 0), int(g("borderId") or 0),
                int(g("xfId") or 0), _BOOL.get(g("quotePrefix") or "0", g("quotePrefix")) == "1",
                _BOOL.get(g("pivotButton") or "0", g("pivotButton")) == "1",
                tuple(sorted((k, v) for k, v in kids.items() if k in ("alignment", "protection"))),
                tuple(v for k, v in sorted(kids.items()) if k not in ("alignment", "protection")), off)

    def _add_xf_element(self, el) -> int:
        i = self._find_or_add("cellXfs", self._xf_key(el), el)
        if i == len(self.xf_formats):
            self.xf_formats.append(int(el.get("numFmtId") or 0))
            self._xf_els.append(el)
            self._dates = self._durations = None
        return i

    def add_xf(self, font=None, fill=None, border=None, number_format: str | None = None, alignment=None,
               protection=None, quote_prefix: bool = False) -> int:
        """The cell style (``cellXfs`` index) with these parts, appended when no identical one is there.

        ``font``, ``fill``, ``border``: an openpyxl style object, an element, or the index of one of the
        workbook's own (``None``: its default, index 0); ``alignment``, ``protection``: openpyxl objects or
        elements (``None``: the defaults); ``number_format``: a format code ("General" when ``None``)."""
        ids = {}
        for key, obj, add in (("fontId", font, self.add_font), ("fillId", fill, self.add_fill),
                              ("borderId", border, self.add_border)):
            ids[key] = 0 if obj is None else obj if isinstance(obj, int) else add(obj)
        num = self.number_format_id(number_format)
        el = ET.Element("xf", numFmtId=str(num), fontId=str(ids["fontId"]), fillId=str(ids["fillId"]),
                        borderId=str(ids["borderId"]), xfId="0")
        for flag, on in (("applyNumberFormat", num), ("applyFont", ids["fontId"]), ("applyFill", ids["fillId"]),
                         ("applyBorder", ids["borderId"])):
            if on:
                el.set(flag, "1")
        if quote_prefix:
            el.set("quotePrefix", "1")
        for flag, obj in (("applyAlignment", alignment), ("applyProtection", protection)):
            if obj is None:
                continue
            child = _to_tree(obj)
            if canon(child)[1]:  # not all defaults
                el.set(flag, "1")
                el.append(child)
        return self._add_xf_element(el)

    def with_number_format(self, xf: int, code: str) -> int:
        """The cell style that is ``xf`` with number format ``code`` (``xf`` itself when it already is)."""
        if self.number_format(xf) == code and 0 <= xf < len(self.xf_formats):
            return xf
        num = self.number_format_id(code)
        if 0 <= xf < len(self._xf_els):
            el = ET.fromstring(ET.tostring(self._xf_els[xf]))
        else:
            el = ET.Element("xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        el.set("numFmtId", str(num))
        if num:
            el.set("applyNumberFormat", "1")
        elif "applyNumberFormat" in el.attrib:
            del el.attrib["applyNumberFormat"]
        return self._add_xf_element(el)

    def add_dxf(self, dxf) -> int:
        """Index of this differential format (an openpyxl ``DifferentialStyle`` or a ``<dxf>`` element), for
        a conditional format's ``dxfId``; appended when no identical one is there."""
        el = _to_tree(dxf)
        return self._find_or_add("dxfs", canon(el, "dxf"), el)

    def to_bytes(self) -> bytes:
        """The whole ``styles.xml``: the original bytes with the additions spliced in and counts updated."""
        data = self._data()
        if not self.changed:
            return data
        try:
            root = scan(data, depth=1)
        except ScanError as e:
            raise NeedsUpgrade(f"styles.xml cannot be read for splicing: {e}") from e
        prefix = Writer(root, NS_MAIN).main_prefix
        replace = {}
        for section, added in self._added.items():
            if not added:
                continue
            node = root.child(section)
            new = "".join(added).encode()
            count = str(self.count(section))
            if node is None:
                replace[section] = (start_tag(qualify(prefix, section), [("count", count)]) + new.decode()
                                    + f"</{qualify(prefix, section)}>").encode()
                continue
            attrs = [(k, count if k == "count" else v) for k, v in node.attrs]
            if not any(k == "count" for k, _ in attrs):
                attrs.append(("count", count))
            head = start_tag(node.qname, attrs).encode()
            if node.empty:
                body = b""
            else:
                body = data[node.head_end:data.rindex(b"</", 0, node.end)]
            replace[section] = head + body + new + f"</{node.qname}>".encode()
        return splice(data, root, replace, _ORDER)


__all__ = ["StyleBook", "canon"]
