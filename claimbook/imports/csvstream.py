"""A claims CSV read as a stream: decoded and split into rows piece by piece, never held whole in memory.

``CsvSource`` picks the encoding the way the whole-file reader did (UTF-16 with its BOM, else UTF-8 if
every byte is valid UTF-8, else Windows text) with a first pass in 1 MB pieces, and opens the text again
for each reader. ``stream_rows`` yields the rows; it refuses, with a row number, a file past the limits
(``claimbook.imports.sizes``: bytes, data rows) as soon as it sees it.

The check for a quote that is never closed (``csvfile._unclosed_quote``) walks the text a character at a
time; it is run on the whole text only when some row really spans several lines (a quoted line break, or
an unclosed quote swallowing what follows), and otherwise on the last line alone (an unclosed quote on the
last line swallows nothing). Both cases give the same refusal as before.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from claimbook.errors import ImportFileError

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CHUNK = 1 << 20


class CsvSource:
    """A CSV file (or its bytes) and the encoding to read it with."""

    def __init__(self, path: Path, data: bytes | None = None):
        from claimbook.imports.sizes import MAX_CSV_BYTES, MB

        self.path = Path(path)
        self.data = data
        size = len(data) if data is not None else self.path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise ImportFileError(f"{self.path.name}: refused, nothing was imported — the file is {size / MB:,.0f} "
                                  f"MB, and claimbook imports CSV files up to {MAX_CSV_BYTES // MB:,} MB. Export a "
                                  "shorter date range and import the parts one after another.")
        self.encoding = self._encoding()

    def _binary(self):
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")  # noqa: SIM115

    def _encoding(self) -> str:
        name = self.path.name
        with self._binary() as f:
            head = f.read(4)
            if head.startswith(_UTF16_BOMS):  # Excel's "Unicode Text" and some exports: UTF-16 with its BOM
                encoding = "utf-16"
            else:
                encoding = "utf-8-sig"
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while True:
                    piece = f.read(_CHUNK)
                    decoder.decode(piece, final=not piece)
                    if not piece:
                        return encoding
            except UnicodeDecodeError:
                if encoding == "utf-16":
                    raise ImportFileError(f"{name} is not readable text (open it in Excel and use File > Save As > "
                                          "\"CSV UTF-8 (Comma delimited)\", then import that file)") from None
                return "cp1252"  # every byte is a character in Windows text (but 5 unused ones)

    def text(self):
        """A text stream of the whole file (lines keep their line breaks, as ``csv`` wants)."""
        try:
            return io.TextIOWrapper(self._binary(), encoding=self.encoding, newline="")
        except LookupError:  # pragma: no cover - the encodings above always exist
            raise ImportFileError(f"{self.path.name} is not readable text (save it as CSV UTF-8 and try again)") \
                from None

    def head(self, n: int = 8192) -> str:
        with self.text() as f:
            try:
                return f.read(n)
            except UnicodeDecodeError:
                raise ImportFileError(f"{self.path.name} is not readable text (save it as CSV UTF-8 and try "
                                      "again)") from None


class _Lines:
    """The lines of a text stream, remembering the last one."""

    def __init__(self, stream):
        self.stream = stream
        self.last = ""

    def __iter__(self):
        for line in self.stream:
            self.last = line
            yield line


class StreamedRows:
    """The rows of a CSV for ``exportrows.export_records``, which looks for the column headings among the
    first rows: those (``head``) are kept; the rest are read one at a time, once, by ``rows[h + 1:]`` or by
    iterating. Indexes and slices inside the kept rows work as on a list."""

    def __init__(self, rows, head: int):
        import itertools

        self._rest = iter(rows)
        self._head = list(itertools.islice(self._rest, head))
        self._whole = len(self._head) < head  # the file has no more rows than that

    def __bool__(self) -> bool:
        return bool(self._head)

    def __iter__(self):
        import itertools

        return itertools.chain(self._head, self._rest)

    def __getitem__(self, key):
        import itertools

        if isinstance(key, int):
            if not 0 <= key < len(self._head):
                raise IndexError("only the first rows of a streamed CSV can be looked up")
            return self._head[key]
        if key.step is None and key.stop is not None and (0 <= key.stop <= len(self._head) or self._whole):
            return self._head[key]
        if key.step is None and key.stop is None and (key.start or 0) >= 0:
            return itertools.chain(self._head[key.start or 0:], self._rest)
        raise IndexError("a streamed CSV is read once, from the top")


def stream_rows(source: CsvSource, dialect, unclosed, refuse, max_rows: int | None = None):
    """The rows of the CSV, one at a time. ``unclosed(text, dialect)`` finds an unclosed quote
    ((row, line, cell) or None); ``refuse(where, header)`` and ``refuse(None, why)`` build the errors."""
    from claimbook.imports.sizes import MAX_CSV_ROWS

    max_rows = MAX_CSV_ROWS if max_rows is None else max_rows
    name = source.path.name
    header: list[str] = []
    spans = False
    n = 0
    with source.text() as f:
        lines = _Lines(f)
        reader = csv.reader(lines, dialect)
        before = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise ImportFileError(f"{name} is not readable text (save it as CSV UTF-8 and try again)") from None
            except csv.Error as err:  # most often an unclosed quote: that refusal says more, when it is one
                with source.text() as whole:
                    where = unclosed(whole.read(), dialect)
                raise (refuse(where, header) if where is not None else refuse(None, _reader_error(n + 1, err))) \
                    from None
            n += 1
            if reader.line_num - before > 1:
                spans = True
            before = reader.line_num
            if n == 1:
                header = row
            elif n - 1 > max_rows:
                raise refuse(None, f"it has more than {max_rows:,} rows of claims, and claimbook imports at most "
                                   f"{max_rows:,} from one file. Export a shorter date range from your practice "
                                   "system and import the parts one after another.")
            yield row
        last_line, lines_read = lines.last, reader.line_num
    if spans:
        with source.text() as f:
            where = unclosed(f.read(), dialect)
    else:
        where = unclosed(last_line, dialect)
        if where is not None:
            where = (n, lines_read, where[2])
    if where is not None:
        raise refuse(where, header)


def _reader_error(n: int, err: csv.Error) -> str:
    if "field larger than field limit" in str(err):
        return (f"row {n} has a cell longer than {csv.field_size_limit():,} characters. Check that row in a "
                "text editor: a cell that long is usually a quote mark \" that is not closed where it should be.")
    return (f"row {n} cannot be read as CSV ({str(err).rstrip('.')}). Open the file in Excel and save "
            "it again as \"CSV UTF-8 (Comma delimited)\".")
