"""pyx12's 277 claim-status map (277.5010.X212.xml), with its loop nesting repaired in memory.

pyx12 ships the map but leaves it out of ``maps.xml``: its 2000C/2000D/2000E levels sit in stray
"TABLE2AREA" wrapper loops beside 2000A, its SE trailer sits outside the transaction, and its GS01/GS08
codes were copied from the 820 map, so no real 277 validates against it. The repair nests each hierarchical level in its parent the way pyx12's own
277CA map (005010X214) does, and moves SE and the footer back into the transaction. Segment and
element definitions (usage, codes, lengths) are pyx12's, untouched.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as et
import pyx12.map_if

MAP_FILE = "277.5010.X212.xml"


def _loops(parent: Element) -> dict[str, tuple[Element, Element]]:
    """Every loop under ``parent`` by id, with its parent element."""
    out: dict[str, tuple[Element, Element]] = {}
    for el in parent.iter():
        for child in list(el):
            if child.tag == "loop":
                out[child.get("xid") or ""] = (child, el)
    return out


def _set(el: Element, tag: str, value: str) -> None:
    node = el.find(tag)
    if node is not None:
        node.text = value


def repaired_root() -> Element:
    with files("pyx12").joinpath("map", MAP_FILE).open("rb") as fh:
        root = et.parse(fh).getroot()
    loops = _loops(root)
    st_loop = loops["ST_LOOP"][0]
    # Transaction header/detail positions as in the X214 map.
    st_seg = st_loop.find("segment[@xid='ST']")
    if st_seg is not None:
        _set(st_seg, "pos", "0050")
    _set(loops["HEADER"][0], "pos", "0100")
    _set(loops["DETAIL"][0], "pos", "0200")
    # Nest 2000C in 2000B, 2000D in 2000C, 2000E in 2000D.
    for child_id, parent_id in (("2000C", "2000B"), ("2000D", "2000C"), ("2000E", "2000D")):
        child, holder = loops[child_id]
        holder.remove(child)
        _set(child, "pos", "2000")
        loops[parent_id][0].append(child)
    _set(loops["2000B"][0], "pos", "2000")
    # Drop the empty wrappers; put the footer and SE back inside ST_LOOP.
    detail = loops["DETAIL"][0]
    for wrapper in ("TABLE2AREA4", "TABLE2AREA5", "TABLE2AREA6"):
        el, holder = loops[wrapper]
        holder.remove(el)
    area3, holder = loops["TABLE2AREA3"]
    holder.remove(area3)
    footer = area3.find("loop[@xid='FOOTER']")
    se = area3.find("segment[@xid='SE']")
    if footer is not None:
        _set(footer, "pos", "3000")
        st_loop.append(footer)
    if se is not None:
        _set(se, "pos", "5550")
        st_loop.append(se)
    # The envelope codes were copied from the 820 map (GS01 RA, GS08 005010X218).
    for xid, code in (("GS01", "HN"), ("GS08", "005010X212")):
        for el in root.iter("element"):
            if el.get("xid") == xid:
                codes = el.find("valid_codes")
                if codes is not None:
                    for c in list(codes):
                        codes.remove(c)
                    new = Element("code")
                    new.text = code
                    codes.append(new)
    assert detail is not None
    return root


def load(param: Any) -> Any:
    return pyx12.map_if.map_if(repaired_root(), param, None)
