"""Read an X12 file with pyx12, validating every segment against pyx12's 5010 maps.

``read_x12(path)`` returns the file's segments, each with the loop it belongs to, or raises
``ImportFileError`` naming the first problem pyx12 found (segment, segment number, line, problem in
plain words). A file with any problem is refused whole: callers never see a partial parse.

The validation loop mirrors ``pyx12.x12n_document`` (the library's own validator): the same reader
(``pyx12.x12file.X12Reader``), map walker, error handler and segment checks, including the envelope
(ISA/GS/ST counts and control numbers, missing trailers). It is reimplemented here only because
pyx12's ``maps.xml`` does not register the 277 claim-status map (005010X212) although the map file
ships with it, and ``x12n_document`` gives no way to add one or to get the segments back.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyx12.error_handler
import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.segment
import pyx12.x12file
from pyx12.map_if._segment import apply_segment_errors
from pyx12.map_walker import apply_walk_errors, walk_tree

from claimbook.errors import ImportFileError

from . import x212map
from .envelope import component_separator, no_envelope, pad_isa, unindent
from .findings import Problem as _Problem
from .findings import classify_element, classify_reader, classify_segment, summarise
from .messages import _isa_problem, _plain

# The transactions claimbook reads, by GS08 (version / release / industry identifier code).
SUPPORTED = {
    "005010X221A1": "835",  # Health Care Claim Payment/Advice (ERA)
    "005010X212": "277",  # Health Care Claim Status Response
    "005010X214": "277CA",  # Health Care Claim Acknowledgment
}
# pyx12 ships 277.5010.X212.xml but leaves it out of maps.xml (its loop nesting is broken); register
# it on our own index and load a repaired copy (see x212map).
_EXTRA_MAPS = [("00501", "005010X212", "HN", None, "277.5010.X212.xml", "277")]

_MAX_LISTED = 5


@dataclass(frozen=True, slots=True)
class Seg:
    """One segment of the file as pyx12 matched it to the implementation guide."""

    seg_id: str
    loop: str  # implementation-guide loop id: "2100", "2110", "HEADER", "1000A", "2200D" ...
    name: str  # the guide's name for this use of the segment ("Payer Claim Control Number")
    number: int  # 1-based position of the segment in the file (ISA = 1)
    line: int  # 1-based physical line where the segment starts
    data: Any  # pyx12.segment.Segment

    def get(self, ref: str) -> str:
        """Element value by reference designator ("CLP01", "SVC01-2"); "" when absent."""
        value = self.data.get_value(ref)
        return value if value is not None else ""


@dataclass(frozen=True, slots=True)
class X12Document:
    path: str
    kind: str  # "835", "277" or "277CA"
    version: str  # GS08
    segments: tuple[Seg, ...]
    warnings: tuple[str, ...] = ()  # non-structural findings (findings.py), one line each


def decode(raw: bytes) -> str:
    """Bytes of an X12 file as text (UTF-8 with or without BOM, UTF-16 with its BOM; anything else as
    Latin-1)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text


@lru_cache(maxsize=1)
def _params() -> Any:
    return pyx12.params.params()


def _map_index() -> pyx12.map_index.map_index:
    index = pyx12.map_index.map_index()
    for entry in _EXTRA_MAPS:
        index.add_map(*entry)
    return index


def _segment_lines(text: str, seg_term: str) -> list[int]:
    """Physical line (1-based) where each segment starts, in file order."""
    lines: list[int] = []
    line = 1  # line number at ``pos``
    pos = 0
    while True:
        end = text.find(seg_term, pos)
        if end == -1:
            break
        start = pos
        while start < end and text[start] in "\r\n":
            start += 1
        lines.append(line + text.count("\n", pos, start))
        line += text.count("\n", pos, end + 1)
        pos = end + 1
    return lines


def _unterminated_tail(text: str, seg_term: str) -> str:
    tail = text[text.rfind(seg_term) + 1 :] if seg_term in text else text
    return tail.strip()


