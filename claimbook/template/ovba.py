"""Writer for VBA projects ([MS-OVBA]), the ``xl/vbaProject.bin`` part of an .xlsm.

The project is written the way the specification asks of a writer that has no
compiled code: ``_VBA_PROJECT`` is ``CC 61 FF FF 00 01 00`` (version 0xFFFF, no
performance cache), every module stream holds only its compressed source
(MODULEOFFSET 0, cookies 0xFFFF), and there are no ``__SRP_*`` streams, so the
host compiles the project from source when it opens the workbook.

Output is deterministic: the project GUID is derived from the project name and
the CMG/DPB/GC values are encrypted with a fixed seed.

Public API: :class:`VbaModule`, :class:`VbaReference`, :data:`DEFAULT_REFERENCES`,
:func:`compress`, :func:`decompress`, :func:`build_vba_project`,
:func:`module_source` (the exact text stored for a module), :func:`encrypt_data`
and :func:`decrypt_data` (MS-OVBA 2.4.3), :func:`project_guid`.
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from claimbook.template.cfb import write_cfb

__all__ = [
    "DEFAULT_REFERENCES",
    "VbaModule",
    "VbaReference",
    "build_vba_project",
    "compress",
    "decompress",
    "decrypt_data",
    "encrypt_data",
    "module_source",
    "project_guid",
]

ModuleKind = Literal["standard", "class", "document"]
CODEPAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409

# --------------------------------------------------------------------------
# 2.4.1 Compression
# --------------------------------------------------------------------------

_CHUNK = 4096


def _copy_token_help(difference: int) -> tuple[int, int]:
    """(bit_count, maximum_length) for a position ``difference`` bytes into a chunk (2.4.1.3.19.1)."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    """Token sequence of one chunk: greedy longest match, nearest first (2.4.1.3.19.4)."""
    out = bytearray()
    n = len(chunk)
    pos = 0
    heads: dict[bytes, int] = {}
    prev = [-1] * n  # previous position with the same 3-byte prefix

    def index_to(stop: int, start: int) -> None:
        for i in range(start, min(stop, n - 2)):
            key = chunk[i:i + 3]
            prev[i] = heads.get(key, -1)
            heads[key] = i

    while pos < n:
        flag_pos = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len = 0
            best_off = 0
            if pos + 3 <= n:
                bit_count, max_len = _copy_token_help(pos)
                limit = min(max_len, n - pos)
                cand = heads.get(chunk[pos:pos + 3], -1)
                while cand >= 0:
                    length = 3
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
                    cand = prev[cand]
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                index_to(pos + best_len, pos)
                pos += best_len
            else:
                out.append(chunk[pos])
                index_to(pos + 1, pos)
                pos += 1
        out[flag_pos] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into a CompressedContainer (MS-OVBA 2.4.1.3.6).

    Every chunk is token-compressed. A full 4096-byte chunk whose tokens would
    not fit is stored raw (2.4.1.3.10). A shorter final chunk cannot be stored
    raw without changing the data (the format pads raw chunks to 4096 bytes), so
    that case -- only possible for incompressible binary data, never for source
    text -- raises ValueError.
    """
    data = bytes(data)
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        tokens = _compress_chunk(chunk)
        if len(tokens) <= _CHUNK:
            out += struct.pack("<H", 0xB000 | (len(tokens) - 1))
            out += tokens
        elif len(chunk) == _CHUNK:
            out += struct.pack("<H", 0x3FFF)
            out += chunk
        else:
            raise ValueError(
                f"final chunk of {len(chunk)} bytes does not compress to 4096 bytes or fewer "
                "and cannot be stored as a raw chunk without padding")
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress a CompressedContainer (MS-OVBA 2.4.1.3.1). Strict: malformed input raises ValueError."""
    data = bytes(data)
    if not data or data[0] != 0x01:
        raise ValueError("compressed container must start with signature byte 0x01")
    out = bytearray()
    pos = 1
    n = len(data)
    while pos < n:
        if pos + 2 > n:
            raise ValueError(f"truncated chunk header at offset {pos}")
        header = data[pos] | data[pos + 1] << 8
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at offset {pos}")
        end = pos + size
        if end > n:
            raise ValueError(f"chunk at offset {pos} claims {size} bytes, only {n - pos} remain")
        chunk_start = len(out)
        pos += 2
        if not header & 0x8000:
            if size != 4098:
                raise ValueError(f"raw chunk at offset {pos - 2} must be 4098 bytes")
            out += data[pos:end]
            pos = end
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if flags >> bit & 1:
                    if pos + 2 > end:
                        raise ValueError(f"truncated copy token at offset {pos}")
                    token = data[pos] | data[pos + 1] << 8
                    pos += 2
                    bit_count, _ = _copy_token_help(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    src = len(out) - offset
                    if src < chunk_start:
                        raise ValueError(f"copy token at offset {pos - 2} points before its chunk")
                    for i in range(length):
                        out.append(out[src + i])
                else:
                    out.append(data[pos])
                    pos += 1
        if len(out) - chunk_start > _CHUNK:
            raise ValueError("chunk decompresses to more than 4096 bytes")
    return bytes(out)


# --------------------------------------------------------------------------
# 2.4.3 Data encryption (CMG, DPB, GC)
# --------------------------------------------------------------------------

_SEED = 0x2D  # fixed for reproducible output; (0x2D & 6) // 2 = 2 ignored bytes


def _proj_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt_data(data: bytes, project_id: str, seed: int = _SEED) -> str:
    """Encrypt ``data`` per MS-OVBA 2.4.3.2; ``project_id`` is ``{GUID}`` with braces."""
    proj_key = _proj_key(project_id)
    out = bytearray([seed, seed ^ 2, seed ^ proj_key])
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, seed ^ proj_key, seed ^ 2
    ignored = bytes((seed & 6) // 2)  # "ignored" bytes: fixed zeros
    for byte in ignored + struct.pack("<I", len(data)) + bytes(data):
        enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, enc, byte
    return out.hex().upper()


def decrypt_data(text: str, project_id: str | None = None) -> bytes:
    """Decrypt a CMG/DPB/GC value (MS-OVBA 2.4.3.3); checks ProjKey when ``project_id`` is given."""
    raw = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("encrypted data: bad version")
    proj_key = seed ^ proj_key_enc
    if project_id is not None and proj_key != _proj_key(project_id):
        raise ValueError("encrypted data: ProjKey does not match the project ID")
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    body = bytes(plain[ignored + 4:])
    if len(body) != length:
        raise ValueError("encrypted data: length mismatch")
    return body


# --------------------------------------------------------------------------
# Modules and references
# --------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}\Z")
_ATTR = re.compile(r'Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*\Z', re.IGNORECASE)

CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
WORKSHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'


@dataclass(frozen=True)
class VbaModule:
    """One VBA module.

    ``source`` is the text as exported from the VBA editor (``.bas``/``.cls``)
    or just the code; missing ``Attribute VB_*`` header lines are added and a
    ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block is removed. A document
    module's ``VB_Base`` is the workbook's when the module is named
    ``ThisWorkbook`` and a worksheet's otherwise, unless the source gives one.
    """

    name: str
    kind: ModuleKind
    source: str


@dataclass(frozen=True)
class VbaReference:
    """A REFERENCEREGISTERED record: a type library by LibidReference (MS-OVBA 2.1.1.8)."""

    name: str
    libid: str


DEFAULT_REFERENCES: tuple[VbaReference, ...] = (
    VbaReference(
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    VbaReference(
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)


def _canonical_attributes(module: VbaModule, given: dict[str, str]) -> list[tuple[str, str]]:
    name_value = f'"{module.name}"'
    if module.kind == "standard":
        fixed = [("VB_Name", name_value)]
    elif module.kind == "class":
        fixed = [
            ("VB_Name", name_value),
            ("VB_Base", CLASS_BASE),
            ("VB_GlobalNameSpace", given.get("vb_globalnamespace", "False")),
            ("VB_Creatable", given.get("vb_creatable", "False")),
            ("VB_PredeclaredId", given.get("vb_predeclaredid", "False")),
            ("VB_Exposed", given.get("vb_exposed", "False")),
            ("VB_TemplateDerived", given.get("vb_templatederived", "False")),
            ("VB_Customizable", given.get("vb_customizable", "False")),
        ]
    else:
        base = given.get("vb_base") or (WORKBOOK_BASE if module.name == "ThisWorkbook" else WORKSHEET_BASE)
        fixed = [
            ("VB_Name", name_value),
            ("VB_Base", base),
            ("VB_GlobalNameSpace", "False"),
            ("VB_Creatable", "False"),
            ("VB_PredeclaredId", "True"),
            ("VB_Exposed", "True"),
            ("VB_TemplateDerived", "False"),
            ("VB_Customizable", "True"),
        ]
    return fixed


def module_source(module: VbaModule) -> str:
    """The exact source text (CRLF line ends) stored for ``module``."""
    if not _IDENT.match(module.name):
        raise ValueError(f"invalid VBA module name {module.name!r}")
    if module.kind not in ("standard", "class", "document"):
        raise ValueError(f"module {module.name}: unknown kind {module.kind!r}")
    lines = module.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        try:
            line.encode(ENCODING)
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"module {module.name}, line {number}: character {line[exc.start]!r} "
                f"cannot be encoded in {ENCODING} (VBA source must be ASCII or cp1252): {line!r}") from None
    # A .cls export starts with VERSION 1.0 CLASS / BEGIN ... END; the stored source must not.
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip().upper().startswith("VERSION ") and "CLASS" in lines[i].upper():
        j = i + 1
        if j < len(lines) and lines[j].strip().upper() == "BEGIN":
            while j < len(lines) and lines[j].strip().upper() != "END":
                j += 1
            if j == len(lines):
                raise ValueError(f"module {module.name}: BEGIN without END in class header")
            j += 1
        i = j
    given: dict[str, str] = {}
    order: list[str] = []
    while i < len(lines):
        m = _ATTR.match(lines[i].strip())
        if not m:
            break
        key, value = m.group(1), m.group(2)
        if key.lower() == "vb_name" and value.strip('"') != module.name:
            raise ValueError(f"module {module.name}: source says Attribute VB_Name = {value}")
        if key.lower() not in given:
            given[key.lower()] = value
            order.append(key)
        i += 1
    header = _canonical_attributes(module, given)
    known = {k.lower() for k, _ in header}
    # Other header attributes (VB_Description, ...) follow the canonical ones, as Excel stores them.
    extra = [f"Attribute {k} = {given[k.lower()]}" for k in order if k.lower() not in known]
    body = lines[i:]
    if body and body[-1] == "":
        body.pop()  # the final line break; it is added back below
    text_lines = [f"Attribute {k} = {v}" for k, v in header] + extra + body
    return "\r\n".join(text_lines) + "\r\n"


# --------------------------------------------------------------------------
# Streams
# --------------------------------------------------------------------------

_PROJECT_NAMESPACE = uuid.UUID("6b3c2a52-2f0e-4c47-9a8a-0c1a1f3e9d10")
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")


def project_guid(project_name: str) -> str:
    """``{GUID}`` for the PROJECT stream's ID line, derived from the project name."""
    return "{" + str(uuid.uuid5(_PROJECT_NAMESPACE, project_name)).upper() + "}"


