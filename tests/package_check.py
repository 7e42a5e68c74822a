"""Is an xlsx/xlsm zip package valid? The checks Excel's own loader makes before it opens a workbook
(and offers to "repair" it when they fail), done on the zip: every XML part parses, every part has a
content type, every content-type override names a part that exists, every internal relationship
(of every .rels part) points at a part that exists, and relationship Ids are unique per .rels part."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
XML_SUFFIXES = (".xml", ".rels", ".vml")


def problems(path: Path) -> list[str]:
    """Everything wrong with the package at ``path`` (an empty list when it is valid)."""
    out: list[str] = []
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        return [f"not a zip file: {err}"]
    with z:
        names = [n for n in z.namelist() if not n.endswith("/")]
        if len(set(names)) != len(names):
            out.append("a part name appears twice in the zip")
        parts = set(names)
        if z.testzip() is not None:
            out.append(f"zip CRC error in {z.testzip()}")
        for name in names:
            if name.lower().endswith(XML_SUFFIXES) or name == "[Content_Types].xml":
                try:
                    ET.fromstring(z.read(name))
                except ET.ParseError as err:
                    out.append(f"{name} is not well-formed XML: {err}")
        if "[Content_Types].xml" not in parts:
            return out + ["no [Content_Types].xml"]
        types = ET.fromstring(z.read("[Content_Types].xml"))
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{CT_NS}Default")}
        overrides = {o.get("PartName", "") for o in types.iter(f"{CT_NS}Override")}
        for over in sorted(overrides):
            if over.lstrip("/") not in parts:
                out.append(f"[Content_Types].xml has an Override for {over}, which is not in the package")
        lowered = {o.lower() for o in overrides}
        for name in names:
            if name == "[Content_Types].xml":
                continue
            ext = name.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(name) else ""
            if "/" + name.lower() not in lowered and ext not in defaults:
                out.append(f"{name} has no content type")
        if "_rels/.rels" not in parts:
            out.append("no _rels/.rels (package relationships)")
        for name in names:
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            source = posixpath.join(folder, posixpath.basename(name)[:-len(".rels")])
            if name != "_rels/.rels" and source not in parts:
                out.append(f"{name} belongs to {source}, which is not in the package")
            try:
                root = ET.fromstring(z.read(name))
            except ET.ParseError:
                continue
            ids = set()
            for rel in root:
                rid, target = rel.get("Id"), rel.get("Target") or ""
                if rid in ids:
                    out.append(f"{name}: relationship Id {rid} appears twice")
                ids.add(rid)
                if rel.get("TargetMode") == "External":
                    continue
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                if resolved not in parts:
                    out.append(f"{name}: {rid} ({rel.get('Type', '').rsplit('/', 1)[-1]}) points at {resolved}, "
                               "which is not in the package")
    return out
