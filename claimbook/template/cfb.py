"""Minimal writer for Compound File Binary files ([MS-CFB] version 3).

Only what a VBA project (``vbaProject.bin``) needs: a tree of storages and
streams, written once. 512-byte sectors, 64-byte mini sectors for streams
below 4096 bytes, FAT and DIFAT as needed, and a red-black directory tree.
CLSIDs, state bits and timestamps are zero, so equal input gives identical
bytes.

The tree is a mapping: a ``bytes`` value is a stream, a nested mapping is a
storage. The order of the mapping does not matter (directory siblings are
sorted as the specification requires).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Union

__all__ = ["Tree", "write_cfb", "compare_names"]

Tree = Mapping[str, Union[bytes, "Tree"]]

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FAT_PER_SECTOR = SECTOR // 4            # 128 sector numbers per FAT sector
DIFAT_PER_SECTOR = FAT_PER_SECTOR - 1   # the last one links to the next DIFAT sector
HEADER_DIFAT = 109
ENTRIES_PER_SECTOR = SECTOR // 128

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


def _sort_key(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then compare the upper-cased names.
    return (len(name.encode("utf-16-le")), name.upper())


def compare_names(a: str, b: str) -> int:
    """-1, 0 or 1: the order of two sibling names in a directory tree."""
    ka, kb = _sort_key(a), _sort_key(b)
    return (ka > kb) - (ka < kb)


def _check_name(name: str) -> None:
    if not name or len(name) > 31:
        raise ValueError(f"compound file names must be 1..31 characters: {name!r}")
    if any(c in name for c in "/\\:!") or any(ord(c) < 32 for c in name):
        raise ValueError(f"illegal character in compound file name {name!r}")


class _Entry:
    __slots__ = ("name", "kind", "data", "children", "left", "right", "child",
                 "color", "start", "size", "sid")

    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        self.name, self.kind, self.data = name, kind, data
        self.children: list[_Entry] = []
        self.left = self.right = self.child = NOSTREAM
        self.color = _BLACK
        self.start, self.size, self.sid = 0, 0, 0


def _collect(name: str, tree: Tree, kind: int, out: list[_Entry]) -> _Entry:
    entry = _Entry(name, kind)
    entry.sid = len(out)
    out.append(entry)
    seen: set[str] = set()
    for child_name in sorted(tree, key=_sort_key):
        _check_name(child_name)
        if child_name.upper() in seen:
            raise ValueError(f"duplicate name {child_name!r} in storage {name!r}")
        seen.add(child_name.upper())
        value = tree[child_name]
        if isinstance(value, (bytes, bytearray, memoryview)):
            child = _Entry(child_name, _STREAM, bytes(value))
            child.sid = len(out)
            out.append(child)
        elif isinstance(value, Mapping):
            child = _collect(child_name, value, _STORAGE, out)
        else:
            raise TypeError(f"{child_name!r}: expected bytes or a mapping, got {type(value).__name__}")
        entry.children.append(child)
    entry.child = _balanced(entry.children, 0, len(entry.children), 0,
                            _full_levels(len(entry.children)))
    return entry


def _full_levels(n: int) -> int:
    # Number of completely filled levels of a middle-split tree of n nodes.
    return (n + 1).bit_length() - 1


def _balanced(nodes: list[_Entry], lo: int, hi: int, depth: int, full: int) -> int:
    """Build a balanced tree of nodes[lo:hi]; return the root's SID.

    Middle splits fill every level but the last, so colouring the nodes of an
    incomplete last level red (and the rest black) satisfies the red-black
    rules: black root, no red node with a red child, the same number of black
    nodes on every path.
    """
    if lo >= hi:
        return NOSTREAM
    mid = (lo + hi) // 2
    node = nodes[mid]
    node.color = _RED if depth >= full else _BLACK
    node.left = _balanced(nodes, lo, mid, depth + 1, full)
    node.right = _balanced(nodes, mid + 1, hi, depth + 1, full)
    return node.sid


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count - 1):
        fat[first + i] = first + i + 1
    if count:
        fat[first + count - 1] = ENDOFCHAIN


def _pad(data: bytes, unit: int) -> bytes:
    return data + b"\0" * (-len(data) % unit)


def write_cfb(tree: Tree) -> bytes:
    """Serialise a storage tree as a version 3 compound file."""
    entries: list[_Entry] = []
    root = _collect("Root Entry", tree, _ROOT, entries)
    root.color = _BLACK

    streams = [e for e in entries if e.kind == _STREAM]
    small = [e for e in streams if len(e.data) < MINI_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_CUTOFF]

    # Mini stream and mini FAT.
    minifat: list[int] = []
    mini = bytearray()
    for e in small:
        e.size = len(e.data)
        if not e.data:
            e.start = ENDOFCHAIN
            continue
        e.start = len(minifat)
        count = -(-len(e.data) // MINI_SECTOR)
        minifat.extend([0] * count)
        _chain(minifat, e.start, count)
        mini += _pad(e.data, MINI_SECTOR)
    minifat += [FREESECT] * (-len(minifat) % FAT_PER_SECTOR)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)

    n_dir = -(-len(entries) // ENTRIES_PER_SECTOR)
    n_minifat = len(minifat_bytes) // SECTOR
    n_mini = -(-len(mini) // SECTOR)
    n_large = sum(-(-len(e.data) // SECTOR) for e in large)
    n_data = n_dir + n_minifat + n_mini + n_large

    # FAT and DIFAT sector counts depend on each other; iterate to a fixed point.
    n_fat = n_difat = 0
    while True:
        need_fat = -(-(n_data + n_fat + n_difat) // FAT_PER_SECTOR)
        need_difat = max(0, -(-(need_fat - HEADER_DIFAT) // DIFAT_PER_SECTOR))
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat

    total = n_fat + n_difat + n_data
    fat = [FREESECT] * (n_fat * FAT_PER_SECTOR)
    cursor = 0
    fat_sectors = list(range(cursor, cursor + n_fat))
    for s in fat_sectors:
        fat[s] = FATSECT
    cursor += n_fat
    difat_sectors = list(range(cursor, cursor + n_difat))
    for s in difat_sectors:
        fat[s] = DIFSECT
    cursor += n_difat

    dir_start = cursor
    _chain(fat, cursor, n_dir)
    cursor += n_dir
    minifat_start = cursor if n_minifat else ENDOFCHAIN
    _chain(fat, cursor, n_minifat)
    cursor += n_minifat
    root.start = cursor if n_mini else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, cursor, n_mini)
    cursor += n_mini
    for e in large:
        count = -(-len(e.data) // SECTOR)
        e.start, e.size = cursor, len(e.data)
        _chain(fat, cursor, count)
        cursor += count
    assert cursor == total

    # Directory.
    directory = bytearray()
    for e in entries:
        name = e.name.encode("utf-16-le") + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name, len(name), e.kind, e.color, e.left, e.right, e.child,
            b"\0" * 16, 0, 0, 0,
            e.start if e.kind != _STORAGE else 0,
            e.size if e.kind != _STORAGE else 0,
        )
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM,
                         NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)
    while len(directory) < n_dir * SECTOR:
        directory += unused

    # DIFAT: the first 109 FAT sector numbers live in the header.
    header_difat = fat_sectors[:HEADER_DIFAT] + [FREESECT] * (HEADER_DIFAT - min(n_fat, HEADER_DIFAT))
    rest = fat_sectors[HEADER_DIFAT:]
    difat_blob = bytearray()
    for i, _ in enumerate(difat_sectors):
        part = rest[i * DIFAT_PER_SECTOR:(i + 1) * DIFAT_PER_SECTOR]
        part += [FREESECT] * (DIFAT_PER_SECTOR - len(part))
        nxt = difat_sectors[i + 1] if i + 1 < n_difat else ENDOFCHAIN
        difat_blob += struct.pack(f"<{FAT_PER_SECTOR}I", *part, nxt)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _SIGNATURE, b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
        0,                       # number of directory sectors (0 in version 3)
        n_fat, dir_start, 0, MINI_CUTOFF,
        minifat_start, n_minifat,
        difat_sectors[0] if difat_sectors else ENDOFCHAIN, n_difat,
    ) + struct.pack(f"<{HEADER_DIFAT}I", *header_difat)
    assert len(header) == SECTOR

    body = [
        header,
        struct.pack(f"<{len(fat)}I", *fat),
        bytes(difat_blob),
        bytes(directory),
        minifat_bytes,
        _pad(bytes(mini), SECTOR),
    ]
    body.extend(_pad(e.data, SECTOR) for e in large)
    out = b"".join(body)
    assert len(out) == SECTOR * (1 + total), (len(out), total)
    return out