def _rec(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _mbcs(text: str) -> bytes:
    return text.encode(ENCODING)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _dir_stream(project_name: str, modules: Sequence[VbaModule],
                references: Sequence[VbaReference]) -> bytes:
    d = bytearray()
    # PROJECTINFORMATION (2.3.4.2.1)
    d += _rec(0x0001, struct.pack("<I", 3))          # SYSKIND: 64-bit Windows (as Excel 2016+ writes)
    d += _rec(0x0002, struct.pack("<I", LCID))       # LCID
    d += _rec(0x0014, struct.pack("<I", LCID))       # LCIDINVOKE
    d += _rec(0x0003, struct.pack("<H", CODEPAGE))   # CODEPAGE
    d += _rec(0x0004, _mbcs(project_name))           # NAME
    d += _rec(0x0005, b"") + _rec(0x0040, b"")       # DOCSTRING + unicode
    d += _rec(0x0006, b"") + _rec(0x003D, b"")       # HELPFILEPATH 1 + 2
    d += _rec(0x0007, struct.pack("<I", 0))          # HELPCONTEXT
    d += _rec(0x0008, struct.pack("<I", 0))          # LIBFLAGS
    d += struct.pack("<HIIH", 0x0009, 4, 1, 0)     # VERSION: Reserved=4, major 1, minor 0
    d += _rec(0x000C, b"") + _rec(0x003C, b"")       # CONSTANTS + unicode
    # PROJECTREFERENCES (2.3.4.2.2)
    for ref in references:
        d += _rec(0x0016, _mbcs(ref.name)) + _rec(0x003E, _utf16(ref.name))
        libid = _mbcs(ref.libid)
        d += _rec(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    # PROJECTMODULES (2.3.4.2.3)
    d += _rec(0x000F, struct.pack("<H", len(modules)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))     # PROJECTCOOKIE
    for m in modules:
        d += _rec(0x0019, _mbcs(m.name)) + _rec(0x0047, _utf16(m.name))
        d += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, _utf16(m.name))   # STREAMNAME
        d += _rec(0x001C, b"") + _rec(0x0048, b"")                        # DOCSTRING
        d += _rec(0x0031, struct.pack("<I", 0))                           # OFFSET
        d += _rec(0x001E, struct.pack("<I", 0))                           # HELPCONTEXT
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))                      # COOKIE
        d += _rec(0x0021 if m.kind == "standard" else 0x0022, b"")        # TYPE
        d += _rec(0x002B, b"")                                            # terminator
    d += _rec(0x0010, b"")                                                # dir terminator
    return bytes(d)