def read_x12(path: str | os.PathLike[str], *, text: str | None = None) -> X12Document:
    """Parse and validate one X12 file. Raises ``ImportFileError`` for anything pyx12 rejects."""
    path = os.fspath(path)
    name = os.path.basename(path)
    if text is None:
        try:
            with open(path, "rb") as fh:
                text = decode(fh.read())
        except OSError as exc:
            raise ImportFileError(f"{name}: cannot be read ({exc.strerror or exc}).") from None
    body = text.lstrip(" \t\r\n")
    if not body.startswith("ISA"):
        raise ImportFileError(f"{name}: {no_envelope(body) or 'not an X12 file (it does not start with an ISA segment).'}")
    body, early = pad_isa(body)
    body, wrong_separator = component_separator(body)
    early += wrong_separator
    clean, indented = unindent(body, body[105] if len(body) > 105 else "~")
    early += indented

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)  # errors are reported by us, not logged
    try:
        src = pyx12.x12file.X12Reader(io.StringIO(clean))
    except pyx12.errors.X12Error as exc:
        raise ImportFileError(f"{name}: refused — segment ISA (segment 1, line 1): the interchange header is "
                              f"malformed ({_isa_problem(exc)}).") from None

    seg_term = src.seg_term or "~"
    body_segments = body.split(seg_term)
    lines = _segment_lines(body, seg_term)
    lead = text[: len(text) - len(body)].count("\n")
    tail = _unterminated_tail(body, seg_term)
    end_line = lead + body.rstrip().count("\n") + 1
    tail_start = len(body.rstrip()) - len(tail) if tail else 0
    tail_line = lead + body.count("\n", 0, tail_start) + 1

    param = _params()
    index = _map_index()
    try:
        control_map = pyx12.map_if.load_map_file(
            "x12.control.00501.xml" if src.icvn == "00501" else "x12.control.00401.xml", param
        )
    except Exception as exc:  # pragma: no cover - pyx12 installation problem
        raise ImportFileError(f"{name}: pyx12 could not load its control map ({exc}).") from None
    errh = pyx12.error_handler.err_handler()
    walker = walk_tree()
    node = control_map.getnodebypath("/ISA_LOOP/ISA")
    icvn = fic = vriic = None
    map_file: str | None = None
    cur_map: Any = None
    segments: list[Seg] = []
    problems: list[_Problem] = list(early)
    count = 0

    def where(n: int | None) -> int | None:
        return lines[n - 1] + lead if n and 0 < n <= len(lines) else None

    def take(errors: list[Any]) -> None:
        """Problems the reader found (envelope counts, control numbers, stray spaces, missing trailers).

        They are recorded here with the segment the reader was on, instead of being handed to pyx12's
        error tree, which files them under the previous segment."""
        for kind, code, msg, value, src_line in errors:
            kind = kind.upper()
            at_end = "missing" in msg and kind in ("ISA", "GS", "ST")
            number = None if at_end else (src_line or count)
            if kind == "SEG":
                seg_id = _seg_id_at(body_segments, number, src.ele_term or "*") if number else "?"
            else:
                seg_id = _ENVELOPE_SEG.get((kind, code), kind)
            line = where(number) if number else end_line
            cls = classify_reader(kind, code, msg)
            if at_end:
                msg = f"{msg} at the end of the file — it stops before its end (truncated?)"
            problems.append(_Problem(seg_id, number, line, _plain(msg, value), cls))

    try:
        for seg in src:
            count += 1
            seg_id = seg.get_seg_id() or "?"
            orig_node = node
            if seg_id == "ISA":
                node = control_map.getnodebypath("/ISA_LOOP/ISA")
                walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
            elif seg_id == "GS":
                node = control_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
                walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
            else:
                node, _pop, _push, walk_errors = walker.walk_errors(
                    node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id()
                )
                apply_walk_errors(errh, walk_errors)
            if node is None:
                node = orig_node  # pyx12 has recorded why the segment does not fit
                continue
            if seg_id == "ISA":
                errh.add_isa_loop(seg, src)
                icvn = seg.get_value("ISA12")
                take(src.pop_errors())
            elif seg_id == "IEA":
                take(src.pop_errors())
                errh.close_isa_loop(node, seg, src)
            elif seg_id == "GS":
                fic = seg.get_value("GS01")
                vriic = seg.get_value("GS08")
                if vriic not in SUPPORTED:
                    raise ImportFileError(
                        f"{name}: refused — segment GS (segment {count}, line {where(count)}): "
                        f"transaction version {vriic or '(blank)'} is not one claimbook reads "
                        "(835 005010X221A1, 277 005010X212, 277CA 005010X214)."
                    )
                new_map = index.get_filename(icvn, vriic, fic)
                if new_map is None:
                    raise ImportFileError(
                        f"{name}: refused — segment GS (segment {count}, line {where(count)}): "
                        f"functional group {fic} does not match version {vriic}."
                    )
                if new_map != map_file:
                    map_file = new_map
                    cur_map = _load_map(map_file)
                    src.check_837_lx = False
                node = cur_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
                errh.add_gs_loop(seg, src)
                take(src.pop_errors())
            elif seg_id == "GE":
                take(src.pop_errors())
                errh.close_gs_loop(node, seg, src)
            elif seg_id == "ST":
                errh.add_st_loop(seg, src)
                take(src.pop_errors())
            elif seg_id == "SE":
                take(src.pop_errors())
                errh.close_st_loop(node, seg, src)
            else:
                errh.add_seg(node, seg, src.get_seg_count(), src.get_cur_line(), src.get_ls_id())
                take(src.pop_errors())
            if isinstance(node, pyx12.map_if.segment_if):
                apply_segment_errors(node, seg, errh)
                parent = node.parent
                segments.append(
                    Seg(seg_id, getattr(parent, "id", "") or "", node.name or "", count, where(count) or 0, seg)
                )
        src.cleanup()
        take(src.pop_errors())
    except ImportFileError:
        raise
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        problems.append(_Problem(segments[-1].seg_id if segments else "ISA", count or None, where(count),
                                 _isa_problem(exc) if isinstance(exc, pyx12.errors.X12Error) else str(exc),
                                 "parser failure"))
    finally:
        src.close()

    if tail:
        frag_id = tail.split(src.ele_term or "*", 1)[0][:3]
        problems.insert(
            0,
            _Problem(
                frag_id,
                count + 1,
                tail_line,
                "the file ends in the middle of this segment: it was cut off "
                "(truncated) — ask for the whole file again",
                "cut short",
            ),
        )
    problems.extend(_collect(errh, where, count, body_segments, src.ele_term or "*"))
    # A cut-off file is reported as such first; then everything in file order.
    problems.sort(key=lambda p: (not p.message.startswith("the file ends in the middle"), p.number is None, p.number or 0))
    structural = [p for p in problems if p.structural]
    if structural:
        _refuse(name, structural + [p for p in problems if not p.structural])
    if vriic is None:
        raise ImportFileError(f"{name}: refused — the file has no GS functional group header.")
    return X12Document(path, SUPPORTED[vriic], vriic, tuple(segments), summarise(problems))


