"""Binary parts the features need, made here rather than copied: a PNG picture, a printer's DEVMODE
(``xl/printerSettings/printerSettings1.bin``) and Excel's SHA-512 sheet-protection hash."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib


def png(width: int, height: int, rgb: tuple[int, int, int], stripe: tuple[int, int, int] | None = None) -> bytes:
    """A real RGB PNG (signature, IHDR, IDAT, IEND, CRCs), optionally with a diagonal stripe."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on = stripe is not None and abs(x - y * width // height) < max(2, width // 10)
            row += bytes(stripe if on else rgb)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def devmode(printer: str = "HP LaserJet Pro M404-M405 PCL 6", landscape: bool = True) -> bytes:
    """A Windows DEVMODEW as Excel stores it for a sheet's printer (MS-OI29500 / wingdi.h layout):
    220 bytes of public fields followed by driver-private bytes."""
    name = printer.encode("utf-16-le")[:62].ljust(64, b"\0")
    form = "Letter".encode("utf-16-le").ljust(64, b"\0")
    private = bytes(range(256)) * 2 + b"PRIV" + b"\0" * 60
    dm_fields = 0x1 | 0x2 | 0x100 | 0x200 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x10000
    public = (name + struct.pack("<HHHHI", 0x0401, 0x0600, 220, len(private), dm_fields)
              + struct.pack("<hhhhhhhh", 2 if landscape else 1, 1, 0, 0, 100, 1, 7, 600)  # orient, paper,.., copies, bin, qual
              + struct.pack("<hhhh", 1, 600, 1, 0)  # color, duplex, yres, ttoption
              + struct.pack("<h", 1) + form  # collate, form name
              + struct.pack("<HIII", 0, 0, 0, 0)  # logpixels, bitsperpel, pelswidth, pelsheight
              + struct.pack("<II", 0, 0)  # nup/displayflags, displayfrequency
              + struct.pack("<IIIIIIII", 0, 0, 0, 0, 0, 0, 0, 0))  # icm..panning
    assert len(public) == 220, len(public)
    return public + private


def protection_hash(password: str, salt: bytes, spin: int = 100000) -> str:
    """Excel's sheetProtection hashValue (ECMA-376 Part 1, 18.3.1.85; MS-OFFCRYPTO 2.3.7.1)."""
    h = hashlib.sha512(salt + password.encode("utf-16-le")).digest()
    for i in range(spin):
        h = hashlib.sha512(h + struct.pack("<I", i)).digest()
    return base64.b64encode(h).decode()
