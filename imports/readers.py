"""Opening an uploaded file as sheets of rows, refusing what is not a spreadsheet.

xlsx, xls and ods are read by python-calamine; csv by the standard library after
the encoding is detected (charset-normalizer) and the delimiter sniffed. Zip-based
files (xlsx, ods) are checked before calamine sees them: member sizes and
compression ratios (zip bombs), XML entity declarations (XXE), and, for xlsx,
formula cells that carry no saved result (calamine only reads saved results).
"""

import csv
import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import defusedxml.ElementTree as SafeET
from charset_normalizer import from_bytes
from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
SPREADSHEET_EXTENSIONS = {".xlsx": XLSX, ".xlsm": XLSX, ".xls": XLS, ".ods": ODS}
TEXT_EXTENSIONS = {".csv": CSV, ".tsv": CSV, ".txt": CSV}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF"
_KNOWN_MAGIC = {
    PDF_MAGIC: "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"MZ": "a program",
    b"\x7fELF": "a program",
}
_CHUNK = 1024 * 1024
# An uncached formula: <c r="B2"><f>1+2</f><v/></c> (openpyxl writes these; Excel
# always saves a result). Calamine would read such a cell as empty.
_UNCACHED_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>\s*<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>|</c>)'
)
_ENTITY_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class FileRejected(Exception):
    """The whole file cannot be imported; ``message`` says why, naming the file."""

    def __init__(
        self, message: str, *, row: int | None = None, column: str | None = None, read_with_ocr: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        # The file is a document the OCR page reads (a PDF), not a spreadsheet.
        self.read_with_ocr = read_with_ocr


@dataclass
class Spreadsheet:
    """An opened upload: its sheets and, per sheet, its rows as lists of cell values."""

    name: str
    format: str
    sheet_names: list[str]
    _workbook: CalamineWorkbook | None = None
    _csv_text: str | None = None
    _csv_dialect: Any = None
    # Sheet name -> {(row number, column index): formula text} for formulas with no result.
    uncached_formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    # Calamine parses a sheet each time it is asked for one; ask once.
    _sheets: dict[str, Any] = field(default_factory=dict)

    def _sheet(self, name: str) -> Any:
        if name not in self._sheets:
            self._sheets[name] = self._workbook.get_sheet_by_name(name)
        return self._sheets[name]

    def height(self, sheet: str) -> int:
        if self._workbook is None:
            return self._csv_text.count("\n") + 1
        return self._sheet(sheet).height

    def rows(self, sheet: str) -> Iterator[list[Any]]:
        """Every row of ``sheet``, top to bottom; cells are str, float, int, bool, date or ''."""
        if self._workbook is None:
            reader = csv.reader(io.StringIO(self._csv_text, newline=""), self._csv_dialect)
            try:
                yield from reader
            except csv.Error as exc:
                raise FileRejected(
                    f"{self.name}, line {reader.line_num}: {exc}.", row=reader.line_num
                ) from exc
            return
        yield from self._sheet(sheet).iter_rows()


def open_spreadsheet(name: str, data: bytes) -> Spreadsheet:
    """Check ``data`` (the file named ``name``) and open it; raise ``FileRejected``."""
    if not data:
        raise FileRejected(f"{name} is empty.")
    check_size(name, len(data))
    file_format = _detect_format(name, data)
    if file_format == CSV:
        return _open_csv(name, data)
    formulas: dict[str, dict[tuple[int, int], str]] = {}
    if file_format in (XLSX, ODS):
        formulas = _check_zip(name, data, file_format)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except CalamineError as exc:
        raise FileRejected(f"{name} could not be read as {file_format}: {exc}.") from exc
    except Exception as exc:  # calamine raises its own XmlError, ZipError, PasswordError
        raise FileRejected(f"{name} could not be read as {file_format}: {exc}.") from exc
    return Spreadsheet(
        name=name,
        format=file_format,
        sheet_names=list(workbook.sheet_names),
        _workbook=workbook,
        uncached_formulas=formulas,
    )


def check_size(name: str, size: int) -> None:
    max_bytes = settings.IMPORT_MAX_BYTES
    if size > max_bytes:
        raise FileRejected(
            f"{name} is {_megabytes(size)}; the most an import takes is {_megabytes(max_bytes)}."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _detect_format(name: str, data: bytes) -> str:
    """The format the content really is; the extension only says what was promised."""
    extension = PurePosixPath(name.lower()).suffix
    if data.startswith(PDF_MAGIC):
        raise FileRejected(
            f"{name} is a PDF, not a spreadsheet. A PDF catalog or price list is read on the OCR page "
            "(Scans), which turns it into listings you check first.",
            read_with_ocr=True,
        )
    if data.startswith(ZIP_MAGIC):
        found = _zip_format(name, data)
    elif data.startswith(OLE_MAGIC):
        found = XLS
    else:
        found = None
    if extension in SPREADSHEET_EXTENSIONS:
        if found is None:
            raise FileRejected(
                f"{name} is not a spreadsheet: its content is {_describe(data)}, not {extension[1:]}."
            )
        return found
    if found is not None:
        return found
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(f"{name} is not a spreadsheet or a CSV file: its content is {_describe(data)}.")
    if extension and extension not in TEXT_EXTENSIONS:
        raise FileRejected(f"{name}: use an xlsx, xls, ods or csv file.")
    return CSV


def _describe(data: bytes) -> str:
    for magic, description in _KNOWN_MAGIC.items():
        if data.startswith(magic):
            return description
    if data.startswith(ZIP_MAGIC):
        return "a zip archive that holds no spreadsheet"
    if b"\x00" in data[:4096]:
        return "binary data"
    return "plain text"


def _zip_format(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype")[:100]:
                return ODS
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise FileRejected(f"{name} is a damaged zip archive ({exc}); save it again and re-upload.") from exc
    raise FileRejected(f"{name} is not a spreadsheet: its content is {_describe(data)}.")


def _check_zip(name: str, data: bytes, file_format: str) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse zip bombs and XML entity declarations; find uncached xlsx formulas.

    Declared sizes are checked first, then every member is inflated in chunks with
    a running total, so an archive that lies about its sizes is stopped too.
    """
    max_total = settings.IMPORT_MAX_UNZIPPED_BYTES
    max_ratio = settings.IMPORT_MAX_ZIP_RATIO
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if declared > max_total:
                raise FileRejected(
                    f"{name} unpacks to {_megabytes(declared)}; the most allowed is {_megabytes(max_total)}."
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > _CHUNK and ratio > max_ratio:
                    raise FileRejected(
                        f"{name}: {member.filename} is compressed {ratio:.0f} to 1, more than the "
                        f"{max_ratio} to 1 a spreadsheet has; refused as a possible zip bomb."
                    )
            sheet_paths = _xlsx_sheet_paths(name, archive) if file_format == XLSX else {}
            formulas_by_path: dict[str, dict[tuple[int, int], str]] = {}
            inflated = 0
            for member in members:
                if member.is_dir():
                    continue
                is_sheet = member.filename in sheet_paths.values()
                formulas: dict[tuple[int, int], str] = {}
                tail = b""
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > max_total:
                            raise FileRejected(
                                f"{name} unpacks to more than {_megabytes(max_total)}; refused as a possible "
                                "zip bomb."
                            )
                        window = tail + chunk
                        if member.filename.endswith((".xml", ".rels")) and _ENTITY_DECLARATION.search(window):
                            raise FileRejected(
                                f"{name}: {member.filename} declares XML entities (a DOCTYPE), which "
                                "spreadsheets never need; refused."
                            )
                        if is_sheet:
                            for match in _UNCACHED_FORMULA.finditer(window):
                                formulas[(int(match[2]), _column_index(match[1]))] = html.unescape(
                                    (match[3] or b"").decode("utf-8", "replace")
                                )
                        tail = window[-4096:]
                if formulas:
                    formulas_by_path[member.filename] = formulas
    except FileRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, KeyError) as exc:
        raise FileRejected(f"{name} is a damaged zip archive ({exc}); save it again and re-upload.") from exc
    return {sheet: formulas_by_path[path] for sheet, path in sheet_paths.items() if path in formulas_by_path}


def _xlsx_sheet_paths(name: str, archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path, from workbook.xml and its relationships."""
    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    except Exception as exc:  # defusedxml's DTD/entity refusals and parse errors
        raise FileRejected(f"{name}: the workbook part could not be read safely ({exc}).") from exc
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    paths = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(rel_id, "")
        if target:
            paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - ord("A") + 1)
    return index - 1


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _decode(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM) first, since most files are; else what
    charset-normalizer finds among the encodings spreadsheets export in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 4 * _CHUNK], cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman"]).best()
    if best is None:
        raise FileRejected(f"{name}: the text encoding could not be recognised; save it as UTF-8 CSV.")
    return data.decode(best.encoding, errors="replace")


def _open_csv(name: str, data: bytes) -> Spreadsheet:
    text = _decode(name, data)
    if not text.strip():
        raise FileRejected(f"{name} is empty.")
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel_tab if PurePosixPath(name.lower()).suffix == ".tsv" else csv.excel
    return Spreadsheet(name=name, format=CSV, sheet_names=[name], _csv_text=text, _csv_dialect=dialect)