def _load_map(map_file: str) -> Any:
    if map_file == x212map.MAP_FILE:
        return x212map.load(_params())
    return pyx12.map_if.load_map_file(map_file, _params())


_ENVELOPE_SEG = {
    # (node kind, pyx12 error code) -> the segment the problem is about
    ("ISA", "023"): "IEA",
    ("ISA", "024"): "IEA",
    ("ISA", "001"): "IEA",
    ("ISA", "021"): "IEA",
    ("GS", "3"): "GE",
    ("GS", "4"): "GE",
    ("GS", "5"): "GE",
    ("ST", "2"): "SE",
    ("ST", "3"): "SE",
    ("ST", "4"): "SE",
}


def _collect(errh: Any, where: Any, count: int, parts: list[str], ele_term: str) -> list[_Problem]:
    """Every error in pyx12's error tree, in file order, with its class (findings.py)."""
    out: list[_Problem] = []

    def env(node: Any, kind: str) -> None:
        for code, msg in node.errors:  # envelope errors not already taken from the reader
            seg_id = _ENVELOPE_SEG.get((kind, code), kind)
            number = _envelope_number(node, kind, seg_id)
            out.append(_Problem(seg_id, number, where(number) if number else None, msg,
                                classify_reader(kind, code, msg)))
        for ele in getattr(node, "elements", []):
            out.extend(_ele_problems(kind, ele, None, None))

    for isa in errh.children:
        env(isa, "ISA")
        for gs in isa.children:
            env(gs, "GS")
            for st in gs.children:
                env(st, "ST")
                for seg in st.children:
                    number = seg.cur_line  # pyx12 counts segments, not physical lines
                    line = where(number)
                    for code, msg, val in seg.errors:
                        qual = _qualifier_at(parts, number, ele_term) if number else ""
                        cls = classify_segment(code, msg, seg.seg_id or "?", qual)
                        out.append(_Problem(seg.seg_id or "?", number, line, _plain(msg, val), cls))
                    for ele in seg.elements:
                        out.extend(_ele_problems(seg.seg_id or "?", ele, number, line))
    return out


def _envelope_number(node: Any, kind: str, seg_id: str) -> int | None:
    if seg_id == kind:
        return getattr(node, f"cur_line_{kind.lower()}", None)
    return getattr(node, f"cur_line_{seg_id.lower()}", None)


def _ele_problems(seg_id: str, ele: Any, number: int | None, line: int | None) -> list[_Problem]:
    out = []
    for code, msg, val in ele.errors:
        ref = f"{seg_id}{ele.ele_pos:02d}" + (f"-{ele.subele_pos}" if ele.subele_pos else "")
        label = f"element {ref} ({ele.name})" if ele.name else f"element {ref}"
        out.append(_Problem(seg_id, number, line, f"{label}: {_plain(msg, val)}", classify_element(code, msg, ref)))
    return out


def _qualifier_at(parts: list[str], number: int, ele_term: str) -> str:
    if 0 < number <= len(parts):
        bits = parts[number - 1].strip().split(ele_term, 2)
        return bits[1] if len(bits) > 1 else ""
    return ""


def _seg_id_at(parts: list[str], number: int, ele_term: str) -> str:
    if 0 < number <= len(parts):
        return parts[number - 1].strip().split(ele_term, 1)[0][:3] or "?"
    return "?"


def _refuse(name: str, problems: list[_Problem]) -> None:
    first = problems[0]
    head = f"{name}: refused, nothing was imported — {first}."
    rest = problems[1:_MAX_LISTED]
    if rest:
        head += "\nOther problems:\n" + "\n".join(f"  {p}" for p in rest)
    if len(problems) > _MAX_LISTED:
        head += f"\n  … and {len(problems) - _MAX_LISTED} more."
    error = ImportFileError(head)
    error.problems = tuple(str(p) for p in problems)  # type: ignore[attr-defined]
    error.segment = first.seg_id  # type: ignore[attr-defined]
    error.segment_number = first.number  # type: ignore[attr-defined]
    error.line = first.line  # type: ignore[attr-defined]
    raise error
