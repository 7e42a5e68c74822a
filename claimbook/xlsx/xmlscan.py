"""Where each element of an XML part starts and ends, in bytes, so a part can be edited by splicing.

Rewriting a part with ElementTree renames its namespace prefixes (``ns0:``) and drops declarations it does
not see used, which breaks ``mc:Ignorable`` (Excel then repairs the file). Instead ``scan`` records the byte
span of each element down to a given depth, with its attributes exactly as written (prefixed names, no
namespace processing), and the callers copy every span they do not change as it is. The writing helpers
here escape text and attributes, and write ElementTree elements (openpyxl's ``to_tree``) under the part's
own prefix for its main namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

NS_XML = "http://www.w3.org/XML/1998/namespace"
_START_TAG = re.compile(rb"""<[^\s>/]+(?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


class ScanError(ValueError):
    """The part is not XML this module can splice (not UTF-8, or not well-formed)."""


@dataclass
class Node:
    qname: str  # as written, with its prefix ("x:row")
    attrs: list  # [(qname, value)] in document order, values unescaped
    start: int  # byte offset of "<"
    head_end: int  # just after the start tag's ">"
    end: int = -1  # just after the element's last ">"
    children: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def empty(self) -> bool:
        return self.head_end == self.end

    def get(self, qname: str, default=None):
        for k, v in self.attrs:
            if k == qname:
                return v
        return default

    def child(self, name: str):
        return next((c for c in self.children if c.name == name), None)


def scan(data: bytes, depth: int = 1, deeper: dict | None = None) -> Node:
    """The root element, with its descendants recorded ``depth`` levels down (1: the root's children).
    ``deeper`` maps a child's local name to how many levels to record under it (e.g. ``{"sheetData": 2}``
    for the rows and cells of a worksheet)."""
    deeper = deeper or {}
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    stack: list[Node] = []
    limits: list[int] = []  # how deep to record, per open recorded element
    skipped = [0]  # open elements below the recorded depth
    root: list[Node] = []

    def start(qname, attrs):
        if skipped[0]:
            skipped[0] += 1
            return
        if stack and len(stack) > limits[-1]:
            skipped[0] = 1
            return
        pos = parser.CurrentByteIndex
        m = _START_TAG.match(data, pos)
        if m is None:
            raise ScanError("unexpected start tag")
        node = Node(qname, list(zip(attrs[::2], attrs[1::2])), pos, m.end())
        if m.group().endswith(b"/>"):
            node.end = node.head_end
        if stack:
            stack[-1].children.append(node)
            extra = deeper.get(node.name) if len(stack) == 1 else None
            limits.append(len(stack) + extra if extra is not None else limits[-1])
        else:
            root.append(node)
            limits.append(depth)
        stack.append(node)

    def end(qname):
        if skipped[0]:
            skipped[0] -= 1
            return
        node = stack.pop()
        limits.pop()
        if node.end < 0:
            node.end = data.index(b">", parser.CurrentByteIndex) + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise ScanError(str(e)) from e
    if not root:
        raise ScanError("no root element")
    return root[0]


def prefix_of(root: Node, uri: str) -> str | None:
    """The prefix the root declares for ``uri`` ("" for the default namespace), or None."""
    for k, v in root.attrs:
        if v == uri and (k == "xmlns" or k.startswith("xmlns:")):
            return k[6:]
    return None


def qualify(prefix: str, name: str) -> str:
    return f"{prefix}:{name}" if prefix else name


_ATTR_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
                           "\t": "&#9;"})
_TEXT_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def esc_attr(value) -> str:
    return str(value).translate(_ATTR_ESC)


def esc_text(value) -> str:
    return str(value).translate(_TEXT_ESC)


_UNESC = re.compile(r"&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#[0-9]+);")
_NAMED = {"lt": "<", "gt": ">", "quot": '"', "apos": "'", "amp": "&"}


def _entity(m) -> str:
    name = m.group(1)
    if name in _NAMED:
        return _NAMED[name]
    return chr(int(name[2:], 16) if name.startswith("#x") else int(name[1:]))


