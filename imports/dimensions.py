"""How big each sheet of a spreadsheet says it is and really is, found before it is read.

A reader lays a sheet out as a grid from A1 to its farthest filled cell, so one
value at XFD1048576 costs as much memory as 17 billion cells. Each sheet is scanned
first, streaming and without building cells: its declared size (xlsx
``<dimension>``, xls ``DIMENSIONS``), the row and column of the farthest cell that
holds a value (xlsx cell references, ods repeat counts, xls cell records) and how
many cells hold one. A sheet past ``IMPORT_MAX_ROWS`` rows (plus the rows a header
may sit under) or ``IMPORT_MAX_COLUMNS`` columns, or whose grid would be mostly
empty (more than ``EMPTY_RATIO`` cells per filled one, above ``GRID_FLOOR_CELLS``),
is not read at all: so what reading costs follows the data, not the range. Other
sheets of the file are still read (Facebook's own template carries a 1,870-column
sheet of categories beside the one to fill in).
"""

import html
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import olefile
from django.conf import settings

from imports.errors import FileRejected

# A grid this size (about 50 MB in the reader) is read whatever its density.
GRID_FLOOR_CELLS = 1_500_000
# Past the floor, at most this many cells of grid per filled cell.
EMPTY_RATIO = 50
# The header may sit this far down (Facebook's template has instruction rows above it).
HEADER_ROWS_ALLOWED = 20
# A tag longer than this is no spreadsheet's; it is skipped rather than buffered.
_MAX_TAG = 64 * 1024


@dataclass
class Extent:
    """One sheet's size: declared by the file, and as its filled cells reach."""

    sheet: str
    rows: int = 0
    columns: int = 0
    filled: int = 0
    declared_rows: int = 0
    declared_columns: int = 0

    def fill(self, row: int, column: int, count: int = 1) -> None:
        """``count`` filled cells ending at (1-based) ``row``, ``column``."""
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, column)
        self.filled += count


def oversized_sheets(name: str, extents: list[Extent]) -> dict[str, str]:
    """Sheet -> why it is not read, for each sheet that is, or says it is, past the limits."""
    return {extent.sheet: reason for extent in extents if (reason := _oversized(name, extent))}


def _oversized(name: str, extent: Extent) -> str | None:
    max_rows = settings.IMPORT_MAX_ROWS + HEADER_ROWS_ALLOWED
    max_columns = settings.IMPORT_MAX_COLUMNS
    where = f"{name}, sheet “{extent.sheet}”"
    for rows, columns, verb in (
        (extent.declared_rows, extent.declared_columns, "declares"),
        (extent.rows, extent.columns, "has cells up to"),
    ):
        if rows > max_rows:
            return (
                f"{where} {verb} row {rows:,}; the most an import reads is {max_rows:,} rows "
                f"(IMPORT_MAX_ROWS {settings.IMPORT_MAX_ROWS:,} and a header)."
            )
        if columns > max_columns:
            return (
                f"{where} {verb} column {column_name(columns)} ({columns:,} columns); the most an "
                f"import reads is {max_columns:,} columns (IMPORT_MAX_COLUMNS)."
            )
    grid = extent.rows * extent.columns
    if grid > GRID_FLOOR_CELLS and grid > EMPTY_RATIO * extent.filled:
        return (
            f"{where} spans A1:{column_name(extent.columns)}{extent.rows} ({grid:,} cells) but only "
            f"{extent.filled:,} cells hold a value; delete the stray cells far from the data, "
            "save, and upload again."
        )
    return None