def _project_stream(project_name: str, modules: Sequence[VbaModule]) -> bytes:
    pid = project_guid(project_name)
    cmg = encrypt_data(struct.pack("<I", 0), pid)   # ProjectProtectionState: not protected
    dpb = encrypt_data(b"\0", pid)                  # ProjectPassword: none
    gc = encrypt_data(b"\xff", pid)                 # ProjectVisibilityState: visible
    lines = [f'ID="{pid}"']
    for m in modules:
        if m.kind == "document":
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
    ]
    return _mbcs("\r\n".join(lines) + "\r\n")


def _projectwm(modules: Sequence[VbaModule]) -> bytes:
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0"
    return bytes(out + b"\0\0")


def build_vba_project(modules: Sequence[VbaModule], project_name: str = "VBAProject",
                      references: Sequence[VbaReference] = DEFAULT_REFERENCES) -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``modules`` (in the given order)."""
    if not _IDENT.match(project_name):
        raise ValueError(f"invalid VBA project name {project_name!r}")
    modules = tuple(modules)
    seen: set[str] = set()
    for m in modules:
        if not isinstance(m, VbaModule):
            raise TypeError(f"expected VbaModule, got {type(m).__name__}")
        key = m.name.upper()
        if key in seen:
            raise ValueError(f"duplicate module name {m.name!r}")
        if key in {"DIR", "_VBA_PROJECT", project_name.upper()} or key.startswith("__SRP_"):
            raise ValueError(f"module name {m.name!r} is reserved")
        seen.add(key)
    vba: dict[str, bytes] = {
        "_VBA_PROJECT": VBA_PROJECT_STREAM,
        "dir": compress(_dir_stream(project_name, modules, references)),
    }
    for m in modules:
        vba[m.name] = compress(module_source(m).encode(ENCODING))
    return write_cfb({
        "PROJECT": _project_stream(project_name, modules),
        "PROJECTwm": _projectwm(modules),
        "VBA": vba,
    })