def unesc_text(text: str) -> str:
    """Element text as written in XML, with its five entities and character references read."""
    return _UNESC.sub(_entity, text) if "&" in text else text


def start_tag(qname: str, attrs, empty: bool = False) -> str:
    inner = "".join(f' {k}="{esc_attr(v)}"' for k, v in attrs)
    return f"<{qname}{inner}{'/>' if empty else '>'}"


class Writer:
    """Writes ElementTree elements under a part's prefixes: names in ``main`` (or in no namespace, as
    openpyxl's ``to_tree`` makes them) get the part's prefix for ``main``; other namespaces the prefix the
    root declares, or a local declaration."""

    def __init__(self, root: Node, main: str):
        self.main = main
        self.prefixes = {v: k[6:] for k, v in root.attrs if k == "xmlns" or k.startswith("xmlns:")}
        self.main_prefix = self.prefixes.get(main, "")

    def name(self, tag: str, local_decls: dict) -> str:
        if not tag.startswith("{"):
            return qualify(self.main_prefix, tag)
        uri, _, local = tag[1:].partition("}")
        if uri == self.main:
            return qualify(self.main_prefix, local)
        if uri == NS_XML:
            return f"xml:{local}"
        prefix = self.prefixes.get(uri) or local_decls.get(uri)
        if not prefix:  # the default namespace is the main one: another needs a prefix
            prefix = local_decls[uri] = f"cb{len(local_decls)}"
        return qualify(prefix, local)

    def write(self, el) -> str:
        out: list[str] = []
        self._write(el, out)
        return "".join(out)

    def _write(self, el, out: list) -> None:
        decls: dict = {}
        tag = self.name(el.tag, decls)
        attrs = [(self.name(k, decls) if k.startswith("{") else k, v) for k, v in el.attrib.items()]
        attrs = [(f"xmlns:{p}", uri) for uri, p in decls.items()] + attrs
        children = list(el)
        if not children and not el.text:
            out.append(start_tag(tag, attrs, empty=True))
        else:
            out.append(start_tag(tag, attrs))
            if el.text:
                out.append(esc_text(el.text))
            for child in children:
                self._write(child, out)
                if child.tail:
                    out.append(esc_text(child.tail))
            out.append(f"</{tag}>")


def splice(data: bytes, root: Node, replace: dict, order: tuple) -> bytes:
    """``data`` with the root's children named in ``replace`` (local name -> new bytes, or None to remove)
    swapped: the first child of that name gives its place to the new bytes, other children of that name go;
    a name not there yet is put where ``order`` (the schema's sequence) wants it. Everything else is copied
    as it is."""
    rank = {n: i for i, n in enumerate(order)}
    kids = root.children
    if root.empty:
        head, body_end = data[: root.head_end - 2] + b">", root.head_end
        tail = f"</{root.qname}>".encode() + data[root.end:]
    else:
        head, body_end = data[: root.head_end], data.rindex(b"</", 0, root.end)
        tail = data[body_end:]
    inserts: dict[int, list[str]] = {}
    for n, new in replace.items():
        if new is None or any(c.name == n for c in kids):
            continue
        pos = next((i for i, c in enumerate(kids) if rank.get(c.name, -1) > rank[n]), len(kids))
        inserts.setdefault(pos, []).append(n)
    out, cursor, done = [head], root.head_end, set()
    for i, c in enumerate(kids):
        out.append(data[cursor:c.start])
        out.extend(replace[n] for n in sorted(inserts.get(i, []), key=rank.get))
        if c.name in replace:
            if c.name not in done and replace[c.name] is not None:
                out.append(replace[c.name])
            done.add(c.name)
        else:
            out.append(data[c.start:c.end])
        cursor = c.end
    out.append(data[cursor:body_end])
    out.extend(replace[n] for n in sorted(inserts.get(len(kids), []), key=rank.get))
    out.append(tail)
    return b"".join(out)