def column_name(count: int) -> str:
    """1 -> A, 27 -> AA: the name of the ``count``-th column."""
    letters = ""
    while count:
        count, remainder = divmod(count - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"AA" -> 27: the position of a column named by its letters."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - ord("A") + 1)
    return number


class _TagStream:
    """Complete tags from XML fed in chunks; a tag cut by a chunk end waits for the next."""

    def __init__(self, pattern: re.Pattern) -> None:
        self._pattern = pattern
        self._tail = b""

    @property
    def pattern(self) -> re.Pattern:
        return self._pattern

    def window(self, chunk: bytes) -> tuple[bytes, int, int]:
        """(text, start, end): the complete tags so far are ``text[start:end]``."""
        window = self._tail + chunk
        cut = window.rfind(b"<")
        if cut < 0 or window.find(b">", cut) >= 0 or len(window) - cut > _MAX_TAG:
            cut = len(window)
        self._tail = window[cut:]
        return window, 0, cut

    def feed(self, chunk: bytes) -> Iterator[re.Match]:
        window, start, end = self.window(chunk)
        return self._pattern.finditer(window, start, end)


_XLSX_TAG = re.compile(rb"<(?:\w+:)?(c|row|dimension)\b([^>]*?)(/?)>")
_XLSX_CELL_REF = re.compile(rb'\sr="([A-Za-z]{0,4})(\d{0,8})"')
_XLSX_RANGE = re.compile(rb'\sref="[A-Za-z]{0,4}\d{0,8}:?([A-Za-z]{0,4})(\d{0,8})"')


# The same tags as every spreadsheet app writes them (no namespace prefix, the
# reference first and whole), counted (``_XLSX_ANY_*``) and read (``_XLSX_FULL_*``);
# literal prefixes, so the regex engine skips between them.
_XLSX_ANY_CELL = re.compile(rb"<c\b")
_XLSX_ANY_ROW = re.compile(rb"<row\b")
_XLSX_FULL_CELL = re.compile(rb'<c r="([A-Za-z]{1,4})(\d{1,8})"[^>/]*(/?)>')
_XLSX_FULL_ROW = re.compile(rb'<row r="(\d{1,8})"')
_XLSX_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_XLSX_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*>")


def _column_key(letters: bytes) -> tuple[int, bytes]:
    """Orders column letters as columns: fewer letters first, then alphabetically."""
    return len(letters), letters.upper()


class XlsxSheetScanner:
    """One xlsx worksheet part, fed in chunks as it is inflated."""

    def __init__(self, sheet: str) -> None:
        self.extent = Extent(sheet)
        self._tags = _TagStream(_XLSX_TAG)
        self._row = 0
        self._column = 0

    def feed(self, chunk: bytes) -> None:
        window, start, end = self._tags.window(chunk)
        if not self._feed_whole_references(window, start, end):
            self._feed_tags(self._tags.pattern.finditer(window, start, end))

    def _feed_whole_references(self, window: bytes, start: int, end: int) -> bool:
        """The chunk's cells measured set-wise (a 100,000-row sheet has 600,000 of them)
        when every cell and row tag in it names its place whole; False, measuring
        nothing, when one does not (a cell without ``r`` takes the next column, which
        only the tag-by-tag reading follows)."""
        if _XLSX_PREFIXED.search(window, start, end):
            return False
        cells = _XLSX_FULL_CELL.findall(window, start, end)
        if len(cells) != len(_XLSX_ANY_CELL.findall(window, start, end)):
            return False
        rows = _XLSX_FULL_ROW.findall(window, start, end)
        if len(rows) != len(_XLSX_ANY_ROW.findall(window, start, end)):
            return False
        for declared in _XLSX_DIMENSION.finditer(window, start, end):
            self._feed_tags([_XLSX_TAG.match(declared[0])])
        # A self-closing cell has a style and no value; readers leave it out.
        filled = [(letters, number) for letters, number, empty in cells if not empty]
        if filled:
            self.extent.fill(
                max(map(int, {number for _, number in filled})),
                column_number(max({letters for letters, _ in filled}, key=_column_key)),
                len(filled),
            )
        # Where the tags leave off, for a later chunk read tag by tag.
        if rows:
            self._row = int(rows[-1])
            after_row = _XLSX_FULL_CELL.findall(window, window.rfind(b"<row ", start, end), end)
            self._column = column_number(after_row[-1][0]) if after_row else 0
        elif cells:
            self._column = column_number(cells[-1][0])
        return True

    def _feed_tags(self, tags) -> None:
        for tag in tags:
            kind, attributes, empty = tag.groups()
            if kind == b"c":
                reference = _XLSX_CELL_REF.search(attributes)
                column = column_number(reference[1]) if reference and reference[1] else self._column + 1
                row = int(reference[2]) if reference and reference[2] else self._row
                self._column = column
                # A self-closing cell has a style and no value; readers leave it out.
                if not empty:
                    self.extent.fill(row, column)
            elif kind == b"row":
                reference = _XLSX_CELL_REF.search(attributes)
                self._row = int(reference[2]) if reference and reference[2] else self._row + 1
                self._column = 0
            else:
                declared = _XLSX_RANGE.search(attributes)
                if declared:
                    self.extent.declared_columns = column_number(declared[1])
                    self.extent.declared_rows = int(declared[2] or 0)


_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_NAME = re.compile(rb'\stable:name="([^"]*)"')
_ODS_ROWS_REPEATED = re.compile(rb'\stable:number-rows-repeated="(\d{1,9})"')
_ODS_COLUMNS_REPEATED = re.compile(rb'\stable:number-columns-repeated="(\d{1,9})"')
_ODS_VALUE_TYPE = re.compile(rb"\soffice:value-type=")


class OdsContentScanner:
    """An ods ``content.xml``, fed in chunks; one extent per table (sheet)."""

    def __init__(self) -> None:
        self.extents: list[Extent] = []
        self._tags = _TagStream(_ODS_TAG)
        self._row = self._row_repeat = self._next_row = self._column = 0

    def feed(self, chunk: bytes) -> None:
        for tag in self._tags.feed(chunk):
            kind, attributes, empty = tag.groups()
            if kind == b"table":
                name = _ODS_NAME.search(attributes)
                label = html.unescape(name[1].decode("utf-8", "replace")) if name else ""
                self.extents.append(Extent(label))
                self._next_row = 0
            elif kind == b"table-row":
                self._row = self._next_row
                self._row_repeat = _repeat(_ODS_ROWS_REPEATED, attributes)
                self._next_row += self._row_repeat
                self._column = 0
            elif self.extents:
                repeat = _repeat(_ODS_COLUMNS_REPEATED, attributes)
                self._column += repeat
                # Repeated empty cells pad a row to the sheet's edge; only values count.
                if _ODS_VALUE_TYPE.search(attributes) or not empty:
                    last_row = self._row + self._row_repeat
                    self.extents[-1].fill(last_row, self._column, repeat * self._row_repeat)


def _repeat(pattern: re.Pattern, attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(1, int(found[1])) if found else 1


# BIFF record types (Microsoft's [MS-XLS]).
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
# NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA, RSTRING: one cell each.
_ONE_CELL = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}
_MULRK = 0x00BD
_WORKSHEET = 0x0010


def xls_extents(name: str, data: bytes) -> list[Extent]:
    """Each worksheet of an xls, from its BOUNDSHEET, DIMENSIONS and cell records."""
    try:
        with olefile.OleFileIO(data) as ole:
            stream_name = "Workbook" if ole.exists("Workbook") else "Book"
            stream = ole.openstream(stream_name).read()
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError on damage
        raise FileRejected(f"{name} is a damaged xls file ({exc}); save it again and re-upload.") from exc
    names_at: dict[int, str] = {}
    extents: list[Extent] = []
    extent: Extent | None = None
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        if kind == _BOUNDSHEET and len(body) >= 8:
            offset, length = struct.unpack_from("<I", body)[0], body[6]
            wide = body[7] & 1
            raw = body[8 : 8 + length * (2 if wide else 1)]
            names_at[offset] = raw.decode("utf-16-le" if wide else "latin-1", "replace")
        elif kind == _BOF and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] == _WORKSHEET:
            extent = Extent(names_at.get(position, f"sheet {len(extents) + 1}"))
            extents.append(extent)
        elif kind == _EOF:
            extent = None
        elif extent is not None:
            _xls_record(extent, kind, body)
        position += 4 + size
    return extents


def _xls_record(extent: Extent, kind: int, body: bytes) -> None:
    if kind == _DIMENSIONS and len(body) >= 14:
        _, last_row, _, last_column = struct.unpack_from("<IIHH", body)
        extent.declared_rows, extent.declared_columns = last_row, last_column
    elif kind == _DIMENSIONS and len(body) >= 10:  # BIFF5: 16-bit rows
        _, last_row, _, last_column = struct.unpack_from("<HHHH", body)
        extent.declared_rows, extent.declared_columns = last_row, last_column
    elif kind in _ONE_CELL and len(body) >= 4:
        row, column = struct.unpack_from("<HH", body)
        extent.fill(row + 1, column + 1)
    elif kind == _MULRK and len(body) >= 6:
        row, first = struct.unpack_from("<HH", body)
        (last,) = struct.unpack_from("<H", body, len(body) - 2)
        if last >= first:
            extent.fill(row + 1, last + 1, last - first + 1)
