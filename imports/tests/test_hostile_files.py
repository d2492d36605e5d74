"""Spreadsheets built to exhaust the server (issue 12, finding 1), generated here.

Each is refused with a 400 naming the limit, writes nothing, and leaves the server
answering; read under a memory cap (``capped_reader``), none needs more than the cap.
"""

import io
import json
import os
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from imports import dimensions, readers
from imports.models import Import
from imports.readers import FileRejected, open_spreadsheet
from imports.tests.import_files import csv_bytes, ods_bytes, upload, xls_bytes, xlsx_bytes
from listings.models import Listing

HEADER = ["Title", "Price"]
ROWS = [HEADER, ["Lamp", 3]]
# The cap the reader runs under in these tests: far below what any sheet here would
# cost if laid out from A1 to its farthest cell.
CAP_MB = 256
_VALUE = '<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'


def sheet_xml(xlsx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """``data`` (a zip) with members replaced, each kept as it was stored (ods needs
    its ``mimetype`` first and uncompressed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, replace.get(item.filename, source.read(item.filename)))
    return buffer.getvalue()


def sparse_xlsx(far: str, *, dimension: str | None = None) -> bytes:
    """A1:B2 filled, and one value at ``far`` (e.g. "XFD1048576"); optionally a
    ``<dimension>`` that says something else."""
    base = xlsx_bytes(ROWS)
    xml = sheet_xml(base).decode()
    row = int("".join(ch for ch in far if ch.isdigit()))
    xml = xml.replace("</sheetData>", f'<row r="{row}">{_VALUE.format(ref=far)}</row></sheetData>')
    if dimension:
        start = xml.index("<dimension")
        xml = xml[:start] + f'<dimension ref="{dimension}"/>' + xml[xml.index(">", start) + 1 :]
    return rezip(base, {"xl/worksheets/sheet1.xml": xml.encode()})


def declared_xlsx(dimension: str) -> bytes:
    """Two small rows under a ``<dimension>`` that claims ``dimension``."""
    base = xlsx_bytes(ROWS)
    xml = sheet_xml(base).decode()
    start = xml.index("<dimension")
    xml = xml[:start] + f'<dimension ref="{dimension}"/>' + xml[xml.index(">", start) + 1 :]
    return rezip(base, {"xl/worksheets/sheet1.xml": xml.encode()})


_ODS_VALUE = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def sparse_ods(*, empty_rows: int, empty_columns: int, value_repeat: int = 1) -> bytes:
    """Title/Price and one row, then ``empty_rows`` repeated empty rows and a row with
    ``empty_columns`` empty cells before a value (repeated ``value_repeat`` times)."""
    base = ods_bytes(ROWS)
    content = zipfile.ZipFile(io.BytesIO(base)).read("content.xml").decode()
    repeated = f'<table:table-cell table:number-columns-repeated="{value_repeat}"'
    value = _ODS_VALUE.replace("<table:table-cell", repeated)
    far = (
        f'<table:table-row table:number-rows-repeated="{empty_rows}"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="{empty_columns}"/>{value}'
        "</table:table-row></table:table>"
    )
    return rezip(base, {"content.xml": content.replace("</table:table>", far, 1).encode()})


def _biff_record(data: bytes, kind: int, size: int) -> int:
    """Where a BIFF record (type, length) of the small xls below sits in the file."""
    position = data.find(struct.pack("<HH", kind, size))
    assert position > 0, f"no record {kind:#06x} in the xls"
    return position + 4


def xls_with(*, cell: tuple[int, int] | None = None, declared: tuple[int, int] | None = None) -> bytes:
    """An xls written by xlwt whose first RK cell is moved to ``cell`` (row, column),
    or whose DIMENSIONS record declares ``declared`` (rows, columns)."""
    data = bytearray(xls_bytes([HEADER, ["Lamp", 3.5]]))
    if cell:
        struct.pack_into("<HH", data, _biff_record(data, 0x027E, 10), *cell)
    if declared:
        struct.pack_into("<IIHH", data, _biff_record(data, 0x0200, 14), 0, declared[0], 0, declared[1])
    return bytes(data)


def mutated_xls_corpus(count: int = 300, seed: int = 2) -> list[bytes]:
    """``count`` copies of a real xls (xlwt) with 1 to 8 random bytes changed each."""
    rows = [["Title", "Price", "Condition", "Description"]]
    rows += [[f"Chair {i}", i * 1.5, "New", "A wooden chair " * 3] for i in range(40)]
    base = xls_bytes(rows)
    rng = random.Random(seed)
    corpus = []
    for _ in range(count):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        corpus.append(bytes(data))
    return corpus


def read_capped(tmp_path: Path, files: dict[str, bytes]) -> dict[str, dict]:
    """Open every file with the import's reader in a process capped at CAP_MB (the
    sheet-reading child under the same cap); its outcome per file name."""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in files]
    finished = subprocess.run(
        [sys.executable, "-m", "imports.tests.capped_reader", str(CAP_MB), *paths],
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "IMPORT_READER_MEMORY_MB": str(CAP_MB)},
        check=False,
    )
    results = {line["file"]: line for line in map(json.loads, finished.stdout.splitlines())}
    assert finished.returncode == 0 and len(results) == len(files), (
        f"the reader died under the {CAP_MB} MB cap after {len(results)} of {len(files)} files: "
        f"{finished.stderr[-2000:]}"
    )
    for name, result in results.items():
        assert result["outcome"] != "memory", name
        assert "of memory a spreadsheet may use" not in result["message"], (name, result)
    return results


SPARSE_FILES = {
    # The 4.9 KB file: calamine lays out 17 billion cells.
    "xfd.xlsx": (lambda: sparse_xlsx("XFD1048576"), "IMPORT_MAX_ROWS"),
    "far-column.xlsx": (lambda: sparse_xlsx("XFD2"), "IMPORT_MAX_COLUMNS"),
    # Within both limits, but 40 million cells of grid for 5 values.
    "stray.xlsx": (lambda: sparse_xlsx("GR200000"), "only 5 cells hold a value"),
    "far-row.ods": (lambda: sparse_ods(empty_rows=1_048_570, empty_columns=1), "IMPORT_MAX_ROWS"),
    "far-column.ods": (lambda: sparse_ods(empty_rows=1, empty_columns=20_000), "IMPORT_MAX_COLUMNS"),
    "repeated.ods": (
        lambda: sparse_ods(empty_rows=100_000, empty_columns=0, value_repeat=16_000),
        "IMPORT_MAX_COLUMNS",
    ),
    "far-cell.xls": (lambda: xls_with(cell=(65_000, 250)), "IMPORT_MAX_COLUMNS"),
    # Declared and real sizes disagree: a small sheet that declares a huge one…
    "declares-xfd.xlsx": (lambda: declared_xlsx("A1:XFD1048576"), "declares row 1,048,576"),
    "declares-columns.xlsx": (lambda: declared_xlsx("A1:XFD3"), "declares column XFD"),
    "declares-rows.xls": (lambda: xls_with(declared=(2_000_000_000, 4)), "declares row 2,000,000,000"),
    # …and a sheet that declares A1:B2 and holds a cell far past it.
    "understated.xlsx": (lambda: sparse_xlsx("ZZZ3", dimension="A1:B2"), "has cells up to column ZZZ"),
}


@pytest.fixture
def client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", SPARSE_FILES)
def test_sparse_and_lying_sheets_are_refused_naming_the_limit(client, settings, name):
    settings.IMPORT_READER_MEMORY_MB = CAP_MB
    build, limit = SPARSE_FILES[name]
    data = build()
    assert len(data) < 10_000
    response = client.post("/api/imports/", {"file": upload(name, data)}, format="multipart")
    assert response.status_code == 400, response.content
    assert limit in response.json()["detail"]
    assert Import.objects.count() == 0 and Listing.objects.count() == 0
    good = client.post("/api/imports/", {"file": upload("good.xlsx", xlsx_bytes(ROWS))}, format="multipart")
    assert good.status_code == 201


def test_hostile_files_stay_under_the_memory_cap(tmp_path):
    results = read_capped(tmp_path, {name: build() for name, (build, _) in SPARSE_FILES.items()})
    for name, (_, limit) in SPARSE_FILES.items():
        assert results[name]["outcome"] == "refused" and limit in results[name]["message"], results[name]


def test_mutated_xls_corpus_is_read_or_refused_under_the_memory_cap(tmp_path):
    corpus = {f"mutated-{index:03}.xls": data for index, data in enumerate(mutated_xls_corpus())}
    results = read_capped(tmp_path, corpus)
    outcomes = [result["outcome"] for result in results.values()]
    # Mutations break many files and leave many readable; both kinds are in the corpus.
    assert outcomes.count("refused") > 50 and outcomes.count("opened") > 50
    # Some mutations move a cell thousands of columns out (calamine then asks for
    # 4 to 28 GB): the dimension scan refuses those before calamine sees them.
    assert any("IMPORT_MAX_COLUMNS" in result["message"] for result in results.values())


@pytest.mark.django_db
def test_mutated_xls_through_the_api_answer_4xx_or_import(client, settings):
    settings.IMPORT_READER_MEMORY_MB = CAP_MB
    settings.RATELIMIT_ENABLE = False
    for index, data in enumerate(mutated_xls_corpus()[::15]):
        response = client.post("/api/imports/", {"file": upload(f"m{index}.xls", data)}, format="multipart")
        assert response.status_code in (201, 400), (index, response.content)
        if response.status_code == 400:
            assert response.json()["detail"]
    assert Listing.objects.count() == 0


@pytest.mark.django_db
def test_a_runaway_parse_costs_the_child_process_not_the_worker(client, settings, monkeypatch):
    """With the dimension scan switched off, calamine itself meets the file that asks
    it for 512 GB: the child aborts, the upload gets a 400, this process goes on."""
    settings.IMPORT_READER_MEMORY_MB = CAP_MB
    monkeypatch.setattr(readers, "oversized_sheets", lambda name, extents: {})
    response = client.post(
        "/api/imports/", {"file": upload("xfd.xlsx", sparse_xlsx("XFD1048576"))}, format="multipart"
    )
    assert response.status_code == 400
    assert f"needs more than the {CAP_MB} MB of memory a spreadsheet may use" in response.json()["detail"]
    assert Import.objects.count() == 0
    assert client.get("/api/imports/").status_code == 200


def test_reading_past_the_time_limit_is_refused(settings):
    settings.IMPORT_READER_SECONDS = 0
    with pytest.raises(FileRejected, match="took longer than the 0 seconds"):
        open_spreadsheet("slow.xlsx", xlsx_bytes([HEADER, *[[f"Lamp {i}", i] for i in range(20_000)]]))


def test_a_panic_in_the_reader_is_a_refusal():
    """One mutation of the corpus makes calamine panic; pyo3's PanicException is a
    BaseException, which ``except Exception`` would let through as a 500."""
    panicking = mutated_xls_corpus(seed=2)[267]
    with pytest.raises(FileRejected, match="PanicException: range start index"):
        open_spreadsheet("panic.xls", panicking)


def test_facebook_template_keeps_its_wide_categories_sheet_out_of_the_read(tmp_path):
    """Facebook's own template has a 1,870-column VALIDATION sheet: it is left unread,
    and the sheet to fill in is read."""
    data = Path("/work/shared/facebook/Marketplace_Bulk_Upload_Template.xlsx").read_bytes()
    spreadsheet = open_spreadsheet("template.xlsx", data)
    assert spreadsheet.readable_sheet_names == ["Bulk Upload Template"]
    assert "IMPORT_MAX_COLUMNS" in spreadsheet.oversized["VALIDATION"]
    with pytest.raises(FileRejected, match="1,870 columns"):
        list(spreadsheet.rows("VALIDATION"))


@pytest.mark.django_db
def test_a_20000_column_csv_preview_is_refused_by_the_column_cap(client):
    wide = csv_bytes([["Title", "Price", *[f"c{i}" for i in range(20_000)]], ["Lamp", 3]])
    response = client.post("/api/imports/", {"file": upload("wide.csv", wide)}, format="multipart")
    assert response.status_code == 400
    assert "20,002 columns" in response.json()["detail"] and "IMPORT_MAX_COLUMNS" in response.json()["detail"]
    assert Import.objects.count() == 0


@pytest.mark.django_db
def test_a_16000_column_xlsx_preview_is_refused_by_the_column_cap(client):
    wide = xlsx_bytes([["Title", "Price", *[f"c{i}" for i in range(16_000)]], ["Lamp", 3]])
    response = client.post("/api/imports/", {"file": upload("wide.xlsx", wide)}, format="multipart")
    assert response.status_code == 400
    assert "IMPORT_MAX_COLUMNS" in response.json()["detail"]


def test_sheet_scanners_follow_cells_without_references_and_chunk_ends():
    """Cells with no ``r`` take the next column; a tag split across chunks still counts."""
    scanner = dimensions.XlsxSheetScanner("Sheet1")
    xml = b'<row r="3"><c><v>1</v></c><c t="s"><v>2</v></c><c r="E3"><v>3</v></c></row></sheetData>'
    for start in range(0, len(xml), 7):
        scanner.feed(xml[start : start + 7])
    assert (scanner.extent.rows, scanner.extent.columns, scanner.extent.filled) == (3, 5, 3)


@pytest.mark.parametrize(
    "xml",
    [
        # As spreadsheet apps write them: measured set-wise.
        b'<dimension ref="A1:C9"/><sheetData><row r="2" spans="1:3"><c r="B2"><v>1</v></c>'
        b'<c r="C2" s="1"/></row><row r="7"><c r="AB7" t="s"><v>2</v></c><c r="d7"><v>3</v></c></row>',
        # A cell or row without its reference, an attribute with a slash, prefixed tags:
        # read tag by tag, in the chunks where they fall.
        b'<row r="4"><c r="A4"><v>1</v></c></row><row><c r="B5"><v>1</v></c></row><c><v>x</v></c>'
        b'<row r="9"><c r="A9" x="a/b"><v>1</v></c><c><v>2</v></c></row>',
        b'<x:row r="5"><x:c r="B5"><x:v>1</x:v></x:c><x:c r="A5" /></x:row>'
        b'<row r="6"><c s="2" r="D6"/></row>',
    ],
)
def test_the_set_wise_sheet_scan_measures_what_the_tag_by_tag_scan_does(xml):
    def measured(feed, size):
        scanner = dimensions.XlsxSheetScanner("Sheet1")
        for start in range(0, len(xml), size):
            feed(scanner, xml[start : start + size])
        extent = scanner.extent
        return (extent.rows, extent.columns, extent.filled, extent.declared_rows, extent.declared_columns)

    def tag_by_tag(scanner, chunk):
        window, start, end = scanner._tags.window(chunk)
        scanner._feed_tags(scanner._tags.pattern.finditer(window, start, end))

    for size in (1, 5, 13, 40, len(xml)):
        assert measured(dimensions.XlsxSheetScanner.feed, size) == measured(tag_by_tag, size)
